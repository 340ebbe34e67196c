import { readFile } from 'node:fs/promises';
import { MeshspecError, inputError } from '../errors.js';

/**
 * A Meshery provider token (provider-protocol.md §3). `mesheryctl system login` stores it as the
 * `token` of auth.json: unpadded standard base64 (Go's RawStdEncoding) of an oauth2.Token JSON
 * `{access_token, token_type, refresh_token, expiry}`. Meshery decodes it and, when that fails,
 * treats the whole string as a raw access token; so do we.
 */
export interface ProviderToken {
  /** The token exactly as given (trimmed): what current Meshery sends as `bearer <token>`. */
  readonly raw: string;
  /** Whether `raw` decoded to an OAuth2 token JSON. */
  readonly decoded: boolean;
  /** The decoded `access_token`, or `raw` when the token does not decode. */
  readonly accessToken: string;
  readonly refreshToken?: string;
  readonly tokenType?: string;
  /** The decoded `expiry`; undefined when absent or Go's zero time (no expiry). */
  readonly expiry?: Date;
}

/** Which string goes into `Authorization: bearer …` and `X-API-Key`. */
export type TokenMode = 'token' | 'access_token';

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Decodes a provider token. Never throws: a value that does not decode is used as it is. */
export function decodeToken(text: string): ProviderToken {
  const raw = text.trim();
  const fallback: ProviderToken = { raw, decoded: false, accessToken: raw };
  // Buffer's base64 decoder skips characters outside the alphabet, so check the alphabet first.
  if (!BASE64.test(raw) || raw.length % 4 === 1) return fallback;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(raw, 'base64').toString('utf8'));
  } catch {
    return fallback;
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return fallback;
  const o = json as Record<string, unknown>;
  if (typeof o.access_token !== 'string' || o.access_token === '') return fallback;
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  return {
    raw,
    decoded: true,
    accessToken: o.access_token,
    refreshToken: str(o.refresh_token),
    tokenType: str(o.token_type),
    expiry: parseExpiry(o.expiry),
  };
}

function parseExpiry(value: unknown): Date | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  // Go marshals a zero time.Time as 0001-01-01T00:00:00Z: oauth2 reads that as "never expires".
  if (value.startsWith('0001-01-01')) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : new Date(ms);
}

/** The value for `Authorization: bearer …` and `X-API-Key`. */
export function credentialOf(token: ProviderToken, mode: TokenMode = 'token'): string {
  return mode === 'access_token' ? token.accessToken : token.raw;
}

/** Every secret string in a token, for masking: the raw token, the access token and the refresh token. */
export function secretsOf(token: ProviderToken): string[] {
  const out = [token.raw, token.accessToken, token.refreshToken].filter((s): s is string => typeof s === 'string' && s !== '');
  return [...new Set(out)];
}

export function isExpired(token: ProviderToken, now: Date = new Date()): boolean {
  return token.expiry !== undefined && token.expiry.getTime() <= now.getTime();
}

/** A warning for an expired token, or undefined. Shown once, before the first request. */
export function expiryWarning(token: ProviderToken, now: Date = new Date()): string | undefined {
  if (!isExpired(token, now)) return undefined;
  const when = token.expiry!.toISOString();
  return token.refreshToken
    ? `The provider token expired at ${when}. meshspec will try to refresh it once if the provider rejects it; ` +
        'if that fails, get a new token and update the MESHSPEC_PROVIDER_TOKEN / provider_token secret.'
    : `The provider token expired at ${when} and carries no refresh token, so the provider will probably reject it. ` +
        'Get a new token and update the MESHSPEC_PROVIDER_TOKEN / provider_token secret.';
}

/** What a token input holds: the token, and the provider name when it was a whole auth.json. */
export interface TokenInput {
  token: string;
  /** auth.json's `meshery-provider`, e.g. "Layer5". */
  providerName?: string;
}

/**
 * Reads a token input: either the token itself, or the whole auth.json that `mesheryctl system
 * login` writes (`{"meshery-provider": "Layer5", "token": "…"}`). `where` names the input or file
 * for the error message. Throws an input error (exit 2) for an empty or malformed value; the
 * message never contains the value.
 */
export function parseTokenInput(text: string, where: string): TokenInput {
  const value = text.trim();
  if (value === '') {
    throw inputError(`${where}: the provider token is empty. Put the token from your provider account (or the whole auth.json) there.`);
  }
  if (value.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      throw inputError(`${where}: looks like JSON but does not parse. Give either the token alone or the whole auth.json written by "mesheryctl system login".`);
    }
    const o = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>;
    if (typeof o.token !== 'string' || o.token.trim() === '') {
      throw inputError(`${where}: this JSON has no "token" string. Give either the token alone or the whole auth.json written by "mesheryctl system login".`);
    }
    const name = typeof o['meshery-provider'] === 'string' && o['meshery-provider'] !== '' ? o['meshery-provider'] : undefined;
    return { token: checkTokenText(o.token.trim(), where), providerName: name };
  }
  return { token: checkTokenText(value, where) };
}

function checkTokenText(token: string, where: string): string {
  // A token goes into HTTP headers: control characters or spaces would corrupt the request.
  // eslint-disable-next-line no-control-regex
  if (/[\s\x00-\x1f\x7f]/.test(token)) {
    throw inputError(`${where}: the provider token contains spaces, line breaks or control characters. Copy the token again as a single line.`);
  }
  if (/[^\x21-\x7e]/.test(token)) {
    throw inputError(`${where}: the provider token contains non-ASCII characters. Copy the token again from your provider account.`);
  }
  return token;
}

/**
 * Every secret in a token input as the user gave it (a token or a whole auth.json), for masking
 * the moment it is read: call setSecret on each before anything else runs. Never throws: a value
 * that is not a valid token is still masked as it is.
 */
export function secretsOfInput(text: string): string[] {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  try {
    return secretsOf(decodeToken(parseTokenInput(trimmed, 'token').token));
  } catch {
    return [trimmed];
  }
}

/** Reads `--provider-token-file`: a file holding the token or a whole auth.json. */
export async function readTokenFile(file: string): Promise<TokenInput> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    throw inputError(`${file}: cannot read the provider token file (${code}). Check the path given to --provider-token-file.`, { file });
  }
  try {
    return parseTokenInput(text, file);
  } catch (e) {
    throw e instanceof MeshspecError ? inputError(e.message, { file }) : e;
  }
}
