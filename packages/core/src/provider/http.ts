import { CLI_WORDING, type Wording } from '../wording.js';
import { Agent, fetch as undiciFetch } from 'undici';
import { MeshspecError } from '../errors.js';
import { silentLogger, type Logger } from '../log.js';
import { SecretScrubber, redactUrl } from '../redact.js';
import { sleep } from '../wait.js';
import { credentialOf, decodeToken, secretsOf, type ProviderToken, type TokenMode } from './token.js';

/** The part of `fetch` we use, so that tests can inject a spy and both undici's and Node's fetch fit. */
export interface FetchInit {
  method: string;
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignal;
  redirect: 'manual';
}
export interface FetchResponseLike {
  status: number;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
}
export type FetchLike = (url: string, init: FetchInit) => Promise<FetchResponseLike>;

/**
 * One keep-alive connection pool for every provider call of the process. Its own timeouts bound
 * each phase (connect, response headers, body gaps); the request's AbortSignal bounds the whole.
 * A connect timeout means the request was never sent, which is what lets a POST be retried.
 */
const agent = new Agent({ connect: { timeout: 10_000 }, headersTimeout: 30_000, bodyTimeout: 30_000, keepAliveTimeout: 10_000, keepAliveMaxTimeout: 60_000 });
const defaultFetch: FetchLike = (url, init) => undiciFetch(url, { ...init, dispatcher: agent });

export interface RetryPolicy {
  /** First backoff delay; doubled per attempt, with jitter. */
  baseDelayMs: number;
  /** Upper bound of one backoff delay (a Retry-After header may ask for more, within the deadline). */
  maxDelayMs: number;
  /** Attempts per request, the first one included. The deadline usually ends retries first. */
  maxAttempts: number;
}
export const DEFAULT_RETRY: Readonly<RetryPolicy> = { baseDelayMs: 500, maxDelayMs: 10_000, maxAttempts: 8 };
export const DEFAULT_TIMEOUT_MS = 20_000;
export const DEFAULT_DEADLINE_MS = 60_000;

export interface HttpOptions {
  /** Validated base URL (endpoints.resolveBaseUrl), without a trailing slash. */
  baseUrl: string;
  token: ProviderToken;
  /** `token` (default, current Meshery): send the whole token; `access_token`: the decoded access token (older Meshery). */
  tokenMode?: TokenMode;
  /** Per-request timeout, covering the response body too. */
  timeoutMs?: number;
  /** Total time for everything this client does, retries and waits included. Starts when the client is made. */
  deadlineMs?: number;
  retry?: Partial<RetryPolicy>;
  fetchImpl?: FetchLike;
  logger?: Logger;
  /** Receives every secret string a token refresh returns (the new token and its decoded parts), before anything else uses them. */
  onNewSecret?: (secret: string) => void;
  /** Cancels waits and requests (SIGINT/SIGTERM); the call then fails with kind `cancelled`. */
  signal?: AbortSignal;
  /** For tests: the jitter source. */
  random?: () => number;
  /** Flags or inputs the fixes in messages name (default: the CLI's). */
  wording?: Wording;
  /** A failed publish is already only a warning: do not suggest making it one. */
  warnOnFailure?: boolean;
}

export interface ProviderRequest {
  method: 'GET' | 'POST' | 'PUT';
  /** Path on the provider, with its query string, starting with '/'. */
  path: string;
  /** A JSON body. */
  body?: unknown;
  /** What the request does, for messages: "create the performance profile". */
  what: string;
  /** Send the auth headers (default true). */
  auth?: boolean;
  /** Overrides the policy's maxAttempts for this request. */
  maxAttempts?: number;
  /** Overrides the per-request timeout for this request (never above the remaining deadline). */
  timeoutMs?: number;
  /** Refresh the token on a 401 (default true). The capabilities call opts out: it falls back to defaults instead. */
  refreshOn401?: boolean;
  /** @internal The body carries the token on purpose (`/refresh`): do not scrub it. */
  bodyCarriesToken?: boolean;
  /**
   * Sending it twice stores nothing twice (default: every method but POST). A POST that is not
   * idempotent is retried only when it provably did not arrive (docs/provider.md, "Retries").
   */
  idempotent?: boolean;
  /** What the provider would have stored, for the "may have been stored" message: "result id 1b2c…". */
  storedAs?: string;
}

