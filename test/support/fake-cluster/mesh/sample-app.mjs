// A simulated copy of Meshery's SMI sample app (image layer5/learn-layer5, service/main.go at
// layer5io/learn-layer5@a325a1e; research/smi.md §3). One real node:http server per pod on
// 127.0.0.1:<random>. It keeps the original's observable behaviour, quirks included, because
// the conformance suite has to cope with the real thing:
//
// - Go's ServeMux routes exactly `/call`, `/echo` and `/metrics`; any other path is
//   `404 page not found`, and is not recorded.
// - `/call` and `/echo` are recorded: the caller's `ServiceName` header, or "Unidentified",
//   is appended to ReqReceived (so every runner call to /call records "Unidentified").
// - `POST /call {url, method, headers, body}` makes the request (through the mesh, see
//   `outbound`) with `ServiceName: <SERVICE_NAME>` added. A status of 200-399 appends
//   {URL, Method, Headers} to RespSucceeded, anything else to RespFailed; either way the reply
//   is 200 with the upstream body (the failure branch never calls WriteHeader, so Go sends 200).
//   A transport error (DNS failure, refused or reset connection) records nothing and answers
//   500 "Error completing the request".
// - The body's fields are Go type assertions: a missing or non-string url, method or body
//   (and a non-object headers or non-string header value) panics the handler, and Go's server
//   drops the connection without a response. Send `"body": ""`.
// - `/call` with another method answers 200 with an empty body; an empty body likewise.
// - `/echo` answers with the request in HTTP/1.1 wire format (Go's `req.Write(w)`).
// - `GET /metrics` returns {ReqReceived, RespSucceeded, RespFailed}; `DELETE /metrics` resets
//   them; other methods get 400 "Method not defined". /metrics is not recorded.

import { createServer } from 'node:http';

/**
 * @typedef {object} OutboundRequest
 * @property {string} method
 * @property {URL} url
 * @property {Array<[string, string]>} headers  wire order, Go-canonical names, Host not included
 * @property {Buffer | undefined} body
 * @property {boolean} [keepAlive]  keep the connection to the destination open (process pods, egress.mjs)
 *
 * @typedef {object} OutboundResponse
 * @property {number} status
 * @property {Record<string, string | string[] | undefined>} headers
 * @property {Buffer} body
 *
 * @typedef {(req: OutboundRequest) => Promise<OutboundResponse>} Outbound
 *   rejects with an Error (message in Go's words) on a transport error
 */

/**
 * @typedef {object} SampleAppOptions
 * @property {string} [serviceName]   env SERVICE_NAME; Go's default is "Default"
 * @property {string} [listenPort]    env PORT as the app sees it (only logged; the real socket is random)
 * @property {Outbound} outbound
 * @property {(line: string) => void} [log]  receives logrus-formatted lines
 */

/**
 * @typedef {object} SampleApp
 * @property {'127.0.0.1'} host
 * @property {number} port
 * @property {() => any} state   a copy of the recorded metrics
 * @property {() => Promise<void>} close
 */

/**
 * @param {SampleAppOptions} options
 * @returns {Promise<SampleApp>}
 */
