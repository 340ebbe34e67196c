import { readFile } from 'node:fs/promises';
import yaml from 'js-yaml';
import { inputError, MeshspecError } from '../errors.js';
import { durationProblem, formatGoDuration, parseGoDuration, parseGoDurationNs } from '../duration.js';
import { findMesh, type MeshInfo } from '../mesh/registry.js';
import { sensitiveValues } from '../redact.js';
import { describeAjvError, validatorFor } from '../schemas/index.js';
import { duplicateKeyPath } from './duplicate-keys.js';
import { encodeRequest } from './loadgen/request-encoder.js';
import { connectionLimit, OPEN_FILES_MARGIN } from './open-files.js';

/**
 * SMP profiles come in several dialects: Meshery's `{test, mesh}` envelope or a bare
 * PerformanceTestConfig; snake_case (Go json tags) or lowerCamelCase (proto3 JSON); enums as
 * numbers or names. We normalise to one form first, then validate it with ajv against
 * schemas/smp-profile.schema.json, then apply the rules a schema cannot express.
 */

export interface SmpClient {
  internal: boolean;
  load_generator: string;
  protocol: number;
  connections: number;
  rps: number;
  headers: Record<string, string>;
  cookies: Record<string, string>;
  body: string;
  content_type: string;
  endpoint_urls: string[];
  ssl_certificate?: string;
  additional_options?: string;
}

export interface SmpProfile {
  /** Where it came from, for messages and annotations. */
  source: string;
  smp_version: string;
  id?: string;
  name: string;
  labels: Record<string, string>;
  duration: string;
  durationMs: number;
  clients: SmpClient[];
  mesh: { type: number; info: MeshInfo; version?: string; labels: Record<string, string>; annotations: Record<string, string> };
}

/** One problem with a profile, in the `file: json-path: message` form the CLI prints. */
export interface ProfileProblem {
  path: string;
  message: string;
}

export class ProfileError extends MeshspecError {
  constructor(
    readonly source: string,
    readonly problems: ProfileProblem[],
    /** The profile's file, when it came from one: annotations point at files only. */
    file?: string,
  ) {
    super('input', `${source}: ${problems.length === 1 ? 'the profile is invalid' : `the profile has ${problems.length} problems`}; fix the lines above`, {
      details: problems.map((p) => `${source}: ${p.path}: ${p.message}`),
      file,
    });
  }
}

// proto3 JSON names (lowerCamelCase) to the Go json tags (snake_case). Maps such as headers,
// cookies and labels are left alone: their keys are the user's data.
const CONFIG_KEYS: Record<string, string> = { smpVersion: 'smp_version' };
const CLIENT_KEYS: Record<string, string> = {
  loadGenerator: 'load_generator',
  contentType: 'content_type',
  endpointUrls: 'endpoint_urls',
  endpointUrl: 'endpoint_urls',
  sslCertificate: 'ssl_certificate',
  additionalOptions: 'additional_options',
};
const MAP_FIELDS = new Set(['labels', 'headers', 'cookies', 'annotations']);

const PROTOCOLS: Record<string, number> = { protocol_invalid: 0, invalid: 0, http: 1, tcp: 2, udp: 3, grpc: 4 };
const PROTOCOL_NAMES = ['PROTOCOL_INVALID', 'HTTP', 'TCP', 'UDP', 'GRPC'];

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Renames keys of one object level; records the user's spelling so messages can quote it.
 * Returns problems for keys given twice in both spellings.
 */
function renameKeys(obj: Json, table: Record<string, string>, path: string, spelled: Map<string, string>, problems: ProfileProblem[]): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(obj)) {
    const target = table[k] ?? k;
    if (target in out) {
      problems.push({ path: `${path}.${k}`, message: `given twice (as ${target} and ${k}); keep one` });
      continue;
    }
    out[target] = v;
    if (target !== k) spelled.set(`${path}.${target}`, `${path}.${k}`);
  }
  return out;
}

function normaliseEnum(value: unknown, path: string, problems: ProfileProblem[], names: Record<string, number>, what: string): unknown {
  if (typeof value === 'number' || value === undefined) return value;
  if (typeof value === 'string') {
    const key = value.trim().toLowerCase().replace(/^protocol_/, '');
    if (/^\d+$/.test(key)) return Number(key);
    if (key in names) return names[key];
  }
  problems.push({ path, message: `unknown ${what} ${JSON.stringify(value)}` });
  return value;
}

