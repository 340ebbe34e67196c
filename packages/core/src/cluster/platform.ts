import { inputError } from '../errors.js';

/** The runner's OS and CPU in the names release assets use. */
export interface Platform {
  os: 'linux' | 'darwin' | 'windows' | string;
  arch: 'amd64' | 'arm64' | string;
}

const OS_NAMES: Record<string, string> = { linux: 'linux', darwin: 'darwin', win32: 'windows' };
const ARCH_NAMES: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x' };

export function currentPlatform(nodePlatform: string = process.platform, nodeArch: string = process.arch): Platform {
  return { os: OS_NAMES[nodePlatform] ?? nodePlatform, arch: ARCH_NAMES[nodeArch] ?? nodeArch };
}

/**
 * The cluster path (minikube with the docker driver, the mesh CLIs) needs a Linux runner, amd64 or
 * arm64. macOS runners have no Docker engine and Windows runners cannot run Linux containers, so
 * we stop at once with the reason instead of failing minutes later inside minikube.
 */
export function requireClusterPlatform(platform: Platform = currentPlatform()): Platform & { os: 'linux'; arch: 'amd64' | 'arm64' } {
  if (platform.os !== 'linux') {
    throw inputError(
      `starting a cluster needs a Linux runner (amd64 or arm64), and this one is ${platform.os}/${platform.arch}: ` +
        'use runs-on: ubuntu-latest (or ubuntu-24.04-arm), or point meshspec at an existing cluster with cluster: existing',
    );
  }
  if (platform.arch !== 'amd64' && platform.arch !== 'arm64') {
    throw inputError(`starting a cluster needs an amd64 or arm64 runner, and this one is ${platform.arch}; use cluster: existing instead`);
  }
  return platform as Platform & { os: 'linux'; arch: 'amd64' | 'arm64' };
}
