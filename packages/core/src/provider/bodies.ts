import { REDACTED, isSensitiveName, redactCookies, redactHeaders, redactUrl } from '../redact.js';

/**
 * Request bodies for Meshery's remote provider, built from the Go struct tags that
 * provider-protocol.md quotes (§5, §6). Current Meshery marshals camelCase; older Meshery and the
 * Cloud OpenAPI use snake_case. Which one Layer5 Cloud accepts is not confirmed, hence `casing`.
 * Every field is `omitempty` in Go unless noted, so empty values are left out here too; the JSON
 * Schemas in schemas/provider/ describe both casings.
 */
export type Casing = 'camel' | 'snake';
export const DEFAULT_CASING: Casing = 'camel';

type Json = Record<string, unknown>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (v: unknown): v is string => typeof v === 'string' && UUID.test(v);

/** Reads the first present key among spellings (our files are snake_case, a caller may hand camelCase). */
function pick(o: Json, ...keys: string[]): unknown {
  for (const k of keys) if (o[k] !== undefined && o[k] !== null) return o[k];
  return undefined;
}

/** Go `string` fields: numbers and booleans become their text, everything else is left out. */
function str(v: unknown): string | undefined {
  if (typeof v === 'string') return v === '' ? undefined : v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v === 'boolean') return String(v);
  return undefined;
}

function put(out: Json, key: string, value: unknown): void {
  if (value === undefined || value === '' || (Array.isArray(value) && value.length === 0)) return;
  out[key] = value;
}

// ---------------------------------------------------------------------------------------------
// SmiResult (server/models/smi-test.go: snake_case @9774fef/@3f41d38; camelCase in the core.Uuid version)

const SMI_RESULT_KEYS = {
  date: ['date', 'date'],
  meshName: ['mesh_name', 'meshName'],
  meshVersion: ['mesh_version', 'meshVersion'],
  casesPassed: ['cases_passed', 'casesPassed'],
  passingPercentage: ['passing_percentage', 'passingPercentage'],
  status: ['status', 'status'],
} as const;
const SMI_DETAIL_KEYS = {
  smiSpecification: ['smi_specification', 'smiSpecification'],
  smiVersion: ['smi_version', 'smiVersion'],
  time: ['time', 'time'],
  assertions: ['assertions', 'assertions'],
  result: ['result', 'result'],
  reason: ['reason', 'reason'],
  capability: ['capability', 'capability'],
  status: ['status', 'status'],
} as const;

/**
 * The SmiResult body: only the struct's fields, every value a string (as the dashboard data has
 * them). Our extra per-step detail is dropped. `id` is a uuid.UUID in Go, so it is sent only when
 * it is a UUID: anything else would make the provider's JSON decoding fail.
 */
export function smiResultBody(result: Json, casing: Casing = DEFAULT_CASING): Json {
  const i = casing === 'snake' ? 0 : 1;
  const out: Json = {};
  const id = pick(result, 'id');
  if (isUuid(id)) out.id = id;
  for (const [, names] of Object.entries(SMI_RESULT_KEYS)) {
    const value = pick(result, names[0], names[1]);
    put(out, names[i], names[0] === 'passing_percentage' ? percentText(value) : str(value));
  }
  const details = pick(result, 'more_details', 'moreDetails');
  if (Array.isArray(details)) {
    const list = details
      .filter((d): d is Json => typeof d === 'object' && d !== null)
      .map((d) => {
        const o: Json = {};
        for (const [, names] of Object.entries(SMI_DETAIL_KEYS)) put(o, names[i], str(pick(d, names[0], names[1])));
        return o;
      });
    put(out, i === 0 ? 'more_details' : 'moreDetails', list);
  }
  return out;
}

/** Meshery's dashboard shows `passing_percentage` as text like "49.6%"; a number is written that way. */
function percentText(v: unknown): string | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return `${Math.round(v * 10) / 10}%`;
  return str(v);
}

// ---------------------------------------------------------------------------------------------
// PerformanceProfile (server/models/performance_profiles.go: camelCase @1b9fd34, snake_case @7203c00)

export interface PerformanceProfileInput {
  /** The provider's id, when updating a known profile. */
  id?: string;
  name: string;
  loadGenerators?: string[];
  endpoints?: string[];
  /** The SMP mesh enum name (e.g. ISTIO), as mesheryctl sends it; "None" without a mesh. */
  serviceMesh?: string;
  concurrentRequest?: number;
  qps?: number;
  /** A Go duration, e.g. "30s". */
  duration?: string;
  requestHeaders?: Record<string, string>;
  requestCookies?: Record<string, string>;
  requestBody?: string;
  contentType?: string;
  metadata?: Record<string, unknown>;
}

const PROFILE_KEYS: Record<string, [camel: string, snake: string]> = {
  id: ['id', 'id'],
  name: ['name', 'name'],
  loadGenerators: ['loadGenerators', 'load_generators'],
  endpoints: ['endpoints', 'endpoints'],
  serviceMesh: ['serviceMesh', 'service_mesh'],
  concurrentRequest: ['concurrentRequest', 'concurrent_request'],
  qps: ['qps', 'qps'],
  duration: ['duration', 'duration'],
  requestHeaders: ['requestHeaders', 'request_headers'],
  requestCookies: ['requestCookies', 'request_cookies'],
  metadata: ['metadata', 'metadata'],
  requestBody: ['requestBody', 'request_body'],
  contentType: ['contentType', 'content_type'],
};

