export { downloadVerified, type DownloadRequest, type DownloadContext, type DownloadedTool, type Verification } from './download-verified.js';
export { createToolCache, defaultToolCacheDirs, type ToolCache, type ToolCacheOptions } from './tool-cache.js';
export { resolveMirror, throughMirror, githubReleaseUrl, GITHUB, GITHUB_API } from './mirror.js';
export { parseChecksumFile, parseGithubDigest, sha256File } from './checksum.js';
export { fetchGithubAssetDigest, releaseByTagUrl } from './github-release.js';
export { PATTERNS, requirePattern, requireVersion, requireKubernetesVersion, withV, withoutV } from './patterns.js';
