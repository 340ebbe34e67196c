import { CLI_WORDING, type Wording } from '../wording.js';
import { randomUUID } from 'node:crypto';
import { MeshspecError, inputError } from '../errors.js';
import { silentLogger, type Logger } from '../log.js';
import { redactUrl } from '../redact.js';
import { DEFAULT_CASING, mesheryResultBody, performanceProfileBody, runnerResultsFrom, smiResultBody, type Casing } from './bodies.js';
import { DEFAULT_MESHERY_VERSION, checkMesheryVersion, endpointFor, fetchCapabilities, resolveBaseUrl, type Capabilities } from './endpoints.js';
import { MayHaveBeenStored, ProviderHttp, type FetchLike, type ProviderResponse, type RetryPolicy } from './http.js';
import { profileInputFromFortio, profileInputFromSmp, smpMeshName, smpProfileFromPerformanceProfile, type SmpProfile, type SmpProfileLike } from './profiles.js';
import { decodeToken, expiryWarning, parseTokenInput, type TokenMode } from './token.js';

/** Everything the caller (CLI, actions) decides about talking to the provider. */
export interface ProviderOptions {
  /** `provider_url`: overrides providerName. https, or http on loopback only. */
  baseUrl?: string;
  /** `Layer5` (default) or `Meshery`. */
  providerName?: string;
  /** The provider token as the user gave it (the token, or a whole auth.json). Mask it before calling. */
  token: string;
  /** `token` (default): send the whole token, as current Meshery does; `access_token`: the decoded access token. */
  tokenMode?: TokenMode;
  /** Body casing: `camel` (default, current Meshery) or `snake` (older Meshery, Cloud OpenAPI). */
  casing?: Casing;
  /** Post SMI results even when the provider's capabilities do not advertise persist-smi-results. */
  smiEndpointEnabled?: boolean;
  /** The Meshery release in the capabilities path (default DEFAULT_MESHERY_VERSION). */
  mesheryVersion?: string;
  /** Per-request timeout (default 20 s). */
  timeoutMs?: number;
  /** Total time for one publish operation, retries included (default 60 s). */
  deadlineMs?: number;
  retry?: Partial<RetryPolicy>;
  logger?: Logger;
  /** Called with every secret a token refresh yields (call setSecret with it). */
  onNewSecret?: (secret: string) => void;
  /** For tests: a fetch spy. Default: undici's fetch. */
  fetchImpl?: FetchLike;
  /** Cancels the operation (SIGINT/SIGTERM). */
  signal?: AbortSignal;
  /** Flags or inputs the fixes in messages name (default: the CLI's). */
  wording?: Wording;
  /** `publish_failure: warn` is set: messages do not suggest it. */
  warnOnFailure?: boolean;
}

/** The two files of an SMP run, parsed. */
export interface SmpResultFiles {
  /** smp-result.json: an SMP PerformanceTestResult (snake_case). */
  smpResult: Record<string, unknown>;
  /** fortio.json: Fortio HTTPRunnerResults. */
  fortio: Record<string, unknown>;
}

export interface PublishSmpResult {
  resultId: string;
  profileId: string;
  /** True when this run created the profile; false when an existing one of that name was reused. */
  profileCreated: boolean;
  /** Where the result can be seen, when the provider said so. */
  resultUrl?: string;
  /** The provider's base URL that was used. */
  providerUrl: string;
}

export interface PublishSmiResult {
  resultId: string;
  resultUrl?: string;
  providerUrl: string;
}

interface Session {
  http: ProviderHttp;
  baseUrl: string;
  casing: Casing;
  logger: Logger;
  mesheryVersion: string;
  options: ProviderOptions;
}

/**
 * Checks everything that can be checked without the network (URL, token, version), warns about an
 * expired token, and makes the HTTP client. Input problems throw before any connection.
 */
