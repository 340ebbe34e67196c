// A local stand-in for the hosts meshspec downloads from, laid out as the download mirror expects
// (packages/core/src/download/mirror.ts): GitHub release assets at
// <url>/<owner>/<repo>/releases/download/<tag>/<asset>, and every other host under <url>/<host>/<path>
// (api.github.com, get.helm.sh, chart repositories, packages.konghq.com). Plain http on 127.0.0.1, so
// no test reaches the internet. Every request is counted, to prove that a cached tool is not fetched again.
//
//   const server = await startReleaseServer();
//   server.put('/get.helm.sh/helm-v3.21.4-linux-amd64.tar.gz', bytes);
//   publishGithubAsset(server, { repo: 'kubernetes/minikube', tag: 'v1.38.1', asset: 'minikube-linux-amd64', body, checksum: 'hex' });
//   server.count('/kubernetes/minikube/releases/download/v1.38.1/minikube-linux-amd64')   // -> 1
//   await server.close();
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, mkdir, readFile, rm, writeFile, chmod } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** @param {Buffer | string} data */
export const sha256 = (data) => createHash('sha256').update(data).digest('hex');

export async function startReleaseServer() {
  /** @type {Map<string, { body: Buffer, type: string }>} */
  const files = new Map();
  /** @type {string[]} */
  const requests = [];
  /** @type {Map<string, { repo: string, tag: string, assets: any[] }>} */
  const releases = new Map();
  const server = http.createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    requests.push(path);
    const file = files.get(path);
    if (!file) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end(`not found: ${path}\n`);
      return;
    }
    res.writeHead(200, { 'content-type': file.type, 'content-length': file.body.length });
    res.end(file.body);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const url = `http://127.0.0.1:${/** @type {import('node:net').AddressInfo} */ (server.address()).port}`;
  return {
    url,
    /** @param {string} path @param {Buffer | string} body */
    put(path, body, type = 'application/octet-stream') {
      files.set(path, { body: Buffer.isBuffer(body) ? body : Buffer.from(body), type });
    },
    delete(path) {
      files.delete(path);
    },
    requests,
    /** How many times a path was requested. */
    count(path) {
      return requests.filter((p) => p === path).length;
    },
    releases,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(() => resolve(undefined)));
    },
  };
}

/**
 * Publishes a GitHub release asset and, depending on `checksum`, what vouches for it:
 * - `hex`: `<asset>.sha256` holding only the hex (minikube, helm, linkerd-smi);
 * - `istio`: `<asset>.sha256` holding `<hex> <asset>` with one space;
 * - `sums`: a line `<hex>  <asset>` in `<sumsName>` (osm's sha256sums.txt), next to the other assets' lines;
 * - `digest`: only the Releases API's `digest` at /api.github.com/repos/<repo>/releases/tags/<tag>;
 * - `none`: nothing.
 * `vouchFor` publishes the checksum of other bytes than the ones served (a tampered mirror).
 */
/**
 * @param {any} server  from startReleaseServer()
 * @param {{ repo: string, tag: string, asset: string, body: Buffer | string,
 *   checksum?: 'hex' | 'istio' | 'sums' | 'digest' | 'none', sumsName?: string, vouchFor?: Buffer | string }} options
 */
export function publishGithubAsset(server, { repo, tag, asset, body, checksum = 'hex', sumsName = 'sha256sums.txt', vouchFor = undefined }) {
  const base = `/${repo}/releases/download/${tag}`;
  server.put(`${base}/${asset}`, body);
  const hex = sha256(vouchFor ?? body);
  if (checksum === 'hex') server.put(`${base}/${asset}.sha256`, `${hex}\n`);
  if (checksum === 'istio') server.put(`${base}/${asset}.sha256`, `${hex} ${asset}\n`);
  if (checksum === 'sums') {
    const key = `${base}/${sumsName}`;
    const lines = (server.sums ??= new Map()).get(key) ?? [];
    lines.push(`${hex}  ${asset}`);
    server.sums.set(key, lines);
    server.put(key, `${lines.join('\n')}\n`);
  }
  const release = server.releases.get(`${repo}@${tag}`) ?? { repo, tag, assets: [] };
  release.assets = release.assets.filter((a) => a.name !== asset);
  release.assets.push({ name: asset, digest: checksum === 'digest' ? `sha256:${hex}` : null, size: Buffer.byteLength(body) });
  server.releases.set(`${repo}@${tag}`, release);
  server.put(`/api.github.com/repos/${repo}/releases/tags/${tag}`, JSON.stringify({ tag_name: tag, assets: release.assets }), 'application/json');
  return { url: `${server.url}${base}/${asset}`, sha256: hex };
}

/**
 * A .tar.gz of the given files (path inside the archive -> content), made with the system tar.
 * @param {Record<string, Buffer | string>} entries
 * @returns {Promise<Buffer>}
 */
export async function tarGz(entries) {
  const dir = await mkdtemp(join(tmpdir(), 'meshspec-tar-'));
  try {
    const root = join(dir, 'root');
    for (const [path, content] of Object.entries(entries)) {
      const file = join(root, path);
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, content);
      await chmod(file, 0o755);
    }
    const out = join(dir, 'out.tar.gz');
    await execFileAsync('tar', ['-czf', out, '-C', root, ...Object.keys(entries).map((p) => p.split('/')[0]).filter((p, i, a) => a.indexOf(p) === i)]);
    return await readFile(out);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
