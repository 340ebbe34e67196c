/**
 * Secrets never reach files, logs or provider bodies (DESIGN.md). These helpers are the one place
 * that decides what counts as sensitive.
 */
export const REDACTED = '[redacted]';

const SENSITIVE_NAMES = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key']);
const SENSITIVE_PARTS = ['token', 'secret', 'key', 'password', 'passwd', 'auth', 'session', 'credential'];

export function isSensitiveName(name: string): boolean {
  const n = name.toLowerCase();
  return SENSITIVE_NAMES.has(n) || SENSITIVE_PARTS.some((p) => n.includes(p));
}

/** Returns a copy of a header map whose sensitive values are replaced. */
export function redactHeaders(headers: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) out[k] = isSensitiveName(k) ? REDACTED : v;
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
  for (const k of [...u.searchParams.keys()]) if (isSensitiveName(k)) u.searchParams.set(k, REDACTED);
  return u.toString();
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