/**
 * Optional fields left empty mean "not set": real profiles (the SMP blog post's, in
 * test/fixtures/smp/) write `id:` with no value, `body: ""` or `headers:` with nothing under it.
 * Dropping them here lets the defaults apply, as if the key were absent. Required fields
 * (`clients`, `duration`, `endpoint_urls`) are kept, so an empty one is still reported.
 */
function dropEmpty(obj: Json, required: readonly string[]): Json {
  for (const [k, v] of Object.entries(obj)) {
    if (required.includes(k)) continue;
    if (v === null || v === '') delete obj[k];
  }
  return obj;
}

/** Stringifies scalar map values (YAML turns `x-retries: 3` into a number). */
function stringMap(v: unknown): unknown {
  if (!isObject(v)) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = typeof x === 'number' || typeof x === 'boolean' ? String(x) : x;
  return out;
}

export interface NormaliseOutcome {
  /** The normalised document, `{test, mesh}`. */
  document: Json;
  problems: ProfileProblem[];
  /** Normalised path -> the user's own path, for messages. */
  spelled: Map<string, string>;
}

/** Normalises a parsed profile document without validating it. */
export function normaliseProfileDocument(doc: unknown): NormaliseOutcome {
  const problems: ProfileProblem[] = [];
  const spelled = new Map<string, string>();
  if (!isObject(doc)) {
    return { document: {}, problems: [{ path: '$', message: 'must be a mapping with a `test:` section (or a bare PerformanceTestConfig with `clients:` and `duration:`)' }], spelled };
  }
  const envelope = 'test' in doc;
  // Paths are kept in envelope form inside; buildProfile maps them back for bare files.
  const prefix = '$.test';
  const rawTest = envelope ? doc.test : doc;
  const rawMesh = envelope ? doc.mesh : undefined;
  if (envelope) {
    for (const k of Object.keys(doc)) if (k !== 'test' && k !== 'mesh') problems.push({ path: `$.${k}`, message: 'unknown field; a profile file has `test:` and optionally `mesh:`' });
  }
  if (!isObject(rawTest)) {
    problems.push({ path: prefix, message: 'must be a mapping (a PerformanceTestConfig)' });
    return { document: {}, problems, spelled };
  }
  const test = dropEmpty(renameKeys(rawTest, CONFIG_KEYS, prefix, spelled, problems), ['clients', 'duration']);
  if (isObject(test.labels)) test.labels = stringMap(test.labels);
  if (Array.isArray(test.clients)) {
    test.clients = test.clients.map((c, i) => {
      if (!isObject(c)) return c;
      const cp = `${prefix}.clients[${i}]`;
      const client = dropEmpty(renameKeys(c, CLIENT_KEYS, cp, spelled, problems), ['endpoint_urls']);
      client.protocol = normaliseEnum(client.protocol, `${cp}.protocol`, problems, PROTOCOLS, 'protocol');
      // A single URL given as a string is a common slip; accept it as a list of one.
      if (typeof client.endpoint_urls === 'string') client.endpoint_urls = [client.endpoint_urls];
      if (typeof client.load_generator === 'string') client.load_generator = client.load_generator.trim().toLowerCase();
      for (const f of MAP_FIELDS) if (isObject(client[f])) client[f] = stringMap(client[f]);
      return client;
    });
  }
  const document: Json = { test };
  if (rawMesh !== undefined && rawMesh !== null) {
    if (!isObject(rawMesh)) {
      problems.push({ path: '$.mesh', message: 'must be a mapping such as {type: ISTIO}' });
    } else {
      const mesh = dropEmpty({ ...rawMesh }, []);
      if (mesh.type !== undefined && typeof mesh.type !== 'number') {
        const info = findMesh(String(mesh.type));
        if (info) mesh.type = info.smpType;
        else problems.push({ path: '$.mesh.type', message: `unknown service mesh ${JSON.stringify(mesh.type)}; use an SMP mesh name (ISTIO, LINKERD, OPEN_SERVICE_MESH, ...) or its number` });
      }
      for (const f of MAP_FIELDS) if (isObject(mesh[f])) mesh[f] = stringMap(mesh[f]);
      document.mesh = mesh;
    }
  }
  return { document, problems, spelled };
}