/**
 * A POST whose fate is unknown: it may have been stored, so it is not sent again (a second copy
 * would be a duplicate result). Kind `publish` (exit 3); the result files stay on disk.
 */
export class MayHaveBeenStored extends MeshspecError {
  constructor(
    message: string,
    readonly attempts: number,
  ) {
    super('publish', message);
    this.name = 'MayHaveBeenStored';
  }
}

export interface ProviderResponse {
  status: number;
  /** The parsed JSON body, or undefined when the body is empty or not JSON. */
  body: unknown;
  text: string;
  headers: { get(name: string): string | null };
  /** Attempts this request took (a refresh retry included). */
  attempts: number;
}

type Outcome =
  | { kind: 'response'; status: number; headers: FetchResponseLike['headers']; text: string }
  /** `notSent`: the connection was never made (refused, no such host, connect timeout). */
  | { kind: 'network'; message: string; notSent: boolean };

/** Error codes that prove the request never reached the provider: no connection was made. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT', 'EHOSTUNREACH', 'ENETUNREACH']);

const TOKEN_HELP =
  "get a new token (sign in to the provider and open your user account's security tokens page, {tokens}, " +
  'or run "mesheryctl system login" and copy the token from ~/.meshery/auth.json), then update the MESHSPEC_PROVIDER_TOKEN secret / provider_token input';

/**
 * The provider's HTTP client: auth headers, per-request timeout, retries with exponential backoff
 * and jitter (honouring Retry-After) within one total deadline, and Meshery's one-time token
 * refresh on 401 (RA `DoRequest`). One instance serves one publish operation; it keeps a refreshed
 * token for the requests that follow.
 */
export class ProviderHttp {
  readonly baseUrl: string;
  private token: ProviderToken;
  private readonly tokenMode: TokenMode;
  private readonly timeoutMs: number;
  private readonly deadlineMs: number;
  private readonly deadlineAt: number;
  private readonly startedAt: number;
  private readonly retry: RetryPolicy;
  private readonly fetchImpl: FetchLike;
  private readonly logger: Logger;
  private readonly scrubber = new SecretScrubber();
  private readonly onNewSecret?: (secret: string) => void;
  private readonly signal?: AbortSignal;
  private readonly random: () => number;
  private readonly wording: Wording;
  private readonly warnOnFailure: boolean;
  private refreshed = false;
  /** Requests sent, for tests and the summary. */
  requestCount = 0;

  constructor(options: HttpOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.token = options.token;
    this.tokenMode = options.tokenMode ?? 'token';
    this.timeoutMs = positive(options.timeoutMs, DEFAULT_TIMEOUT_MS);
    this.deadlineMs = positive(options.deadlineMs, DEFAULT_DEADLINE_MS);
    this.startedAt = performance.now();
    this.deadlineAt = this.startedAt + this.deadlineMs;
    this.retry = { ...DEFAULT_RETRY, ...definedOnly(options.retry ?? {}) };
    this.fetchImpl = options.fetchImpl ?? defaultFetch;
    this.logger = options.logger ?? silentLogger;
    this.onNewSecret = options.onNewSecret;
    this.signal = options.signal;
    this.random = options.random ?? Math.random;
    this.wording = options.wording ?? CLI_WORDING;
    this.warnOnFailure = options.warnOnFailure ?? false;
    for (const s of secretsOf(this.token)) this.scrubber.add(s);
  }

  /** Removes every known token from a text: for messages that quote the provider. */
  scrub(text: string): string {
    return this.scrubber.scrub(text);
  }

  /** Milliseconds left before the deadline. */
  remainingMs(): number {
    return this.deadlineAt - performance.now();
  }

  /** The URL a path resolves to, with credentials and sensitive query values redacted: for messages. */
  displayUrl(path: string): string {
    return redactUrl(this.baseUrl + path);
  }