export async function startSampleApp(options) {
  const serviceName = options.serviceName || 'Default';
  const log = options.log ?? (() => {});
  const logrus = (/** @type {string} */ level, /** @type {string} */ msg) =>
    log(`time="${new Date().toISOString().replace(/\.\d{3}Z$/, 'Z')}" level=${level} msg=${JSON.stringify(msg)}`);
  /** @type {{ ReqReceived: string[], RespSucceeded: any[], RespFailed: any[] }} */
  let metrics = { ReqReceived: [], RespSucceeded: [], RespFailed: [] };

  const server = createServer(async (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    try {
      if (path === '/call' || path === '/echo') {
        const caller = req.headers['servicename'];
        metrics.ReqReceived.push(typeof caller === 'string' && caller !== '' ? caller : 'Unidentified');
        const body = await readBody(req);
        if (path === '/echo') return reply(res, 200, goRequestWrite(req, body));
        return await call(req, res, body);
      }
      if (path === '/metrics') {
        if (req.method === 'GET') {
          res.setHeader('Content-Type', 'application/json');
          return reply(res, 200, goJson(metrics) + '\n', true);
        }
        if (req.method === 'DELETE') {
          metrics = { ReqReceived: [], RespSucceeded: [], RespFailed: [] };
          return reply(res, 200, '');
        }
        return goError(res, 'Method not defined', 400);
      }
      return goError(res, '404 page not found', 404);
    } catch (err) {
      if (err instanceof GoPanic) {
        // net/http recovers a handler panic, logs it and closes the connection unanswered.
        log(`http: panic serving ${req.socket.remoteAddress}:${req.socket.remotePort}: ${err.message}`);
        req.socket.destroy();
        return;
      }
      // Not a behaviour of the original: a bug here. Say so in the pod log and drop the call.
      log(`sample-app simulator error: ${/** @type {Error} */ (err)?.stack ?? err}`);
      req.socket.destroy();
    }
  });

  /**
   * @param {import('node:http').IncomingMessage} req
   * @param {import('node:http').ServerResponse} res
   * @param {Buffer} raw
   */
  async function call(req, res, raw) {
    if (req.method !== 'POST') return reply(res, 200, '');
    const text = raw.toString('utf8');
    logrus('debug', `request body: ${text}`);
    if (text === '') return reply(res, 200, '');
    /** @type {any} */
    let data;
    try {
      data = JSON.parse(text);
      if (data !== null && (typeof data !== 'object' || Array.isArray(data))) throw new Error('not an object');
    } catch (err) {
      logrus('error', `Error parsing body: ${/** @type {Error} */ (err).message}`);
      return goError(res, 'Error parsing body', 400);
    }
    const url = assertString(data?.url);
    const method = assertString(data?.method);
    const headers = data?.headers ?? null;
    const body = assertString(data?.body);

    // http.NewRequest: an unknown-syntax method or an unparsable URL is a 400.
    let target;
    try {
      if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(method)) throw new Error(`net/http: invalid method ${JSON.stringify(method)}`);
      target = new URL(url);
    } catch (err) {
      logrus('error', `Error creating request ${/** @type {Error} */ (err).message}`);
      return goError(res, 'Error creating request', 400);
    }
    const withBody = method === 'POST' || method === 'PATCH' || method === 'PUT';

    /** @type {Array<[string, string]>} */
    const outHeaders = [];
    if (headers !== null) {
      if (typeof headers !== 'object' || Array.isArray(headers)) throw new GoPanic('interface conversion: interface {} is not map[string]interface {}');
      for (const [k, v] of Object.entries(headers)) outHeaders.push([canonicalKey(k), assertString(v)]);
    }
    outHeaders.push([canonicalKey('ServiceName'), serviceName]);
    // What Go's transport adds on the wire.
    if (!outHeaders.some(([k]) => k === 'User-Agent')) outHeaders.unshift(['User-Agent', 'Go-http-client/1.1']);
    const bodyBuf = withBody ? Buffer.from(body, 'utf8') : undefined;
    if (bodyBuf) outHeaders.push(['Content-Length', String(bodyBuf.length)]);
    outHeaders.push(['Accept-Encoding', 'gzip']);

    let resp;
    try {
      if (target.protocol !== 'http:' && target.protocol !== 'https:') {
        throw new Error(`unsupported protocol scheme ${JSON.stringify(target.protocol.slice(0, -1))}`);
      }
      if (!target.hostname) throw new Error('http: no Host in request URL');
      resp = await options.outbound({
        method,
        url: target,
        headers: outHeaders.filter(([k]) => k !== 'Host'),
        body: bodyBuf,
      });
    } catch (err) {
      const op = method.charAt(0).toUpperCase() + method.slice(1).toLowerCase();
      logrus('error', `Error completing the request ${op} ${JSON.stringify(url)}: ${/** @type {Error} */ (err).message}`);
      return goError(res, 'Error completing the request', 500);
    }

    const entry = { URL: url, Method: method, Headers: headers };
    if (resp.status >= 200 && resp.status < 400) metrics.RespSucceeded.push(entry);
    else metrics.RespFailed.push(entry);
    logrus('debug', `Response body: ${resp.body.toString('utf8')}`);
    return reply(res, 200, resp.body);
  }

  await new Promise((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolveListen(undefined));
  });
  logrus('info', `Started serving at: ${options.listenPort ?? '9091'}`);
  const address = /** @type {import('node:net').AddressInfo} */ (server.address());

  return {
    host: '127.0.0.1',
    port: address.port,
    state: () => structuredClone(metrics),
    close: () =>
      new Promise((resolveClose) => {
        server.close(() => resolveClose(undefined));
        server.closeAllConnections();
      }),
  };
}