function isAbsoluteHttpUrl(value: string): string | undefined {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    return 'is not an absolute URL; write it with its scheme and host, e.g. http://127.0.0.1:8080/';
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return `uses ${u.protocol.replace(':', '')}; only http and https endpoints can be loaded`;
  if (!u.hostname) return 'has no host';
  return undefined;
}

/**
 * Validates a normalised document and builds the typed profile. Every problem is collected,
 * so a user sees all of them at once.
 */
export function buildProfile(doc: unknown, source: string, file?: string): SmpProfile {
  const { document, problems, spelled } = normaliseProfileDocument(doc);
  const bare = isObject(doc) && !('test' in doc);
  const user = (p: string) => {
    const mapped = [...spelled.entries()].reduce((acc, [norm, orig]) => (acc.startsWith(norm) ? orig + acc.slice(norm.length) : acc), p);
    return bare ? mapped.replace(/^\$\.test/, '$') : mapped;
  };
  if (problems.length === 0) {
    const validate = validatorFor('smp-profile.schema.json');
    const givenDuration = isObject(document.test) ? document.test.duration : undefined;
    const valid: boolean = validate(document);
    if (!valid) {
      for (const e of validate.errors ?? []) {
        const d = describeAjvError(e);
        if (e.keyword === 'pattern' && d.path.endsWith('.duration')) d.message = `${JSON.stringify(givenDuration)} is not a Go duration; write it like 30s, 1m30s or 250ms`;
        problems.push(d);
      }
    }
  }
  const schemaFailed = problems.length > 0;

  // The rules a schema cannot express. They run even when the schema failed, guarded by type
  // checks, so that a user sees every problem in one pass.
  const test = (isObject(document.test) ? document.test : {}) as Json;
  const durationMs = parseGoDuration(String(test.duration ?? ''));
  // The schema's pattern already rejects what is not a Go duration; zero, under 1ms and beyond
  // Go's maximum are the rules left.
  if (typeof test.duration === 'string' && parseGoDurationNs(test.duration) !== undefined) {
    const why = durationProblem(test.duration);
    if (why) problems.push({ path: '$.test.duration', message: why });
  }
  const clientsIn = Array.isArray(test.clients) ? (test.clients as unknown[]) : [];
  const clients: SmpClient[] = clientsIn.map((raw, i) => {
    const c = isObject(raw) ? raw : {};
    const cp = `$.test.clients[${i}]`;
    const urls = Array.isArray(c.endpoint_urls) ? c.endpoint_urls.filter((u): u is string => typeof u === 'string').map((u) => u.trim()) : [];
    urls.forEach((u, j) => {
      const why = isAbsoluteHttpUrl(u);
      if (why) problems.push({ path: `${cp}.endpoint_urls[${j}]`, message: `"${u}" ${why}` });
    });
    const protocol = typeof c.protocol === 'number' ? c.protocol : 1;
    if (protocol === 0) problems.push({ path: `${cp}.protocol`, message: 'PROTOCOL_INVALID; use HTTP (1)' });
    else if (protocol !== 1 && PROTOCOL_NAMES[protocol]) {
      problems.push({ path: `${cp}.protocol`, message: `${PROTOCOL_NAMES[protocol]} is not supported yet; only HTTP (1) runs today` });
    }
    return {
      internal: c.internal === true,
      load_generator: (c.load_generator as string | undefined) || 'native',
      protocol,
      connections: (c.connections as number | undefined) ?? 1,
      rps: (c.rps as number | undefined) ?? 0,
      headers: (c.headers as Record<string, string> | undefined) ?? {},
      cookies: (c.cookies as Record<string, string> | undefined) ?? {},
      body: (c.body as string | undefined) ?? '',
      content_type: (c.content_type as string | undefined) ?? '',
      endpoint_urls: urls,
      ssl_certificate: c.ssl_certificate as string | undefined,
      additional_options: c.additional_options as string | undefined,
    };
  });
  const internal = clients.filter((c) => c.internal).length;
  if (internal > 0 && internal < clients.length) {
    // One load source per run: pods and the runner would start at different times and their
    // latencies would mix two vantage points in one histogram.
    const first = clients.findIndex((c) => c.internal !== clients[0]!.internal);
    problems.push({
      path: `$.test.clients[${first}].internal`,
      message: `${internal} of ${clients.length} clients are internal: true; a run loads either from inside the cluster (every client internal: true) or from the runner (none), so make them all the same, or split the profile in two`,
    });
  }
  problems.push(...requestProblems(clients));
  const tooMany = connectionsProblem(clients);
  if (tooMany) problems.push({ path: '$.test.clients', message: tooMany });
  if (problems.length > 0 || schemaFailed) {
    throw new ProfileError(source, dedupe(problems.map((p) => ({ path: user(p.path), message: p.message }))), file);
  }

  const meshIn = (document.mesh as Json | undefined) ?? {};
  const info = findMesh((meshIn.type as number | undefined) ?? 0)!;
  return {
    source,
    smp_version: (test.smp_version as string | undefined) ?? 'v0.0.1',
    id: test.id as string | undefined,
    name: ((test.name as string | undefined) ?? '').trim() || defaultName(source),
    labels: (test.labels as Record<string, string> | undefined) ?? {},
    duration: String(test.duration),
    durationMs: durationMs!,
    clients,
    mesh: {
      type: info.smpType,
      info,
      version: meshIn.version as string | undefined,
      labels: (meshIn.labels as Record<string, string> | undefined) ?? {},
      annotations: (meshIn.annotations as Record<string, string> | undefined) ?? {},
    },
  };
}