function open(options: ProviderOptions): Session {
  const logger = options.logger ?? silentLogger;
  const input = parseTokenInput(options.token ?? '', 'provider_token');
  const baseUrl = resolveBaseUrl({ baseUrl: options.baseUrl, providerName: options.providerName ?? input.providerName, wording: options.wording });
  const mesheryVersion = checkMesheryVersion(options.mesheryVersion ?? DEFAULT_MESHERY_VERSION);
  const casing = options.casing ?? DEFAULT_CASING;
  if (casing !== 'camel' && casing !== 'snake') throw inputError(`provider_casing "${String(casing)}" is not one of camel, snake.`);
  const tokenMode = options.tokenMode ?? 'token';
  if (tokenMode !== 'token' && tokenMode !== 'access_token') {
    throw inputError(`provider_token_mode "${String(tokenMode)}" is not one of token, access_token.`);
  }
  const token = decodeToken(input.token);
  const warning = expiryWarning(token);
  if (warning) logger.warn(warning);
  const http = new ProviderHttp({
    baseUrl,
    token,
    tokenMode,
    timeoutMs: options.timeoutMs,
    deadlineMs: options.deadlineMs,
    retry: options.retry,
    fetchImpl: options.fetchImpl,
    logger,
    onNewSecret: options.onNewSecret,
    signal: options.signal,
    wording: options.wording,
    warnOnFailure: options.warnOnFailure,
  });
  return { http, baseUrl, casing, logger, mesheryVersion, options };
}

async function capabilities(s: Session): Promise<Capabilities> {
  const caps = await fetchCapabilities(s.http, s.mesheryVersion, s.logger);
  if (caps.source === 'defaults') s.logger.debug(`Using the default provider endpoints (${caps.reason ?? 'no capabilities'}).`);
  return caps;
}

const PAGE_SIZE = 100;
const MAX_PAGES = 10;

/** Profiles named exactly `name` (the provider's `search` matches substrings). */
async function findProfiles(s: Session, endpoint: string, name: string): Promise<{ matches: Record<string, unknown>[]; seen: string[] }> {
  const matches: Record<string, unknown>[] = [];
  const seen: string[] = [];
  for (let page = 0; page < MAX_PAGES; page++) {
    // Current Meshery sends `pagesize`, older `page_size`: both are sent, a provider ignores the other.
    const query = new URLSearchParams({ page: String(page), pagesize: String(PAGE_SIZE), page_size: String(PAGE_SIZE), search: name });
    const res = await s.http.request({ method: 'GET', path: `${endpoint}?${query.toString()}`, what: 'look up the performance profile' });
    const list = profilesOf(res.body);
    for (const p of list) {
      if (typeof p.name === 'string') seen.push(p.name);
      if (p.name === name) matches.push(p);
    }
    const total = totalOf(res.body);
    if (list.length < PAGE_SIZE || (total !== undefined && (page + 1) * PAGE_SIZE >= total)) break;
  }
  return { matches, seen };
}

/**
 * Creates the profile; when the answer to a create is lost (it may have been stored), looks the
 * name up before sending the create again, so a profile is never created twice
 * (docs/provider.md, "Retries").
 */
async function createProfile(
  s: Session,
  endpoint: string,
  name: string,
  body: unknown,
): Promise<{ found: false; res: ProviderResponse } | { found: true; id: string }> {
  for (let tries = 1; ; tries++) {
    try {
      return { found: false, res: await s.http.request({ method: 'POST', path: endpoint, body, what: 'create the performance profile', storedAs: `profile "${name}"` }) };
    } catch (error) {
      if (!(error instanceof MayHaveBeenStored) || tries >= 3) throw error;
      s.logger.info(`The answer to creating the performance profile "${name}" was lost; looking it up before trying again.`);
      const { matches } = await findProfiles(s, endpoint, name);
      const id = matches.length > 0 ? idOf(newest(matches)) : undefined;
      if (id) {
        s.logger.info(`The provider did store the performance profile "${name}" (${id}); using it.`);
        return { found: true, id };
      }
    }
  }
}

function profilesOf(body: unknown): Record<string, unknown>[] {
  const list = Array.isArray(body) ? body : (body as Record<string, unknown> | undefined)?.profiles;
  return Array.isArray(list) ? list.filter((p): p is Record<string, unknown> => typeof p === 'object' && p !== null) : [];
}

function totalOf(body: unknown): number | undefined {
  const o = (body ?? {}) as Record<string, unknown>;
  const t = o.totalCount ?? o.total_count;
  return typeof t === 'number' ? t : undefined;
}

/** Of several profiles with the same name, the most recently updated one. */
function newest(profiles: Record<string, unknown>[]): Record<string, unknown> {
  const time = (p: Record<string, unknown>) => Date.parse(String(p.updatedAt ?? p.updated_at ?? p.createdAt ?? p.created_at ?? '')) || 0;
  return [...profiles].sort((a, b) => time(b) - time(a))[0]!;
}

/** An id from the provider goes into a URL path: it must look like one. */
function idOf(body: unknown): string | undefined {
  const id = (body as Record<string, unknown> | undefined)?.id;
  const text = typeof id === 'string' ? id : typeof id === 'number' ? String(id) : undefined;
  return text !== undefined && /^[A-Za-z0-9_-]{1,128}$/.test(text) ? text : undefined;
}

