// A local fake of the GitHub REST API, strict where the real one surprises clients, for the
// sticky PR comment, release assets and the baseline artifact (issue 14). Plain http on 127.0.0.1.
//
// What it serves, and how the real API behaves there (docs.github.com/rest, API version 2022-11-28):
// - GET    /repos/{o}/{r}                                    the repository (default_branch)
// - GET    /repos/{o}/{r}/actions/runs/{id}                  one workflow run (workflow_id)
// - GET    /repos/{o}/{r}/actions/workflows/{wid}/runs       newest first; ?branch, ?status=success matches the conclusion, ?event
// - GET    /repos/{o}/{r}/actions/runs/{id}/artifacts        ?name filters by exact name
// - GET    /repos/{o}/{r}/actions/artifacts/{id}/zip         302 to a short-lived blob URL (no token goes there); 410 when expired
// - GET    /repos/{o}/{r}/issues/{n}/comments                paginated, with RFC 8288 Link headers
// - POST   /repos/{o}/{r}/issues/{n}/comments                201
// - PATCH  /repos/{o}/{r}/issues/comments/{id}               200
// - GET    /repos/{o}/{r}/releases/tags/{tag}                404 for a draft (drafts are not found by tag)
// - GET    /repos/{o}/{r}/releases                           drafts included (for a token with push access)
// - GET    /repos/{o}/{r}/releases/{id}, .../releases/{id}/assets
// - DELETE /repos/{o}/{r}/releases/assets/{id}               204; 422 on an immutable published release
// - POST   /uploads/repos/{o}/{r}/releases/{id}/assets?name= the release's upload_url; 422 "already_exists"
//                                                            for a taken name, 422 "Cannot upload assets to
//                                                            an immutable release." once published
// Tokens: `write` tokens may write; a `read` token (a fork PR's GITHUB_TOKEN) gets 403 "Resource not
// accessible by integration" on every write; an unknown token gets 401.
// Faults: `secondaryRateLimit({ method, path, times, retryAfter })` answers 403 with the
// secondary-rate-limit message and a retry-after header, as GitHub does.
import http from 'node:http';
import { crc32 } from 'node:zlib';

const API_VERSION_DATE = '2022-11-28';

/**
 * The fields a zip's local header and its central directory entry share, in the same order from
 * `at` (4 in the local header, 6 in the central entry, after "version made by"): version needed,
 * flags (UTF-8 names), method (stored), time and date (left 0), CRC-32, both sizes, name length.
 * @param {Buffer} buf @param {number} at @param {{ crc: number, size: number, nameLength: number }} e
 */
function writeEntryFields(buf, at, e) {
  buf.writeUInt16LE(20, at);
  buf.writeUInt16LE(0x800, at + 2);
  buf.writeUInt16LE(0, at + 4);
  buf.writeUInt32LE(e.crc, at + 10);
  buf.writeUInt32LE(e.size, at + 14);
  buf.writeUInt32LE(e.size, at + 18);
  buf.writeUInt16LE(e.nameLength, at + 22);
}