/**
 * Builds each client's requests as the load generator will (request-encoder.ts), so a header with
 * a line break or a cookie that cannot be sent is refused by `smp validate` exactly as by `smp run`.
 */
function requestProblems(clients: readonly SmpClient[]): ProfileProblem[] {
  const problems: ProfileProblem[] = [];
  clients.forEach((c, i) => {
    const url = c.endpoint_urls.find((u) => isAbsoluteHttpUrl(u) === undefined);
    if (url === undefined) return;
    try {
      encodeRequest(url, { method: c.body ? 'POST' : 'GET', headers: c.headers, cookies: c.cookies, body: c.body || undefined, contentType: c.content_type || undefined });
    } catch (error) {
      problems.push({ path: `$.test.clients[${i}]`, message: (error as Error).message });
    }
  });
  return problems;
}

/** Connections the generator opens here: each runner client's, at least one per origin of its URLs (internal clients load from pods). */
function totalConnections(clients: readonly SmpClient[]): number {
  return clients.filter((c) => !c.internal).reduce((sum, c) => {
    const origins = new Set(c.endpoint_urls.map((u) => URL.canParse(u) ? new URL(u).origin : u)).size;
    return sum + Math.max(c.connections, origins, 1);
  }, 0);
}

/** The sum of connections over all clients must fit in what this process can open (Linux only). */
export function connectionsProblem(clients: readonly SmpClient[]): string | undefined {
  const limit = connectionLimit();
  const total = totalConnections(clients);
  if (!limit || total <= limit.connections) return undefined;
  return (
    `${total.toLocaleString('en-US')} connections over all clients are more than this process can open: ` +
    `Max open files is ${limit.maxOpenFiles.toLocaleString('en-US')} (/proc/self/limits), less ${OPEN_FILES_MARGIN} kept for meshspec itself, ` +
    `so at most ${limit.connections.toLocaleString('en-US')}; lower connections, or raise the limit (ulimit -n) before running`
  );
}

/** True when the profile's clients run inside the cluster (internal: true; all or none, buildProfile checks). */
export function loadsFromCluster(profile: Pick<SmpProfile, 'clients'>): boolean {
  return profile.clients.length > 0 && profile.clients.every((c) => c.internal);
}

/** The secret values of a profile's requests, for the SecretScrubber and the runner's masking. */
export function profileSecrets(profile: SmpProfile): string[] {
  return profile.clients.flatMap((c) => sensitiveValues({ urls: c.endpoint_urls, headers: c.headers, cookies: c.cookies }));
}