function resultUrlOf(body: unknown): string | undefined {
  const o = (body ?? {}) as Record<string, unknown>;
  for (const k of ['resultUrl', 'result_url', 'url', 'link', 'href']) {
    const v = o[k];
    if (typeof v === 'string' && /^https?:\/\//i.test(v)) return redactUrl(v);
  }
  return undefined;
}

function startTimeOf(smp: Record<string, unknown>, fortio: Record<string, unknown>): string | undefined {
  const st = smp.start_time ?? smp.startTime;
  if (typeof st === 'string' && !Number.isNaN(Date.parse(st))) return st;
  // A protobuf Timestamp as an object.
  if (st && typeof st === 'object' && typeof (st as { seconds?: unknown }).seconds !== 'undefined') {
    const o = st as { seconds: number | string; nanos?: number };
    const ms = Number(o.seconds) * 1000 + Math.floor((o.nanos ?? 0) / 1e6);
    if (Number.isFinite(ms)) return new Date(ms).toISOString();
  }
  if (typeof fortio.StartTime === 'string' && !Number.isNaN(Date.parse(fortio.StartTime))) return fortio.StartTime;
  return undefined;
}

function requireName(name: string | undefined, what: string): string {
  const n = (name ?? '').trim();
  if (n === '') throw inputError(`${what} is empty: a performance profile needs a name (test.name in the profile, or test_name).`);
  if (n.length > 256) throw inputError(`${what} is longer than 256 characters; shorten it.`);
  return n;
}

/**
 * Publishes an SMP run: finds the performance profile named `profileName` (so a re-run adds a
 * result to the same profile instead of making a duplicate) or creates it, then posts the
 * MesheryResult whose runnerResults is the Fortio JSON. Call it only after the result files are
 * written: a failure here (kind `publish`, exit 3) never loses a result.
 */
export async function publishSmp(args: {
  providerOptions: ProviderOptions;
  result: SmpResultFiles;
  /** The performance profile's name at the provider (Meshery: the test name). */
  profileName: string;
  /** The mesh under test: any accepted spelling or SMP enum number; sent as the SMP enum name. */
  mesh?: string | number;
  /** The SMP profile that was run, for a new profile's settings; default: smp-result.json's `test`, else fortio.json. */
  profile?: SmpProfileLike;
  /** The result's name (default: profileName). */
  testName?: string;
  logger?: Logger;
}): Promise<PublishSmpResult> {
  const s = open({ ...args.providerOptions, logger: args.logger ?? args.providerOptions.logger });
  const name = requireName(args.profileName, 'The performance profile name');
  const caps = await capabilities(s);
  const endpoint = endpointFor(caps, 'performanceProfiles', { logger: s.logger });

  const { matches } = await findProfiles(s, endpoint, name);
  let profileId: string | undefined;
  let profileCreated = false;
  if (matches.length > 0) {
    const chosen = newest(matches);
    profileId = idOf(chosen);
    if (matches.length > 1) s.logger.notice(`The provider has ${matches.length} performance profiles named "${name}"; adding the result to the most recently updated one.`);
    if (!profileId) throw new MeshspecError('publish', `The provider listed a performance profile named "${name}" without a usable id; rename the profile (test_name) or delete the broken one at the provider.`);
    s.logger.info(`Using the provider's performance profile "${name}" (${profileId}).`);
  } else {
    // The profile's settings: the SMP profile that ran, else the `test` recorded in smp-result.json, else fortio.json.
    const test = args.result.smpResult.test;
    const source: SmpProfileLike | undefined =
      args.profile ?? (test && typeof test === 'object' ? { ...(test as object), mesh: args.result.smpResult.mesh as { type?: number } } : undefined);
    const input = source
      ? profileInputFromSmp(source, { name, mesh: args.mesh })
      : profileInputFromFortio(args.result.fortio, { name, mesh: args.mesh });
    const created = await createProfile(s, endpoint, name, performanceProfileBody(input, s.casing));
    profileId = created.found ? created.id : idOf(created.res.body);
    profileCreated = true;
    if (!profileId) {
      const res = (created as { res: ProviderResponse }).res;
      throw new MeshspecError(
        'publish',
        `The provider answered HTTP ${res.status} to creating the performance profile "${name}" but returned no profile id, so the result cannot be attached. ` +
          `Check the profile at the provider; if the provider expects the other body casing, try ${(s.options.wording ?? CLI_WORDING).providerCasingOther}.`,
      );
    }
    if (profileCreated) s.logger.info(`Created the performance profile "${name}" (${profileId}) at the provider.`);
  }

  const smp = args.result.smpResult;
  const testId = typeof smp.id === 'string' && smp.id !== '' ? smp.id : randomUUID();
  const body = mesheryResultBody(
    {
      name: args.testName?.trim() || name,
      mesh: smpMeshName(args.mesh ?? meshOfResult(smp)),
      performanceProfile: profileId,
      testId,
      runnerResults: runnerResultsFrom(args.result.fortio),
      testStartTime: startTimeOf(smp, args.result.fortio),
    },
    s.casing,
  );
  const path = `${endpoint}/${encodeURIComponent(profileId)}/results`;
  // testId is ours (smp-result.json's id): the message of a lost answer names it, so the user can find the result.
  const res = await s.http.request({ method: 'POST', path, body, what: 'publish the SMP result', storedAs: `result id ${testId}` });
  const resultId = idOf(res.body) ?? '';
  if (!resultId) s.logger.warn(`The provider accepted the SMP result (HTTP ${res.status}) but returned no result id.`);
  const resultUrl = resultUrlOf(res.body);
  s.logger.info(`Published the SMP result to ${s.baseUrl}: result ${resultId || '(no id)'} in profile "${name}".`);
  return { resultId, profileId, profileCreated, ...(resultUrl ? { resultUrl } : {}), providerUrl: s.baseUrl };
}

function meshOfResult(smp: Record<string, unknown>): string | number | undefined {
  const mesh = smp.mesh as { type?: unknown; name?: unknown } | undefined;
  const t = mesh?.type ?? mesh?.name;
  return typeof t === 'string' || typeof t === 'number' ? t : undefined;
}

/**
 * Publishes an SMI conformance result (Meshery's SmiResult; our extra per-step detail is left out)
 * to `persist-smi-results`. Returns the provider's id for it.
 */
export async function publishSmi(args: { providerOptions: ProviderOptions; result: Record<string, unknown>; logger?: Logger }): Promise<PublishSmiResult> {
  const s = open({ ...args.providerOptions, logger: args.logger ?? args.providerOptions.logger });
  const caps = await capabilities(s);
  const endpoint = endpointFor(caps, 'smiResults', { force: s.options.smiEndpointEnabled, logger: s.logger });
  const body = smiResultBody(args.result, s.casing);
  const res = await s.http.request({ method: 'POST', path: endpoint, body, what: 'publish the SMI result', storedAs: typeof body.id === 'string' ? `result id ${body.id}` : undefined });
  const resultId = idOf(res.body) ?? '';
  if (!resultId) s.logger.warn(`The provider accepted the SMI result (HTTP ${res.status}) but returned no result id.`);
  const resultUrl = resultUrlOf(res.body);
  s.logger.info(`Published the SMI result to ${s.baseUrl}: result ${resultId || '(no id)'}.`);
  return { resultId, ...(resultUrl ? { resultUrl } : {}), providerUrl: s.baseUrl };
}

/**
 * Meshery's `profile_name` input: fetches the saved performance profile of that name from the
 * provider and returns it as an SMP profile object, ready for the SMP runner. An unknown name is
 * an input error (exit 2) that lists the names the provider does have.
 */
export async function fetchProfileByName(args: { providerOptions: ProviderOptions; name: string; logger?: Logger }): Promise<SmpProfile> {
  const s = open({ ...args.providerOptions, logger: args.logger ?? args.providerOptions.logger });
  const name = requireName(args.name, 'profile_name');
  const caps = await capabilities(s);
  const endpoint = endpointFor(caps, 'performanceProfiles', { logger: s.logger });
  const { matches, seen } = await findProfiles(s, endpoint, name);
  if (matches.length === 0) {
    const similar = [...new Set(seen)].slice(0, 10);
    throw inputError(
      `profile_name: the provider (${s.baseUrl}) has no performance profile named "${name}"` +
        (similar.length > 0 ? `; similar names: ${similar.map((n) => `"${n}"`).join(', ')}` : '') +
        '. Names are case-sensitive; or give profile_filename instead.',
    );
  }
  if (matches.length > 1) s.logger.notice(`The provider has ${matches.length} performance profiles named "${name}"; using the most recently updated one.`);
  // A profile without endpoints is returned as it is: endpoint_url may fill it in, and the SMP
  // profile validation reports what is still missing.
  const profile = smpProfileFromPerformanceProfile(newest(matches));
  s.logger.info(`Loaded the performance profile "${name}" from ${s.baseUrl}.`);
  return profile;
}