  async request(req: ProviderRequest): Promise<ProviderResponse> {
    const maxAttempts = Math.max(1, req.maxAttempts ?? this.retry.maxAttempts);
    const where = `${req.method} ${this.displayUrl(req.path)}`;
    const idempotent = req.idempotent ?? req.method !== 'POST';
    let attempt = 0;
    let lastProblem = 'no attempt was made';
    for (;;) {
      this.throwIfCancelled();
      const remaining = this.remainingMs();
      if (remaining <= 0) throw this.gaveUp(req, attempt, lastProblem);
      attempt++;
      const timeout = Math.max(1, Math.min(req.timeoutMs ?? this.timeoutMs, remaining));
      const outcome = await this.once(req, timeout);
      let retryAfterMs: number | undefined;
      if (outcome.kind === 'response') {
        const { status } = outcome;
        if (status >= 200 && status < 300) {
          this.logger.debug(`provider: ${where} -> ${status} (attempt ${attempt})`);
          return { status, body: parseJson(outcome.text), text: outcome.text, headers: outcome.headers, attempts: attempt };
        }
        const message = this.providerMessage(outcome.text);
        if (status === 401 && req.auth !== false && req.refreshOn401 !== false) {
          if (!this.refreshed && this.token.refreshToken) {
            this.refreshed = true;
            this.logger.info(`The provider answered 401 to ${where}; refreshing the token once.`);
            await this.refresh(req);
            continue;
          }
          throw this.tokenRejected(status, where, message, this.refreshed ? 'It was refused again after a token refresh.' : 'The token carries no refresh token.');
        }
        if (status === 403 && req.auth !== false) {
          throw this.tokenRejected(status, where, message, 'A 403 means the token is not allowed to do this; it is not refreshed.');
        }
        if (status === 429 || status >= 500) {
          lastProblem = `HTTP ${status}${message ? `: ${message}` : ''}`;
          retryAfterMs = parseRetryAfter(outcome.headers.get('retry-after'));
          // 429 and 503 with Retry-After say the request was turned away, not processed (RFC 9110
          // §15.6.4): the one answer after which a POST can be sent again. Any other 5xx may come
          // from a server that stored the body and then failed.
          const turnedAway = (status === 429 || status === 503) && retryAfterMs !== undefined;
          if (!idempotent && !turnedAway) throw this.mayHaveBeenStored(req, attempt, lastProblem);
        } else {
          throw this.refused(req, status, where, message, outcome.headers.get('location'));
        }
      } else {
        lastProblem = outcome.message;
        if (!idempotent && !outcome.notSent) throw this.mayHaveBeenStored(req, attempt, lastProblem);
      }
      if (attempt >= maxAttempts) throw this.gaveUp(req, attempt, lastProblem);
      // Retry-After is a lower bound; the backoff still spreads retries when it says 0.
      const delay = Math.max(retryAfterMs ?? 0, this.backoff(attempt));
      const left = this.remainingMs();
      if (delay >= left) {
        const why = retryAfterMs !== undefined ? `; the provider asked to retry after ${seconds(retryAfterMs)} s, past the deadline` : '';
        throw this.gaveUp(req, attempt, lastProblem + why);
      }
      this.logger.debug(`provider: ${where} failed (attempt ${attempt}: ${lastProblem}); retrying in ${delay < 1000 ? `${delay} ms` : `${seconds(delay)} s`}`);
      await this.pause(delay);
    }
  }

