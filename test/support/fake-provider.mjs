// A test provider: a real HTTP server on 127.0.0.1 that speaks the part of Meshery's
// remote-provider protocol meshspec uses (research/provider-protocol.md): capabilities, /refresh,
// performance profiles (list, create, get, results) and SMI results. It records every request and
// injects faults on demand. Plain ESM so that `node` runs it as it is:
//
//   node test/support/fake-provider.mjs     listens on a free 127.0.0.1 port, prints the URL, serves until killed
//
// Faults (addFault): the first live fault whose method/path match is applied and its `times`
// counted down: `status` (+ `retryAfter`, `body`), `close` (headers and half a body, then the
// socket is destroyed), `delayMs` (answer late; combined with the others or alone), and
// `storeFirst` (handle the request as usual, storing what it creates, then apply the fault instead
// of the answer: a create that succeeded on the server but whose answer was lost).

import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';

/**
 * Unpadded standard base64 (Go's RawStdEncoding) of an OAuth2 token JSON: what auth.json holds.
 * @param {{access_token: string, token_type?: string, refresh_token?: string, expiry?: string}} token
 */
export function encodeToken(token) {
  return Buffer.from(JSON.stringify({ token_type: 'bearer', ...token })).toString('base64').replace(/=+$/, '');
}

/**
 * @typedef {{ method?: string, path?: string | RegExp, times?: number, status?: number, retryAfter?: string | number,
 *             body?: unknown, close?: boolean, delayMs?: number, storeFirst?: boolean }} Fault
 * @typedef {{ method: string, path: string, query: Record<string, string>, headers: Record<string, string | string[] | undefined>,
 *             body: unknown, raw: string, at: number}} RecordedRequest
 * @typedef {{
 *   capabilitiesCasing?: 'camel' | 'snake',
 *   capabilitiesStatus?: number,
 *   advertiseSmi?: boolean,
 *   advertisePerformance?: boolean,
 *   endpoints?: { smiResults?: string, performanceProfiles?: string },
 *   providerName?: string,
 *   listCasing?: 'camel' | 'snake',
 *   acceptTokens?: string[],
 *   refresh?: { status?: number, token?: string, body?: unknown, accept?: boolean },
 *   resultUrlBase?: string,
 * }} FakeProviderOptions
 */

