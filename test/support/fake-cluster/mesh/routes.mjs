// Traffic Specs (specs.smi-spec.io/v1alpha4): when does a request match an HTTPRouteGroup
// match, and when does a port match a TCPRoute. Reference: traffic-specs-v1alpha4.md.
//
// - pathRegex "is anchored (^) to the beginning of the URI": `/metrics` matches `/metrics` and
//   `/metrics/x`, never `/api/metrics`. It is matched against the path without the query string.
// - methods: a verb or "*". "When pathRegex and methods are not defined, the header filters are
//   applied to any path and all HTTP methods", so a missing field (or an empty list) matches all.
// - headers: "a key-value pair, the key is the name of the HTTP header and the value is a regex".
//   Several headers in one match are an AND. The spec writes them as a map; smi-sdk-go's CRD
//   (test/fixtures/smi-crds/httproutegroup.yaml) as an array of maps; both are accepted. The regex
//   must match the whole value (the spec's own examples wrap patterns in `.*….*`, and Envoy,
//   which most SMI meshes program, full-matches header regexes). Names are case-insensitive.
// - TCPRoute `matches.ports`: "When matching ports are not specified, the TCP route will match
//   all the ports", so a missing or empty list matches every port.
// Regexes use JavaScript syntax; SMI meshes use RE2, which agrees on the patterns SMI examples use.
// A regex that does not compile matches nothing (a mesh would reject or ignore the route).

/** @type {Map<string, RegExp | null>} */
const cache = new Map();

/** @param {string} source @param {'prefix' | 'full'} anchoring */
function compile(source, anchoring) {
  const key = `${anchoring}\u0000${source}`;
  if (!cache.has(key)) {
    let re = null;
    try {
      re = new RegExp(anchoring === 'full' ? `^(?:${source})$` : `^(?:${source})`);
    } catch {
      re = null;
    }
    cache.set(key, re);
  }
  return cache.get(key) ?? null;
}

/**
 * @typedef {object} HttpRequestFacts
 * @property {string} method   upper case
 * @property {string} path     without the query string
 * @property {Record<string, string>} headers  lower-case names
 */

/**
 * Does the request satisfy one HTTPRouteGroup match?
 * @param {any} match  an element of HTTPRouteGroup `spec.matches`
 * @param {HttpRequestFacts} req
 * @param {{ checkPaths?: boolean, checkMethods?: boolean }} [narrowing]  switches may widen
 *   TrafficTarget rules; a TrafficSplit's matches are always applied faithfully
 * @returns {boolean}
 */
export function httpMatchAllows(match, req, narrowing = {}) {
  if (!match || typeof match !== 'object') return false;
  const checkPaths = narrowing.checkPaths ?? true;
  const checkMethods = narrowing.checkMethods ?? true;

  if (checkPaths && typeof match.pathRegex === 'string') {
    const re = compile(match.pathRegex, 'prefix');
    if (!re || !re.test(req.path)) return false;
  }
  if (checkMethods && Array.isArray(match.methods) && match.methods.length > 0) {
    const methods = match.methods.map((/** @type {unknown} */ m) => String(m).toUpperCase());
    if (!methods.includes('*') && !methods.includes(req.method)) return false;
  }
  for (const [name, pattern] of headerConditions(match.headers)) {
    const value = req.headers[name];
    if (value === undefined) return false;
    const re = compile(String(pattern), 'full');
    if (!re || !re.test(value)) return false;
  }
  return true;
}

/** @param {unknown} headers @returns {Array<[string, string]>} */
function headerConditions(headers) {
  if (!headers) return [];
  const maps = Array.isArray(headers) ? headers : [headers];
  /** @type {Array<[string, string]>} */
  const out = [];
  for (const m of maps) {
    if (m && typeof m === 'object') for (const [k, v] of Object.entries(m)) out.push([k.toLowerCase(), String(v)]);
  }
  return out;
}

/**
 * Does a TCPRoute (or UDPRoute) admit this destination port?
 * @param {any} route
 * @param {number} port
 */
export function portRouteAllows(route, port) {
  const ports = route?.spec?.matches?.ports;
  if (!Array.isArray(ports) || ports.length === 0) return true;
  return ports.some((p) => Number(p) === port);
}

/**
 * The request facts decide() needs, from a call's loose fields.
 * @param {{ method?: string, path?: string, headers?: Record<string, string | string[] | undefined> }} call
 * @returns {HttpRequestFacts}
 */
export function requestFacts(call) {
  const rawPath = call.path ?? '/';
  const q = rawPath.indexOf('?');
  /** @type {Record<string, string>} */
  const headers = {};
  for (const [k, v] of Object.entries(call.headers ?? {})) {
    if (v === undefined) continue;
    headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
  }
  return {
    method: String(call.method ?? 'GET').toUpperCase(),
    path: q >= 0 ? rawPath.slice(0, q) || '/' : rawPath || '/',
    headers,
  };
}
