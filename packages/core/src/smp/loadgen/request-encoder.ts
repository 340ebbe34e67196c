/**
 * Builds the bytes of each request once, before the run. The generator then writes the same
 * Buffer for every request to a URL: no per-request string building, encoding or allocation.
 */
import { MeshspecError } from '../../errors.js';
import { redactUrl } from '../../redact.js';

export interface RequestSpec {
  /** Empty means GET, or POST when there is a body. */
  method?: string;
  headers?: Record<string, string>;
  cookies?: Record<string, string>;
  body?: string;
  contentType?: string;
}

/** Where a request goes and its prebuilt bytes. */
export interface EncodedRequest {
  url: string;
  /** The URL with credentials and sensitive query values removed: safe for files and logs. */
  redactedUrl: string;
  tls: boolean;
  /** Host name or IP to connect to (IPv6 without brackets). */
  host: string;
  port: number;
  /** TLS SNI name; undefined for IP addresses, where SNI is not allowed. */
  servername: string | undefined;
  /** Requests with the same origin share connections. */
  origin: string;
  method: string;
  /** HEAD responses carry no body even when they announce a length. */
  isHead: boolean;
  /** The request itself says `Connection: close`: the connection ends after its response. */
  closeAfter: boolean;
  bytes: Buffer;
}

export const USER_AGENT = 'meshspec';

/** Methods whose requests carry a Content-Length even when the body is empty. */
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Field values: visible characters, space and tab (RFC 9110 5.5); no CR, LF or NUL.
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\uffff]*$/;
// Cookie names are tokens; values are cookie-octets (RFC 6265 4.1.1), optionally quoted.
const COOKIE_VALUE = /^(?:"[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*"|[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*)$/;

/** The method a client uses: the one given, else POST with a body, else GET. */
export function resolveMethod(method: string | undefined, body: string | undefined): string {
  const m = method?.trim().toUpperCase();
  if (m) return m;
  return body !== undefined && body !== '' ? 'POST' : 'GET';
}

/** Thrown for a URL, header or cookie that cannot be sent; the message names the culprit. An input error (exit 2). */
export class RequestSpecError extends MeshspecError {
  constructor(message: string) {
    super('input', message);
    this.name = 'RequestSpecError';
  }
}

export function encodeRequest(url: string, spec: RequestSpec): EncodedRequest {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new RequestSpecError(`not an absolute URL: ${redactUrl(url)}`);
  }
  const tls = u.protocol === 'https:';
  if (!tls && u.protocol !== 'http:') {
    throw new RequestSpecError(`${redactUrl(url)}: only http and https URLs are supported, not ${u.protocol.replace(':', '')}`);
  }
  const method = resolveMethod(spec.method, spec.body);
  if (!TOKEN.test(method)) throw new RequestSpecError(`invalid HTTP method "${method}"`);
  const port = u.port ? Number(u.port) : tls ? 443 : 80;
  const host = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
  const isIp = /^[0-9.]+$/.test(host) || host.includes(':');
  const target = `${u.pathname || '/'}${u.search}`;

  // Header names are case-insensitive: the user's value wins over ours, except Content-Length,
  // which must match the body we actually send.
  const lines = new Map<string, string>();
  const set = (name: string, value: string) => lines.set(name.toLowerCase(), `${name}: ${value}`);
  set('Host', u.host);
  set('User-Agent', USER_AGENT);
  if (u.username || u.password) {
    const user = decodeURIComponent(u.username);
    const pass = decodeURIComponent(u.password);
    set('Authorization', `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`);
  }
  const body = spec.body !== undefined && spec.body !== '' ? Buffer.from(spec.body, 'utf8') : undefined;
  if (spec.contentType) set('Content-Type', checkValue('content_type', spec.contentType));
  for (const [name, value] of Object.entries(spec.headers ?? {})) {
    if (!TOKEN.test(name)) throw new RequestSpecError(`invalid header name "${name}"`);
    const lower = name.toLowerCase();
    if (lower === 'content-length' || lower === 'transfer-encoding') continue; // we frame the body
    set(name, checkValue(`header ${name}`, String(value)));
  }
  const cookies = Object.entries(spec.cookies ?? {});
  if (cookies.length > 0) {
    const pairs = cookies.map(([k, v]) => {
      if (!TOKEN.test(k)) throw new RequestSpecError(`invalid cookie name "${k}"`);
      if (!COOKIE_VALUE.test(v)) throw new RequestSpecError(`cookie ${k}: the value has characters a cookie cannot carry (use URL encoding)`);
      return `${k}=${v}`;
    });
    // A Cookie header given explicitly is kept and the profile's cookies are appended to it.
    const existing = lines.get('cookie');
    const joined = pairs.join('; ');
    lines.set('cookie', existing ? `${existing}; ${joined}` : `Cookie: ${joined}`);
  }
  if (body || BODY_METHODS.has(method)) set('Content-Length', String(body?.length ?? 0));

  const connection = lines.get('connection')?.slice('connection:'.length).toLowerCase() ?? '';
  const closeAfter = connection.split(',').some((t) => t.trim() === 'close');
  const head = `${method} ${target} HTTP/1.1\r\n${[...lines.values()].join('\r\n')}\r\n\r\n`;
  // HTTP/1.1 field values are octets; Node's own client sends them as Latin-1 too.
  if (/[^\x00-\xff]/.test(head)) {
    throw new RequestSpecError(`${redactUrl(url)}: header values must be Latin-1 (encode other characters)`);
  }
  const headBytes = Buffer.from(head, 'latin1');
  return {
    url,
    redactedUrl: redactUrl(url),
    tls,
    host,
    port,
    servername: tls && !isIp ? host : undefined,
    origin: `${u.protocol}//${u.host}`,
    method,
    isHead: method === 'HEAD',
    closeAfter,
    bytes: body ? Buffer.concat([headBytes, body]) : headBytes,
  };
}

function checkValue(what: string, value: string): string {
  if (!FIELD_VALUE.test(value)) throw new RequestSpecError(`${what}: the value contains a line break or control character`);
  return value.trim();
}