  private backoff(attempt: number): number {
    const cap = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** (attempt - 1));
    // "Equal jitter": never less than half the step, so retries still spread out.
    return Math.round(cap / 2 + (cap / 2) * this.random());
  }

  private headersFor(req: ProviderRequest): Record<string, string> {
    const headers: Record<string, string> = { Accept: 'application/json', 'User-Agent': 'meshspec' };
    if (req.body !== undefined) headers['Content-Type'] = 'application/json';
    if (req.auth !== false) {
      const credential = credentialOf(this.token, this.tokenMode);
      headers.Authorization = `bearer ${credential}`;
      headers['X-API-Key'] = credential;
    }
    return headers;
  }

  /** One attempt. Network errors, timeouts and a connection closed mid-body come back as `network`. */
  private async once(req: ProviderRequest, timeoutMs: number): Promise<Outcome> {
    // The attempt's deadline aborts the request itself (its socket is closed), not only our wait.
    const timeout = AbortSignal.timeout(Math.ceil(timeoutMs));
    const signal = this.signal ? AbortSignal.any([timeout, this.signal]) : timeout;
    this.requestCount++;
    try {
      const headers = this.headersFor(req);
      // Last line of defence: no body but /refresh's may carry a token.
      const json = req.body === undefined ? undefined : JSON.stringify(req.body);
      const body = json === undefined || req.bodyCarriesToken ? json : this.scrubber.scrub(json);
      const res = await this.fetchImpl(this.baseUrl + req.path, { method: req.method, headers, body, signal, redirect: 'manual' });
      const text = await res.text();
      return { kind: 'response', status: res.status, headers: res.headers, text };
    } catch (e) {
      this.throwIfCancelled();
      if (timeout.aborted) return { kind: 'network', message: `no complete answer within ${seconds(timeoutMs)} s`, notSent: false };
      return { kind: 'network', message: `network error: ${this.scrub(describeNetworkError(e))}`, notSent: NOT_SENT_CODES.has(errorCode(e) ?? '') };
    }
  }

  /** RA `refreshToken`: `POST {base}/refresh {"token": <whole token>}` without auth headers; 200 `{"token": new}`. */
  private async refresh(original: ProviderRequest): Promise<void> {
    const where = `${original.method} ${this.displayUrl(original.path)}`;
    let res: ProviderResponse;
    try {
      res = await this.request({ method: 'POST', path: '/refresh', body: { token: this.token.raw }, auth: false, bodyCarriesToken: true, what: 'refresh the token', maxAttempts: 3, idempotent: true });
    } catch (e) {
      if (e instanceof MeshspecError && e.kind === 'cancelled') throw e;
      throw this.tokenRejected(401, where, '', `Refreshing it failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    const next = (res.body as { token?: unknown } | undefined)?.token;
    if (res.status !== 200 || typeof next !== 'string' || !/^[\x21-\x7e]+$/.test(next)) {
      throw this.tokenRejected(401, where, '', `Refreshing it failed: /refresh answered HTTP ${res.status} without a usable "token".`);
    }
    const token = decodeToken(next);
    // Mask first: the caller's setSecret must run before the new token is used or could be printed.
    for (const s of secretsOf(token)) {
      this.scrubber.add(s);
      this.onNewSecret?.(s);
    }
    this.token = token;
    this.logger.info('The provider token was refreshed; retrying once with the new token.');
  }

  private providerMessage(text: string): string {
    return this.scrub(extractMessage(text));
  }

  private tokenRejected(status: number, where: string, message: string, note: string): MeshspecError {
    const tokens = `${this.baseUrl}/security/tokens`;
    const mode =
      this.tokenMode === 'token'
        ? `If the token is new and still refused, try ${this.wording.providerTokenModeAccess} (older Meshery providers expect the decoded access token).`
        : `If the token is new and still refused, try ${this.wording.providerTokenModeToken} (current Meshery sends the whole token).`;
    return new MeshspecError(
      'publish',
      `The provider rejected the token (HTTP ${status} on ${where}${message ? `: ${message}` : ''}). ${note} To fix it, ${TOKEN_HELP.replace('{tokens}', tokens)}. ${mode}`,
    );
  }

  private refused(req: ProviderRequest, status: number, where: string, message: string, location: string | null): MeshspecError {
    let hint: string;
    if (status >= 300 && status < 400) {
      hint = `The provider redirects${location ? ` to ${redactUrl(location)}` : ''}; set ${this.wording.providerUrl} to the final address (meshspec does not follow redirects, so the token never goes to another host).`;
    } else if (status === 404) {
      hint = `The endpoint does not exist at this provider: check ${this.wording.providerUrl}, and whether this provider still offers the feature.`;
    } else if (status === 400 || status === 422) {
      hint = `The provider did not accept the request body. It may expect the other JSON casing: try ${this.wording.providerCasingOther}.`;
    } else if (status === 413) {
      hint = 'The body is too large for the provider: shorten the run or reduce the histogram resolution.';
    } else {
      hint = 'This is not retried; check the message above, then re-run.';
    }
    return new MeshspecError('publish', `The provider refused to ${req.what} (HTTP ${status} on ${where})${message ? `: ${message}` : ''}. ${hint}`);
  }

  private gaveUp(req: ProviderRequest, attempts: number, lastProblem: string): MeshspecError {
    const elapsed = seconds(performance.now() - this.startedAt);
    if (attempts === 0) {
      return new MeshspecError(
        'publish',
        `Did not ${req.what} at ${this.displayUrl(req.path)}: the provider deadline (${seconds(this.deadlineMs)} s) was used up by the requests before it, ` +
          `so it was never sent. Raise ${this.wording.providerDeadline}${this.warnOnFailure ? '' : `, or ${this.wording.publishFailureWarn} so that a slow provider does not fail the job`}.`,
      );
    }
    return new MeshspecError(
      'publish',
      `Could not ${req.what} at ${this.displayUrl(req.path)} after ${attempts} attempt${attempts === 1 ? '' : 's'} in ${elapsed} s ` +
        `(deadline ${seconds(this.deadlineMs)} s); last problem: ${lastProblem}. The provider may be down or unreachable: re-run later, ` +
        `raise ${this.wording.providerDeadline}${this.warnOnFailure ? '' : `, or ${this.wording.publishFailureWarn} so that a provider outage does not fail the job`}.`,
    );
  }

  private throwIfCancelled(): void {
    if (this.signal?.aborted) {
      throw new MeshspecError('cancelled', 'Publishing to the provider was cancelled; the result files are still in the output directory.');
    }
  }

  private mayHaveBeenStored(req: ProviderRequest, attempts: number, lastProblem: string): MayHaveBeenStored {
    return new MayHaveBeenStored(
      `Could not confirm that the provider received the request to ${req.what} (${req.method} ${this.displayUrl(req.path)}, ` +
        `${attempts} attempt${attempts === 1 ? '' : 's'}; ${lastProblem}): it may have been stored${req.storedAs ? `; ${req.storedAs}` : ''}. ` +
        'It is not sent again, so that it is never stored twice. Check the provider for it before publishing again (meshspec publish); the result files are kept in the output directory.',
      attempts,
    );
  }

  /** A backoff wait: bounded by the deadline by the caller, cut short by cancellation. */
  private async pause(ms: number): Promise<void> {
    try {
      await sleep(ms, this.signal);
    } catch {
      this.throwIfCancelled();
    }
  }
}

/** Retry-After as seconds or an HTTP date (RFC 9110 §10.2.3); undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (value === null || value === undefined) return undefined;
  const v = value.trim();
  if (/^[0-9]+$/.test(v)) return Number(v) * 1000;
  // An HTTP date names its day and month ("Wed, 21 Oct 2015 07:28:00 GMT"); Date.parse alone would take "-1".
  const at = /[a-z]{3}/i.test(v) ? Date.parse(v) : Number.NaN;
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/** The provider's own words from an error body: a JSON `message`/`error`/`detail`, or the text. */
export function extractMessage(text: string): string {
  const t = text.trim();
  if (t === '') return '';
  const json = parseJson(t);
  if (typeof json === 'string') return clip(json);
  if (json && typeof json === 'object') {
    const o = json as Record<string, unknown>;
    for (const k of ['message', 'error', 'detail', 'msg', 'error_description']) {
      const v = o[k];
      if (typeof v === 'string' && v.trim() !== '') return clip(v);
      if (v && typeof v === 'object' && typeof (v as Record<string, unknown>).message === 'string') return clip(String((v as Record<string, unknown>).message));
    }
    return clip(t);
  }
  if (/^<(!doctype|html)/i.test(t)) return '(an HTML page)';
  return clip(t);
}

function clip(s: string): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > 300 ? `${one.slice(0, 300)}…` : one;
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function errorCode(e: unknown): string | undefined {
  const own = (e as NodeJS.ErrnoException | undefined)?.code;
  const cause = (e as { cause?: NodeJS.ErrnoException } | undefined)?.cause;
  return own ?? cause?.code;
}

function describeNetworkError(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const cause = (e as { cause?: unknown }).cause;
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code;
    return code ? `${code} (${cause.message})` : cause.message;
  }
  return e.message;
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(ms < 10_000 ? 1 : 0);
}

function positive(value: number | undefined, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : fallback;
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