/** @param {FakeProviderOptions} [options] */
export async function startFakeProvider(options = {}) {
  const config = {
    capabilitiesCasing: options.capabilitiesCasing ?? 'camel',
    capabilitiesStatus: options.capabilitiesStatus ?? 200,
    advertiseSmi: options.advertiseSmi ?? true,
    advertisePerformance: options.advertisePerformance ?? true,
    endpoints: { smiResults: '/smi/results', performanceProfiles: '/user/performance/profiles', ...(options.endpoints ?? {}) },
    providerName: options.providerName ?? 'Layer5',
    listCasing: options.listCasing ?? 'camel',
    /** @type {string[] | undefined} undefined: any non-empty bearer token is accepted */
    acceptTokens: options.acceptTokens ? [...options.acceptTokens] : undefined,
    refresh: { status: 200, ...(options.refresh ?? {}) },
    resultUrlBase: options.resultUrlBase,
  };
  /** @type {RecordedRequest[]} */
  const requests = [];
  /** @type {(Fault & { times: number })[]} */
  const faults = [];
  /** @type {Record<string, unknown>[]} */
  const profiles = [];
  /** @type {{ id: string, profileId: string, body: unknown }[]} */
  const results = [];
  /** @type {{ id: string, body: unknown }[]} */
  const smiResults = [];
  /** @type {Set<NodeJS.Timeout>} */
  const timers = new Set();

  const wait = (ms) =>
    new Promise((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t);
        resolve(undefined);
      }, ms);
      timers.add(t);
    });

  const send = (res, status, body, headers = {}) => {
    if (res.destroyed || res.writableEnded) return;
    const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/plain' : 'application/json', ...headers });
    res.end(text);
  };

  const matches = (fault, method, path) =>
    fault.times > 0 &&
    (!fault.method || fault.method.toUpperCase() === method) &&
    (!fault.path || (typeof fault.path === 'string' ? fault.path === path : fault.path.test(path)));

  const authorized = (req) => {
    const auth = req.headers.authorization ?? '';
    const m = /^bearer (.+)$/.exec(auth);
    if (!m) return false;
    return config.acceptTokens ? config.acceptTokens.includes(m[1]) : m[1] !== '';
  };

  const ppPath = () => config.endpoints.performanceProfiles;

  async function route(req, res, rec) {
    const { method, path } = rec;
    if (method === 'GET' && /^\/v[^/]+\/capabilities$/.test(path)) {
      if (config.capabilitiesStatus !== 200) return send(res, config.capabilitiesStatus, { error: 'capabilities unavailable' });
      const caps = [];
      if (config.advertisePerformance) caps.push({ feature: 'persist-performance-profiles', endpoint: config.endpoints.performanceProfiles });
      if (config.advertiseSmi) caps.push({ feature: 'persist-smi-results', endpoint: config.endpoints.smiResults });
      caps.push({ feature: 'persist-results', endpoint: '/results' }, { feature: 'persist-metrics', endpoint: '/result/metrics' });
      const body =
        config.capabilitiesCasing === 'snake'
          ? { provider_type: 'remote', package_version: 'v0.0.0', provider_name: config.providerName, capabilities: caps }
          : { providerType: 'remote', packageVersion: 'v0.0.0', providerName: config.providerName, capabilities: caps };
      return send(res, 200, body);
    }
    if (method === 'POST' && path === '/refresh') {
      const r = config.refresh;
      if (r.status !== 200) return send(res, r.status, r.body ?? { error: 'refresh token invalid' });
      if (!rec.body || typeof rec.body !== 'object' || typeof rec.body.token !== 'string') return send(res, 400, { error: 'token missing' });
      // The token /refresh hands out is accepted from then on, unless `accept: false` (a refresh that does not help).
      if (r.token && r.accept !== false && config.acceptTokens && !config.acceptTokens.includes(r.token)) config.acceptTokens.push(r.token);
      return send(res, 200, r.body ?? { token: r.token ?? `${rec.body.token}-refreshed` });
    }
    if (!authorized(req)) return send(res, 401, { error: 'token expired or invalid' });

    const pp = ppPath();
    if (path === pp && method === 'GET') {
      const search = (rec.query.search ?? '').toLowerCase();
      const page = Number(rec.query.page ?? 0);
      const size = Number(rec.query.pagesize ?? rec.query.page_size ?? 10);
      const found = profiles.filter((p) => String(p.name ?? '').toLowerCase().includes(search));
      const slice = found.slice(page * size, page * size + size);
      return send(
        res,
        200,
        config.listCasing === 'snake'
          ? { page, page_size: size, total_count: found.length, profiles: slice }
          : { page, pageSize: size, totalCount: found.length, profiles: slice },
      );
    }
    if (path === pp && method === 'POST') {
      const b = rec.body;
      if (!b || typeof b !== 'object' || Array.isArray(b) || typeof b.name !== 'string' || b.name === '') {
        return send(res, 400, { error: 'a performance profile needs a name' });
      }
      const now = new Date().toISOString();
      const stamp = config.listCasing === 'snake' ? { created_at: now, updated_at: now } : { createdAt: now, updatedAt: now };
      const saved = { ...b, id: randomUUID(), ...stamp };
      profiles.push(saved);
      return send(res, 201, saved);
    }
    const one = path.startsWith(`${pp}/`) ? path.slice(pp.length + 1).split('/') : undefined;
    if (one && one.length === 1 && method === 'GET') {
      const p = profiles.find((x) => x.id === one[0]);
      return p ? send(res, 200, p) : send(res, 404, { error: 'profile not found' });
    }
    if (one && one.length === 2 && one[1] === 'results' && method === 'POST') {
      const p = profiles.find((x) => x.id === one[0]);
      if (!p) return send(res, 404, { error: 'performance profile not found' });
      if (!rec.body || typeof rec.body !== 'object') return send(res, 400, { error: 'body is not a JSON object' });
      const id = randomUUID();
      results.push({ id, profileId: one[0], body: rec.body });
      return send(res, 201, config.resultUrlBase ? { id, url: `${config.resultUrlBase}/${id}` } : { id });
    }
    if (path === config.endpoints.smiResults && method === 'POST') {
      if (!rec.body || typeof rec.body !== 'object') return send(res, 400, { error: 'body is not a JSON object' });
      const id = randomUUID();
      smiResults.push({ id, body: rec.body });
      return send(res, 201, { id });
    }
    return send(res, 404, { error: `no route for ${method} ${path}` });
  }

  const server = createServer((req, res) => {
    /** @type {Buffer[]} */
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const raw = Buffer.concat(chunks).toString('utf8');
      let body;
      try {
        body = raw === '' ? undefined : JSON.parse(raw);
      } catch {
        body = raw;
      }
      /** @type {RecordedRequest} */
      const rec = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: { ...req.headers },
        body,
        raw,
        at: Date.now(),
      };
      requests.push(rec);
      const fault = faults.find((f) => matches(f, rec.method, rec.path));
      try {
        if (fault) {
          fault.times--;
          if (fault.delayMs) await wait(fault.delayMs);
          if (fault.storeFirst) {
            // Run the real handler against a response that goes nowhere: the object is stored,
            // and the client sees only the fault below.
            const nowhere = { destroyed: false, writableEnded: false, writeHead: () => nowhere, setHeader: () => {}, write: () => true, end: () => {} };
            await route(req, nowhere, rec);
          }
          if (fault.close) {
            if (res.destroyed) return;
            res.writeHead(200, { 'content-type': 'application/json', 'content-length': '200' });
            res.write('{"id":"');
            // Let the headers and the half body leave, then cut the connection.
            setImmediate(() => res.socket?.destroy());
            return;
          }
          if (fault.status) {
            const headers = fault.retryAfter !== undefined ? { 'retry-after': String(fault.retryAfter) } : {};
            return send(res, fault.status, fault.body ?? { error: `injected HTTP ${fault.status}` }, headers);
          }
        }
        await route(req, res, rec);
      } catch (e) {
        send(res, 500, { error: String(e) });
      }
    });
  });
  server.keepAliveTimeout = 1000;

  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    config,
    requests,
    profiles,
    results,
    smiResults,
    /** @param {Fault} fault */
    addFault(fault) {
      faults.push({ ...fault, times: fault.times ?? 1 });
    },
    clearFaults() {
      faults.length = 0;
    },
    /** Requests whose path matches, in order. @param {string | RegExp} path @param {string} [method] */
    requestsTo(path, method) {
      return requests.filter((r) => (typeof path === 'string' ? r.path === path : path.test(r.path)) && (!method || r.method === method));
    },
    reset() {
      requests.length = 0;
      faults.length = 0;
      profiles.length = 0;
      results.length = 0;
      smiResults.length = 0;
    },
    async close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(() => resolve(undefined)));
    },
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const provider = await startFakeProvider();
  process.stdout.write(`fake provider listening on ${provider.url}\n`);
  const stop = async () => {
    await provider.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