function defaultName(source: string): string {
  const base = source.split(/[\\/]/).pop() ?? 'profile';
  return base.replace(/\.(ya?ml|json)$/i, '') || 'profile';
}

function dedupe(problems: ProfileProblem[]): ProfileProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const k = `${p.path}\0${p.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/**
 * Parses YAML or JSON text (JSON is YAML) with the file name in any syntax error. A key given twice
 * in one mapping is an error naming its path: js-yaml refuses it by default (`json: true` would let
 * the last one win silently, as JSON.parse does), and a profile whose `rps` says two things is not
 * one the user meant.
 */
export function parseProfileText(text: string, source: string): SmpProfile {
  let doc: unknown;
  try {
    doc = yaml.load(text, { filename: source });
  } catch (error) {
    const e = error as yaml.YAMLException;
    const line = e.mark ? e.mark.line + 1 : undefined;
    const duplicate = e.reason === 'duplicated mapping key' ? duplicateKeyPath(text) : undefined;
    if (duplicate) throw new ProfileError(source, [{ path: duplicate, message: `given twice in the same mapping (again on line ${line}); keep one` }], source);
    throw new ProfileError(source, [{ path: line ? `line ${line}` : '$', message: `not valid YAML or JSON: ${e.reason ?? e.message}` }], source);
  }
  return buildProfile(doc, source, source);
}

export async function readProfile(file: string, displayName = file): Promise<SmpProfile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // An annotation points at a file only when there is one.
    throw inputError(`${displayName}: cannot read the profile (${code === 'ENOENT' ? 'no such file' : (error as Error).message})`, code === 'ENOENT' ? {} : { file: displayName });
  }
  return parseProfileText(text, displayName);
}

/** Flags and action inputs that override what the file says (DESIGN.md: flags win). */
export interface ProfileOverrides {
  name?: string;
  endpoints?: string[];
  rps?: number;
  connections?: number;
  durationMs?: number;
  loadGenerator?: string;
  mesh?: MeshInfo;
  meshVersion?: string;
}

/** How overrides are named in messages: CLI flags, or the action's inputs. */
const OVERRIDE_NAMES = {
  cli: { endpoints: '--endpoint', connections: '--connections' },
  action: { endpoints: 'input endpoint_url', connections: 'input connections' },
} as const;

export function applyOverrides(profile: SmpProfile, o: ProfileOverrides, names: keyof typeof OVERRIDE_NAMES = 'cli'): SmpProfile {
  const where = OVERRIDE_NAMES[names];
  const problems: string[] = [];
  for (const u of o.endpoints ?? []) {
    const why = isAbsoluteHttpUrl(u);
    if (why) problems.push(`${where.endpoints}: "${u}" ${why}`);
  }
  if (problems.length === 1) throw inputError(problems[0]!);
  if (problems.length > 1) throw inputError(`${problems.length} endpoint URLs are invalid`, { details: problems });
  const durationMs = o.durationMs ?? profile.durationMs;
  const out = applyValidOverrides(profile, o, durationMs);
  const tooMany = connectionsProblem(out.clients);
  if (tooMany) throw inputError(`${o.connections !== undefined ? where.connections : profile.source}: ${tooMany}`);
  const bad = requestProblems(out.clients);
  if (bad.length) throw inputError(`${where.endpoints}: ${bad[0]!.message}`);
  return out;
}

function applyValidOverrides(profile: SmpProfile, o: ProfileOverrides, durationMs: number): SmpProfile {
  return {
    ...profile,
    name: o.name ?? profile.name,
    durationMs,
    duration: o.durationMs !== undefined ? formatGoDuration(o.durationMs) : profile.duration,
    clients: profile.clients.map((c) => ({
      ...c,
      endpoint_urls: o.endpoints && o.endpoints.length ? [...o.endpoints] : c.endpoint_urls,
      rps: o.rps ?? c.rps,
      connections: o.connections ?? c.connections,
      load_generator: o.loadGenerator ?? c.load_generator,
    })),
    mesh: o.mesh ? { ...profile.mesh, type: o.mesh.smpType, info: o.mesh, version: o.meshVersion ?? profile.mesh.version } : { ...profile.mesh, version: o.meshVersion ?? profile.mesh.version },
  };
}