/** A zip of stored (uncompressed) entries: what an artifact download serves. @param {Record<string, string | Buffer>} files */
function zipOf(files) {
  const locals = [];
  const centrals = [];
  let offset = 0;
  for (const [name, content] of Object.entries(files)) {
    const data = Buffer.isBuffer(content) ? content : Buffer.from(content);
    const nameBuf = Buffer.from(name, 'utf8');
    const crc = crc32(data) >>> 0;
    const entry = { crc, size: data.length, nameLength: nameBuf.length };
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    writeEntryFields(local, 4, entry);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4); // version made by
    writeEntryFields(central, 6, entry);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBuf, data);
    centrals.push(central, nameBuf);
    offset += local.length + nameBuf.length + data.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(files).length, 8);
  end.writeUInt16LE(Object.keys(files).length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

/** @param {http.IncomingMessage} req @returns {Promise<Buffer>} */
function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * @typedef {object} FakeRepoSeed
 * @property {string} [defaultBranch]
 */

/**
 * @param {{ tokens?: Record<string, 'write' | 'read'>, owner?: string, repo?: string, defaultBranch?: string }} [options]
 */
export async function startFakeGitHub(options = {}) {
  const owner = options.owner ?? 'octo';
  const repoName = options.repo ?? 'mesh';
  const full = `${owner}/${repoName}`;
  const tokens = options.tokens ?? { 'ghs_write_token': 'write', 'ghs_fork_token': 'read' };
  let nextId = 1000;
  const id = () => nextId++;
  const state = {
    defaultBranch: options.defaultBranch ?? 'main',
    /** @type {Array<{ id: number, workflow_id: number, head_branch: string, event: string, status: string, conclusion: string | null, created_at: string }>} */
    runs: [],
    /** @type {Array<{ id: number, name: string, run_id: number, expired: boolean, zip: Buffer }>} */
    artifacts: [],
    /** @type {Map<number, Array<{ id: number, body: string, user: { login: string, type: string }, html_url: string }>>} */
    comments: new Map(),
    /** @type {Array<{ id: number, tag_name: string, draft: boolean, immutable: boolean, assets: Array<{ id: number, name: string, size: number, content_type: string, data: Buffer }> }>} */
    releases: [],
  };
  /** @type {Array<{ method: string, path: string, query: Record<string, string>, authorization: string | undefined, body: any }>} */
  const requests = [];
  /** @type {Array<{ method: string, path: RegExp, times: number, retryAfter: number }>} */
  const faults = [];
  let base = '';

  const json = (res, status, body, headers = {}) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'x-github-api-version-selected': API_VERSION_DATE, ...headers });
    res.end(body === undefined ? '' : JSON.stringify(body));
  };
  const notFound = (res) => json(res, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' });
  const validation = (res, message, errors = []) => json(res, 422, { message, errors, documentation_url: 'https://docs.github.com/rest', status: '422' });

  /** Slices a list by per_page/page and adds GitHub's Link header (next, last, first, prev). */
  const paginate = (res, url, items, wrap = (page) => page) => {
    const perPage = Math.min(Number(url.searchParams.get('per_page') ?? 30) || 30, 100);
    const page = Math.max(Number(url.searchParams.get('page') ?? 1) || 1, 1);
    const last = Math.max(Math.ceil(items.length / perPage), 1);
    const link = (p, rel) => {
      const u = new URL(url.href);
      u.searchParams.set('per_page', String(perPage));
      u.searchParams.set('page', String(p));
      return `<${base}${u.pathname}${u.search}>; rel="${rel}"`;
    };
    const links = [];
    if (page > 1) links.push(link(page - 1, 'prev'));
    if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'));
    if (page > 1) links.push(link(1, 'first'));
    json(res, 200, wrap(items.slice((page - 1) * perPage, page * perPage)), links.length ? { link: links.join(', ') } : {});
  };

  const releaseJson = (r) => ({
    id: r.id,
    tag_name: r.tag_name,
    name: r.tag_name,
    draft: r.draft,
    prerelease: false,
    immutable: r.immutable && !r.draft,
    html_url: `https://github.com/${full}/releases/tag/${r.tag_name}`,
    upload_url: `${base}/uploads/repos/${full}/releases/${r.id}/assets{?name,label}`,
    assets: r.assets.map(assetJson),
  });
  const assetJson = (a) => ({ id: a.id, name: a.name, size: a.size, content_type: a.content_type, state: 'uploaded', browser_download_url: `https://github.com/${full}/releases/download/x/${a.name}` });
  const runJson = (r) => ({ ...r, html_url: `https://github.com/${full}/actions/runs/${r.id}`, repository: { full_name: full } });

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake.invalid');
    const raw = await readBody(req);
    let body;
    const type = String(req.headers['content-type'] ?? '');
    // Uploads are raw bytes whatever their content type; API bodies are JSON.
    if (raw.length && type.includes('json') && !url.pathname.startsWith('/uploads/')) {
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        return json(res, 400, { message: 'Problems parsing JSON' });
      }
    } else body = raw.length ? raw : undefined;
    const path = url.pathname;
    const method = req.method ?? 'GET';
    requests.push({ method, path, query: Object.fromEntries(url.searchParams), authorization: req.headers.authorization, body });

    // The blob store behind an artifact's redirect: a signed URL, no token.
    const blob = /^\/_blob\/artifacts\/(\d+)\.zip$/.exec(path);
    if (blob && method === 'GET') {
      const a = state.artifacts.find((x) => x.id === Number(blob[1]));
      if (!a || url.searchParams.get('sig') !== `sig-${a.id}`) return json(res, 403, { message: 'AuthenticationFailed' });
      res.writeHead(200, { 'content-type': 'application/zip', 'content-length': a.zip.length });
      return res.end(a.zip);
    }

    const auth = /^(?:token|bearer) (.+)$/i.exec(req.headers.authorization ?? '');
    const access = auth ? tokens[auth[1]] : undefined;
    if (!access) return json(res, 401, { message: 'Bad credentials', status: '401' });

    const fault = faults.find((f) => f.times > 0 && f.method === method && f.path.test(path));
    if (fault) {
      fault.times--;
      return json(res, 403, { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.', status: '403' }, { 'retry-after': String(fault.retryAfter) });
    }

    const isWrite = method !== 'GET' && method !== 'HEAD';
    if (isWrite && access !== 'write') return json(res, 403, { message: 'Resource not accessible by integration', status: '403' });

    const uploads = path.startsWith('/uploads/');
    const rest = uploads ? path.slice('/uploads'.length) : path;
    const prefix = `/repos/${full}`;
    if (!rest.startsWith(prefix)) return notFound(res);
    const p = rest.slice(prefix.length) || '/';
    let m;

    if (!uploads && method === 'GET' && p === '/') return json(res, 200, { full_name: full, default_branch: state.defaultBranch });

    if (!uploads && method === 'GET' && (m = /^\/actions\/runs\/(\d+)$/.exec(p))) {
      const run = state.runs.find((r) => r.id === Number(m[1]));
      return run ? json(res, 200, runJson(run)) : notFound(res);
    }
    if (!uploads && method === 'GET' && (m = /^\/actions\/workflows\/(\d+)\/runs$/.exec(p))) {
      const branch = url.searchParams.get('branch');
      const status = url.searchParams.get('status');
      const event = url.searchParams.get('event');
      const list = state.runs
        .filter((r) => r.workflow_id === Number(m[1]))
        .filter((r) => !branch || r.head_branch === branch)
        .filter((r) => !event || r.event === event)
        .filter((r) => !status || r.status === status || r.conclusion === status)
        .sort((a, b) => b.created_at.localeCompare(a.created_at));
      return paginate(res, url, list.map(runJson), (page) => ({ total_count: list.length, workflow_runs: page }));
    }
    if (!uploads && method === 'GET' && (m = /^\/actions\/runs\/(\d+)\/artifacts$/.exec(p))) {
      const name = url.searchParams.get('name');
      const list = state.artifacts.filter((a) => a.run_id === Number(m[1]) && (!name || a.name === name));
      const view = list.map((a) => ({ id: a.id, name: a.name, size_in_bytes: a.zip.length, expired: a.expired, archive_download_url: `${base}${prefix}/actions/artifacts/${a.id}/zip`, workflow_run: { id: a.run_id } }));
      return paginate(res, url, view, (page) => ({ total_count: list.length, artifacts: page }));
    }
    if (!uploads && method === 'GET' && (m = /^\/actions\/artifacts\/(\d+)\/zip$/.exec(p))) {
      const a = state.artifacts.find((x) => x.id === Number(m[1]));
      if (!a) return notFound(res);
      if (a.expired) return json(res, 410, { message: 'Artifact has expired', status: '410' });
      res.writeHead(302, { location: `${base}/_blob/artifacts/${a.id}.zip?sig=sig-${a.id}` });
      return res.end();
    }

    if (!uploads && (m = /^\/issues\/(\d+)\/comments$/.exec(p))) {
      const n = Number(m[1]);
      const list = state.comments.get(n) ?? [];
      if (method === 'GET') return paginate(res, url, list);
      if (method === 'POST') {
        if (typeof body?.body !== 'string' || body.body === '') return validation(res, 'Validation Failed', [{ resource: 'IssueComment', code: 'missing_field', field: 'body' }]);
        if (body.body.length > 65536) return validation(res, 'Validation Failed', [{ resource: 'IssueComment', code: 'custom', field: 'body', message: 'body is too long (maximum is 65536 characters)' }]);
        const cid = id();
        const c = { id: cid, body: body.body, user: { login: 'github-actions[bot]', type: 'Bot' }, html_url: `https://github.com/${full}/pull/${n}#issuecomment-${cid}` };
        state.comments.set(n, [...list, c]);
        return json(res, 201, c);
      }
    }
    if (!uploads && method === 'PATCH' && (m = /^\/issues\/comments\/(\d+)$/.exec(p))) {
      for (const list of state.comments.values()) {
        const c = list.find((x) => x.id === Number(m[1]));
        if (c) {
          if (typeof body?.body !== 'string' || body.body === '') return validation(res, 'Validation Failed');
          c.body = body.body;
          return json(res, 200, c);
        }
      }
      return notFound(res);
    }

    if (!uploads && method === 'GET' && (m = /^\/releases\/tags\/(.+)$/.exec(p))) {
      const r = state.releases.find((x) => x.tag_name === decodeURIComponent(m[1]) && !x.draft);
      return r ? json(res, 200, releaseJson(r)) : notFound(res);
    }
    if (!uploads && method === 'GET' && p === '/releases') return paginate(res, url, [...state.releases].reverse().map(releaseJson));
    if (!uploads && method === 'GET' && (m = /^\/releases\/(\d+)$/.exec(p))) {
      const r = state.releases.find((x) => x.id === Number(m[1]));
      return r ? json(res, 200, releaseJson(r)) : notFound(res);
    }
    if (!uploads && method === 'GET' && (m = /^\/releases\/(\d+)\/assets$/.exec(p))) {
      const r = state.releases.find((x) => x.id === Number(m[1]));
      return r ? paginate(res, url, r.assets.map(assetJson)) : notFound(res);
    }
    if (!uploads && method === 'DELETE' && (m = /^\/releases\/assets\/(\d+)$/.exec(p))) {
      const r = state.releases.find((x) => x.assets.some((a) => a.id === Number(m[1])));
      if (!r) return notFound(res);
      if (r.immutable && !r.draft) return validation(res, 'Cannot delete assets from an immutable release.');
      r.assets = r.assets.filter((a) => a.id !== Number(m[1]));
      res.writeHead(204);
      return res.end();
    }
    if (uploads && method === 'POST' && (m = /^\/releases\/(\d+)\/assets$/.exec(p))) {
      const r = state.releases.find((x) => x.id === Number(m[1]));
      if (!r) return notFound(res);
      const name = url.searchParams.get('name');
      if (!name) return validation(res, 'Validation Failed', [{ resource: 'ReleaseAsset', code: 'missing_field', field: 'name' }]);
      if (r.immutable && !r.draft) return validation(res, 'Cannot upload assets to an immutable release.');
      if (!type) return validation(res, 'Validation Failed', [{ resource: 'ReleaseAsset', code: 'missing_field', field: 'content_type' }]);
      if (r.assets.some((a) => a.name === name)) return validation(res, 'Validation Failed', [{ resource: 'ReleaseAsset', code: 'already_exists', field: 'name' }]);
      const data = Buffer.isBuffer(body) ? body : Buffer.from(body === undefined ? '' : JSON.stringify(body));
      const asset = { id: id(), name, size: data.length, content_type: type, data };
      r.assets.push(asset);
      return json(res, 201, assetJson(asset));
    }
    return notFound(res);
  });

  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  base = `http://127.0.0.1:${/** @type {import('node:net').AddressInfo} */ (server.address()).port}`;

  return {
    url: base,
    owner,
    repo: repoName,
    fullName: full,
    state,
    requests,
    /** Requests other than the blob download, as `METHOD /path?query` (the query sorted), for exact assertions. */
    /** @param {(r: { method: string, path: string, query: Record<string, string>, authorization: string | undefined, body: any }) => boolean} [filter] */
    calls(filter = () => true) {
      return requests.filter(filter).map((r) => {
        const q = new URLSearchParams(Object.entries(r.query).sort(([a], [b]) => a.localeCompare(b))).toString();
        return `${r.method} ${r.path}${q ? `?${q}` : ''}`;
      });
    },
    /** Adds a workflow run; `createdAt` orders them (newest first in listings). */
    addRun({ workflowId = 7, branch = state.defaultBranch, event = 'push', conclusion = 'success', createdAt }) {
      const run = { id: id(), workflow_id: workflowId, head_branch: branch, event, status: 'completed', conclusion, created_at: createdAt };
      state.runs.push(run);
      return run;
    },
    addArtifact({ runId, name, files, expired = false }) {
      const a = { id: id(), name, run_id: runId, expired, zip: zipOf(files) };
      state.artifacts.push(a);
      return a;
    },
    addComments(issue, bodies) {
      const list = state.comments.get(issue) ?? [];
      for (const body of bodies) {
        const cid = id();
        list.push({ id: cid, body, user: { login: 'someone', type: 'User' }, html_url: `https://github.com/${full}/pull/${issue}#issuecomment-${cid}` });
      }
      state.comments.set(issue, list);
    },
    /** @param {{ tag: string, draft?: boolean, immutable?: boolean }} options */
    addRelease({ tag, draft = false, immutable = false }) {
      /** @type {{ id: number, tag_name: string, draft: boolean, immutable: boolean, assets: Array<{ id: number, name: string, size: number, content_type: string, data: Buffer }> }} */
      const r = { id: id(), tag_name: tag, draft, immutable, assets: [] };
      state.releases.push(r);
      return r;
    },
    secondaryRateLimit({ method, path, times = 1, retryAfter = 1 }) {
      faults.push({ method, path, times, retryAfter });
    },
    close() {
      return new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve(undefined));
      });
    },
  };
}
