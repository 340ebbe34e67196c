import { isIP } from 'node:net';
import { MeshspecError, inputError } from '../errors.js';
import type { Logger } from '../log.js';
import { redactUrl } from '../redact.js';
import { CLI_WORDING, type Wording } from '../wording.js';
import type { ProviderHttp } from './http.js';

/**
 * Provider names as Meshery's `install/providers.env` maps them (provider-protocol.md §1).
 * Layer5 Cloud is the default: its SMI dashboard and performance pages read from it.
 */
export const PROVIDERS: Readonly<Record<string, string>> = {
  Layer5: 'https://cloud.layer5.io',
  Meshery: 'https://cloud.meshery.io',
};
export const DEFAULT_PROVIDER = 'Layer5';

/**
 * The Meshery release that goes into the capabilities path (`/{version}/capabilities`). The
 * capability API in meshery/schemas documents the segment as a Meshery version "e.g. v0.8.0";
 * providers are not known to vary their answer by it. Override with `mesheryVersion`.
 */
export const DEFAULT_MESHERY_VERSION = 'v0.8.0';
const VERSION_PATTERN = /^v[0-9]{1,4}\.[0-9]{1,4}\.[0-9]{1,4}(?:-[0-9A-Za-z.]{1,40})?$/;

/** Capability features we publish to (PV constants), and their documented default endpoints. */
export const FEATURES = {
  smiResults: 'persist-smi-results',
  performanceProfiles: 'persist-performance-profiles',
} as const;
export type FeatureKey = keyof typeof FEATURES;
export const DEFAULT_ENDPOINTS: Readonly<Record<FeatureKey, string>> = {
  smiResults: '/smi/results',
  performanceProfiles: '/user/performance/profiles',
};

/** Checks a Meshery version against a strict pattern before it goes into a URL. */
export function checkMesheryVersion(version: string): string {
  if (!VERSION_PATTERN.test(version)) {
    throw inputError(`meshery version "${version}" is not a release tag; use the form v0.8.0.`);
  }
  return version;
}

/** True for 127.0.0.0/8, ::1 and localhost: the only hosts that may be reached over plain http. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || h === '0:0:0:0:0:0:0:1' || /^::ffff:127\./.test(h);
  return false;
}

/**
 * The provider's base URL: `baseUrl` (`--provider-url`, `provider_url`) when given, else the URL of `providerName`
 * (default Layer5). Only https, or http to a loopback host, is accepted: anything else is an input
 * error (exit 2), raised before a token is sent anywhere. The result has no trailing slash.
 */
export function resolveBaseUrl(options: { baseUrl?: string; providerName?: string; wording?: Wording }): string {
  const given = options.baseUrl?.trim();
  if (!given) {
    const name = options.providerName?.trim() || DEFAULT_PROVIDER;
    const key = Object.keys(PROVIDERS).find((k) => k.toLowerCase() === name.toLowerCase());
    if (!key) {
      throw inputError(
        `unknown provider "${name}". Known providers: ${Object.entries(PROVIDERS)
          .map(([k, v]) => `${k} (${v})`)
          .join(', ')}; or set ${(options.wording ?? CLI_WORDING).providerUrl} to the provider's https address.`,
      );
    }
    return PROVIDERS[key]!;
  }
  // The CLI's flag or the action's input, whichever the user set.
  const what = (options.wording ?? CLI_WORDING).providerUrl;
  let url: URL;
  try {
    url = new URL(given);
  } catch {
    throw inputError(`${what} "${redactUrl(given)}" is not a URL; give an address such as https://cloud.layer5.io.`);
  }
  if (url.username || url.password) {
    throw inputError(
      `${what} ${redactUrl(given)} contains credentials; remove them: the provider token is sent in headers, never in the URL.`,
    );
  }
  if (url.search || url.hash) {
    throw inputError(`${what} ${redactUrl(given)} has a query or fragment; give only the base address, such as https://cloud.layer5.io.`);
  }
  if (url.protocol === 'http:') {
    if (!isLoopbackHost(url.hostname)) {
      throw inputError(
        `${what} ${redactUrl(given)} uses plain http: the token would travel unencrypted. Use https (plain http is allowed only for 127.0.0.1, ::1 and localhost).`,
      );
    }
  } else if (url.protocol !== 'https:') {
    throw inputError(`${what} ${redactUrl(given)} must use https.`);
  }
  return url.toString().replace(/\/+$/, '');
}

/** The capabilities call's URL (RP `loadCapabilities`). */
export function capabilitiesPath(mesheryVersion: string = DEFAULT_MESHERY_VERSION): string {
  return `/${checkMesheryVersion(mesheryVersion)}/capabilities?os=meshery&playground=false`;
}