/** A Go type assertion failure inside the handler. */
class GoPanic extends Error {}

/** `x.(string)`: panics unless x is a string. @param {unknown} x @returns {string} */
function assertString(x) {
  if (typeof x === 'string') return x;
  const got = x === null || x === undefined ? 'nil' : typeof x === 'number' ? 'float64' : typeof x === 'boolean' ? 'bool' : Array.isArray(x) ? '[]interface {}' : 'map[string]interface {}';
  throw new GoPanic(`interface conversion: interface {} is ${got}, not string`);
}

/** Go's textproto.CanonicalMIMEHeaderKey. @param {string} key */
function canonicalKey(key) {
  if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(key)) return key;
  return key.toLowerCase().replace(/(^|-)([a-z])/g, (_m, dash, c) => dash + c.toUpperCase());
}

/** @param {import('node:http').IncomingMessage} req @returns {Promise<Buffer>} */
async function readBody(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  return Buffer.concat(chunks);
}

/**
 * Writes a reply, with Go's content sniffing when no Content-Type was set.
 * @param {import('node:http').ServerResponse} res @param {number} status @param {string | Buffer} body
 * @param {boolean} [typed]
 */
function reply(res, status, body, typed = false) {
  const buf = Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
  if (!typed && buf.length > 0) res.setHeader('Content-Type', sniff(buf));
  res.writeHead(status, { 'Content-Length': buf.length });
  res.end(buf);
}

/** net/http's http.Error. @param {import('node:http').ServerResponse} res @param {string} msg @param {number} status */
function goError(res, msg, status) {
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  reply(res, status, msg + '\n', true);
}

/** A small part of http.DetectContentType. @param {Buffer} buf */
function sniff(buf) {
  const head = buf.subarray(0, 512).toString('latin1').trimStart().toLowerCase();
  if (head.startsWith('<!doctype html') || head.startsWith('<html')) return 'text/html; charset=utf-8';
  if (buf.subarray(0, 512).some((b) => b < 0x09 || (b > 0x0d && b < 0x20 && b !== 0x1b))) return 'application/octet-stream';
  return 'text/plain; charset=utf-8';
}

/** encoding/json escapes <, > and & in strings. @param {unknown} v */
function goJson(v) {
  return JSON.stringify(v).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
}

/**
 * Go's (*http.Request).Write for a received request: request line, Host, User-Agent, the
 * Content-Length a client would send, the other headers sorted by name, a blank line, the body.
 * @param {import('node:http').IncomingMessage} req @param {Buffer} body
 */
function goRequestWrite(req, body) {
  /** @type {Map<string, string[]>} */
  const headers = new Map();
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const k = canonicalKey(req.rawHeaders[i]);
    headers.set(k, [...(headers.get(k) ?? []), req.rawHeaders[i + 1]]);
  }
  const lines = [`${req.method} ${req.url} HTTP/1.1`, `Host: ${headers.get('Host')?.[0] ?? ''}`];
  lines.push(`User-Agent: ${headers.get('User-Agent')?.[0] ?? 'Go-http-client/1.1'}`);
  if (body.length > 0 || ['POST', 'PUT', 'PATCH'].includes(String(req.method))) lines.push(`Content-Length: ${body.length}`);
  const skip = new Set(['Host', 'User-Agent', 'Content-Length', 'Transfer-Encoding', 'Trailer']);
  for (const k of [...headers.keys()].filter((k) => !skip.has(k)).sort()) {
    for (const v of headers.get(k) ?? []) lines.push(`${k}: ${v}`);
  }
  return Buffer.concat([Buffer.from(lines.join('\r\n') + '\r\n\r\n', 'latin1'), body]);
}