/**
 * The PerformanceProfile body. Secrets never go to the provider: endpoint URLs lose their
 * credentials, sensitive headers (Authorization, …) become "[redacted]" and cookie values are
 * dropped. Go's `requestHeaders`/`requestCookies` are strings: the maps are sent as JSON text, as
 * Meshery's UI stores them. `concurrentRequest` and `qps` are Go ints.
 */
export function performanceProfileBody(input: PerformanceProfileInput, casing: Casing = DEFAULT_CASING): Json {
  const k = (name: keyof typeof PROFILE_KEYS) => PROFILE_KEYS[name]![casing === 'snake' ? 1 : 0];
  const out: Json = {};
  if (input.id !== undefined) put(out, k('id'), isUuid(input.id) ? input.id : undefined);
  put(out, k('name'), input.name);
  put(out, k('loadGenerators'), (input.loadGenerators ?? []).filter((g) => g !== ''));
  put(out, k('endpoints'), (input.endpoints ?? []).filter((u) => u !== '').map(redactUrl));
  put(out, k('serviceMesh'), input.serviceMesh);
  put(out, k('concurrentRequest'), goInt(input.concurrentRequest));
  put(out, k('qps'), goInt(input.qps));
  put(out, k('duration'), input.duration);
  const headers = input.requestHeaders && Object.keys(input.requestHeaders).length > 0 ? JSON.stringify(redactHeaders(input.requestHeaders)) : undefined;
  const cookies = input.requestCookies && Object.keys(input.requestCookies).length > 0 ? JSON.stringify(redactCookies(input.requestCookies)) : undefined;
  put(out, k('requestHeaders'), headers);
  put(out, k('requestCookies'), cookies);
  if (input.metadata && Object.keys(input.metadata).length > 0) out[k('metadata')] = sanitizeJson(input.metadata);
  put(out, k('requestBody'), input.requestBody);
  put(out, k('contentType'), input.contentType);
  return out;
}

/** Go `int` with omitempty: a whole number, and 0 is left out. */
function goInt(v: number | undefined): number | undefined {
  if (typeof v !== 'number' || !Number.isFinite(v)) return undefined;
  const n = Math.round(v);
  return n === 0 ? undefined : n;
}

// ---------------------------------------------------------------------------------------------
// MesheryResult (server/models/load-test.go: camelCase @0bf8fc2, snake_case @61a3e4f)

export interface MesheryResultInput {
  /** The test's name. Meshery fills name, mesh and runnerResults. */
  name?: string;
  mesh?: string;
  /** The performance profile's id (a UUID in Go; left out otherwise). */
  performanceProfile?: string;
  /** Go `testId` has no omitempty: always sent. */
  testId: string;
  /** Fortio's HTTPRunnerResults JSON. */
  runnerResults: Json;
  /** RFC 3339. */
  testStartTime?: string;
  serverMetrics?: unknown;
  serverBoardConfig?: unknown;
}

export function mesheryResultBody(input: MesheryResultInput, casing: Casing = DEFAULT_CASING): Json {
  const snake = casing === 'snake';
  const out: Json = {};
  put(out, 'name', input.name);
  put(out, 'mesh', input.mesh);
  if (isUuid(input.performanceProfile)) out[snake ? 'performance_profile' : 'performanceProfile'] = input.performanceProfile;
  out[snake ? 'test_id' : 'testId'] = input.testId;
  out[snake ? 'runner_results' : 'runnerResults'] = input.runnerResults;
  if (input.serverMetrics !== undefined) out[snake ? 'server_metrics' : 'serverMetrics'] = sanitizeJson(input.serverMetrics);
  if (input.serverBoardConfig !== undefined) out[snake ? 'server_board_config' : 'serverBoardConfig'] = sanitizeJson(input.serverBoardConfig);
  if (input.testStartTime !== undefined && !Number.isNaN(Date.parse(input.testStartTime))) {
    out[snake ? 'test_start_time' : 'testStartTime'] = input.testStartTime;
  }
  return out;
}

/**
 * Fortio's JSON as `runnerResults`: `RunType` must be "HTTP" (Meshery's ConvertToSpec
 * type-asserts it), `load-generator` is added as Meshery adds it, and anything secret is redacted
 * (URLs lose credentials, sensitive header values and keys become "[redacted]").
 */
export function runnerResultsFrom(fortio: Json, options: { loadGenerator?: string } = {}): Json {
  const out = sanitizeJson(fortio) as Json;
  if (typeof out.RunType !== 'string' || out.RunType === '') out.RunType = 'HTTP';
  if (typeof out['load-generator'] !== 'string') out['load-generator'] = options.loadGenerator ?? 'fortio';
  return out;
}

/**
 * A deep copy with secrets removed: string values under sensitive key names are replaced, header
 * maps are redacted, and http(s) URLs lose their credentials and sensitive query values.
 */
export function sanitizeJson(value: unknown, key = ''): unknown {
  if (typeof value === 'string') {
    if (key !== '' && isSensitiveKey(key)) return REDACTED;
    return /^https?:\/\//i.test(value) ? redactUrl(value) : value;
  }
  if (Array.isArray(value)) {
    // Header values may be lists (Go's http.Header): a sensitive key redacts the whole list.
    if (key !== '' && isSensitiveKey(key)) return value.map(() => REDACTED);
    return value.map((v) => sanitizeJson(v));
  }
  if (value && typeof value === 'object') {
    const out: Json = {};
    for (const [k, v] of Object.entries(value as Json)) out[k] = sanitizeJson(v, k);
    return out;
  }
  return value;
}

const isSensitiveKey = isSensitiveName;