export interface Capabilities {
  /** `provider` when the provider answered with a capability list; `defaults` otherwise. */
  source: 'provider' | 'defaults';
  providerName?: string;
  /** Features the provider advertised (empty with `defaults`). */
  advertised: ReadonlySet<string>;
  /** Advertised endpoints (paths) of the features we use. */
  endpoints: Partial<Record<FeatureKey, string>>;
  /** Why the defaults are used, for the log. */
  reason?: string;
}

/** An endpoint from capabilities must be a path on the provider: never another host. */
function safeEndpoint(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const ep = value.trim();
  if (!/^\/[A-Za-z0-9._~\-/]*$/.test(ep) || ep.startsWith('//') || ep.split('/').includes('..')) return undefined;
  return ep.replace(/\/+$/, '') || undefined;
}

/**
 * Reads a capabilities response (`ProviderProperties`, PV). Accepts current camelCase keys and
 * the snake_case ones of older docs. Returns undefined if the body has no capability list.
 */
export function parseCapabilities(body: unknown, logger?: Logger): Capabilities | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const o = body as Record<string, unknown>;
  const list = o.capabilities;
  if (!Array.isArray(list)) return undefined;
  const advertised = new Set<string>();
  const endpoints: Partial<Record<FeatureKey, string>> = {};
  for (const item of list) {
    if (typeof item !== 'object' || item === null) continue;
    const c = item as Record<string, unknown>;
    const feature = typeof c.feature === 'string' ? c.feature : undefined;
    if (!feature) continue;
    advertised.add(feature);
    for (const [key, name] of Object.entries(FEATURES) as [FeatureKey, string][]) {
      if (feature !== name) continue;
      const ep = safeEndpoint(c.endpoint);
      if (ep) endpoints[key] = ep;
      else logger?.warn(`The provider advertises ${name} with an endpoint that is not a plain path; using ${DEFAULT_ENDPOINTS[key]} instead.`);
    }
  }
  const name = o.providerName ?? o.provider_name;
  return { source: 'provider', advertised, endpoints, providerName: typeof name === 'string' ? name : undefined };
}

/** At most this long per capabilities attempt: a provider that hangs here leaves the deadline to publishing. */
const CAPABILITIES_TIMEOUT_MS = 10_000;

/**
 * `GET {base}/{meshery-version}/capabilities?os=meshery&playground=false`, with the auth headers as
 * Meshery sends them. A provider that does not answer it (any failure other than cancellation) is
 * not fatal: the known default endpoints are used, and the publish call that follows reports any
 * real problem (a 401 here does not use up the one token refresh: the publish call does that). Only a couple of attempts are spent here, so the shared deadline stays for publishing.
 */
export async function fetchCapabilities(http: ProviderHttp, mesheryVersion: string = DEFAULT_MESHERY_VERSION, logger?: Logger): Promise<Capabilities> {
  const path = capabilitiesPath(mesheryVersion);
  try {
    const res = await http.request({ method: 'GET', path, what: 'read the provider capabilities', maxAttempts: 2, timeoutMs: CAPABILITIES_TIMEOUT_MS, refreshOn401: false });
    const caps = parseCapabilities(res.body, logger);
    if (caps) return caps;
    return { source: 'defaults', advertised: new Set(), endpoints: {}, reason: 'the capabilities response has no capability list' };
  } catch (e) {
    if (e instanceof MeshspecError && e.kind === 'cancelled') throw e;
    const reason = e instanceof Error ? e.message : String(e);
    logger?.debug(`Provider capabilities unavailable (${reason}); using the known default endpoints.`);
    return { source: 'defaults', advertised: new Set(), endpoints: {}, reason };
  }
}

/**
 * The endpoint for a feature: the advertised one, else the documented default. For SMI results, a
 * provider whose capability list omits the feature is taken at its word (as Meshery does) unless
 * `force` is set; the error says how to force it.
 */
export function endpointFor(caps: Capabilities, key: FeatureKey, options: { force?: boolean; logger?: Logger } = {}): string {
  const advertised = caps.endpoints[key];
  if (advertised) return advertised;
  const fallback = DEFAULT_ENDPOINTS[key];
  if (caps.source === 'defaults') return fallback;
  if (key === 'smiResults' && !options.force) {
    throw new MeshspecError(
      'publish',
      `The provider${caps.providerName ? ` (${caps.providerName})` : ''} does not advertise ${FEATURES[key]} in its capabilities, so it may no longer accept SMI results. ` +
        `To post to ${fallback} anyway, set smi_endpoint_enabled: true (CLI: --smi-endpoint-enabled). The result files are still in the output directory.`,
    );
  }
  options.logger?.warn(`The provider does not advertise ${FEATURES[key]}; trying the documented default ${fallback}.`);
  return fallback;
}
