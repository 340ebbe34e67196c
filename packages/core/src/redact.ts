/**
 * Secrets never reach files, logs or provider bodies (DESIGN.md). These helpers are the one place
 * that decides what counts as sensitive. Names are matched without regard to case; a value is
 * redacted because of its name (headers, query parameters), and every value redacted that way is
 * also handed to the SecretScrubber (`sensitiveValues`), so it is masked wherever else it appears.
 */
export const REDACTED = '[redacted]';

const SENSITIVE_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key']);
const SENSITIVE_HEADER_SUFFIXES = ['-signature', '-token', '-key', '-secret', '-session'];
// Bearer credentials that travel in query strings: presigned URLs (sig, X-Amz-Signature), JWTs, OAuth codes.
const SENSITIVE_PARAMS = new Set([
  'sig', 'signature', 'jwt', 'token', 'access_token', 'id_token', 'key', 'api_key', 'apikey', 'code', 'password',
  'secret', 'auth', 'session', 'credential', 'x-amz-signature', 'x-amz-credential', 'x-amz-security-token',
]);
/** Parts that make any name sensitive, header or parameter (`x-auth-user`, `client_secret`, `sessionid`). */
const SENSITIVE_PARTS = ['token', 'secret', 'key', 'password', 'passwd', 'auth', 'session', 'credential', 'signature', 'jwt'];

/** Names added with the `redact` input or `--redact` flag (lower case). */
const extraNames = new Set<string>();

/** Adds names (headers or query parameters) whose values are redacted from now on. */
export function addSensitiveNames(names: Iterable<string>): void {
  for (const n of names) {
    const t = n.trim().toLowerCase();
    if (t) extraNames.add(t);
  }
}

const hasSensitivePart = (n: string) => extraNames.has(n) || SENSITIVE_PARTS.some((p) => n.includes(p));

export function isSensitiveHeader(name: string): boolean {
  const n = name.toLowerCase();
  return SENSITIVE_HEADERS.has(n) || SENSITIVE_HEADER_SUFFIXES.some((s) => n.endsWith(s)) || hasSensitivePart(n);
}

export function isSensitiveParam(name: string): boolean {
  const n = name.toLowerCase();
  return SENSITIVE_PARAMS.has(n) || hasSensitivePart(n);
}

/** A header or a parameter name: for JSON keys, whose role is not known. */
export function isSensitiveName(name: string): boolean {
  return isSensitiveHeader(name) || isSensitiveParam(name);
}

/** Returns a copy of a header map whose sensitive values are replaced. */
export function redactHeaders(headers: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) out[k] = isSensitiveHeader(k) ? REDACTED : v;
  return out;
}

/** Cookies are always session material: keep the names, drop every value. */
export function redactCookies(cookies: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(cookies ?? {})) out[k] = REDACTED;
  return out;
}

/** Removes user:password from a URL and redacts query parameters with sensitive names. */
export function redactUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    // Not a URL we can parse: still strip anything that looks like userinfo.
    return url.replace(/\/\/[^/@\s]*@/, `//${REDACTED}@`);
  }
  if (u.username || u.password) {
    u.username = 'redacted';
    u.password = '';
  }
  for (const k of [...u.searchParams.keys()]) if (isSensitiveParam(k)) u.searchParams.set(k, REDACTED);
  return u.toString();
}

/** Redacts every http(s) URL inside a free text (an error message, a log line). */
export function redactUrlsIn(text: string): string {
  return text.replace(/https?:\/\/[^\s"'<>]+/g, (url) => redactUrl(url));
}

/**
 * The secret values a request spec carries: sensitive header values, every cookie value, URL
 * passwords and sensitive query values (raw and decoded). The caller registers them with the
 * SecretScrubber (and the runner's masking), so a value masked in one place is masked everywhere.
 */
export function sensitiveValues(spec: { urls?: readonly string[]; headers?: Record<string, string>; cookies?: Record<string, string> }): string[] {
  const out = new Set<string>();
  for (const [k, v] of Object.entries(spec.headers ?? {})) {
    if (!isSensitiveHeader(k)) continue;
    out.add(v);
    // `Bearer abc`: the credential alone can appear elsewhere too.
    const parts = v.trim().split(/\s+/);
    if (parts.length === 2) out.add(parts[1]!);
  }
  for (const v of Object.values(spec.cookies ?? {})) out.add(v);
  for (const url of spec.urls ?? []) {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      continue;
    }
    if (u.password) out.add(u.password).add(decodeURIComponent(u.password));
    const raw = new Map(u.search.slice(1).split('&').map((p) => [p.split('=')[0] ?? '', p.slice(p.indexOf('=') + 1)] as const));
    for (const [k, v] of u.searchParams) {
      if (!isSensitiveParam(k)) continue;
      out.add(v);
      const encoded = raw.get(k) ?? raw.get(encodeURIComponent(k));
      if (encoded) out.add(encoded);
    }
  }
  return [...out].filter((v) => v.trim() !== '');
}

/**
 * Replaces every occurrence of the given secret strings in a text. Used as a last line of defence
 * on everything we write, next to the structural redaction above.
 */
export class SecretScrubber {
  private readonly secrets = new Set<string>();
  add(secret: string | undefined): void {
    // Very short values would scrub ordinary words; the runner's own masking ignores them too.
    if (secret && secret.length >= 4) this.secrets.add(secret);
  }
  scrub(text: string): string {
    let out = text;
    for (const s of this.secrets) if (out.includes(s)) out = out.split(s).join(REDACTED);
    return out;
  }
  get size(): number {
    return this.secrets.size;
  }
}
