import { findMesh } from '../mesh/registry.js';
import type { PerformanceProfileInput } from './bodies.js';

/**
 * Conversions between an SMP test configuration (the profile file: `test:` + `mesh:`) and
 * Meshery's saved PerformanceProfile. Minimal local shapes, so this module does not depend on the
 * SMP profile parser.
 */
export interface SmpClient {
  internal?: boolean;
  load_generator?: string;
  protocol?: number | string;
  connections?: number;
  rps?: number;
  headers?: Record<string, string>;
  cookies?: Record<string, string>;
  body?: string;
  content_type?: string;
  endpoint_urls?: string[];
}
export interface SmpProfile {
  test: {
    smp_version?: string;
    name?: string;
    labels?: Record<string, string>;
    duration?: string;
    clients: SmpClient[];
  };
  mesh?: { type?: number | string };
}

/**
 * The SMP test configuration the caller has: Meshery's `{test, mesh}` envelope, or a flat
 * PerformanceTestConfig with `mesh` beside it (the normalised profile of src/smp/profile.ts, and the
 * `test` of smp-result.json, have this shape).
 */
export type SmpProfileLike =
  | SmpProfile
  | { name?: string; duration?: string; clients?: SmpClient[]; mesh?: { type?: number | string } };

type Json = Record<string, unknown>;

/** The SMP enum name for a mesh given by any accepted spelling or number; undefined for none or unknown. */
export function smpMeshName(mesh: string | number | undefined): string | undefined {
  if (mesh === undefined || mesh === '') return undefined;
  const m = findMesh(mesh);
  if (!m) return typeof mesh === 'string' ? mesh : undefined;
  return m.id === 'none' ? undefined : m.smpName;
}

/** A PerformanceProfile to create, from the SMP profile that was run. Meshery keeps one client's settings. */
export function profileInputFromSmp(profile: SmpProfileLike, options: { name: string; mesh?: string | number }): PerformanceProfileInput {
  const test = 'test' in profile && profile.test ? profile.test : (profile as { name?: string; duration?: string; clients?: SmpClient[] });
  const clients = test.clients ?? [];
  const first: SmpClient = clients[0] ?? {};
  const endpoints = [...new Set(clients.flatMap((c) => c.endpoint_urls ?? []))];
  const generators = [...new Set(clients.map((c) => c.load_generator).filter((g): g is string => !!g))];
  return {
    name: options.name,
    loadGenerators: generators.length > 0 ? generators : ['fortio'],
    endpoints,
    serviceMesh: smpMeshName(options.mesh ?? profile.mesh?.type),
    concurrentRequest: first.connections,
    qps: first.rps,
    duration: test.duration,
    requestHeaders: first.headers,
    requestCookies: first.cookies,
    requestBody: first.body,
    contentType: first.content_type,
  };
}

/** A PerformanceProfile to create when only Fortio's result is at hand (URL, threads, QPS, duration). */
export function profileInputFromFortio(fortio: Json, options: { name: string; mesh?: string | number; loadGenerator?: string }): PerformanceProfileInput {
  const qps = Number(fortio.RequestedQPS);
  return {
    name: options.name,
    loadGenerators: [options.loadGenerator ?? (typeof fortio['load-generator'] === 'string' ? fortio['load-generator'] : 'fortio')],
    endpoints: typeof fortio.URL === 'string' && fortio.URL !== '' ? [fortio.URL] : [],
    serviceMesh: smpMeshName(options.mesh),
    concurrentRequest: typeof fortio.NumThreads === 'number' ? fortio.NumThreads : undefined,
    // Fortio writes "max" for an unthrottled run; Meshery's qps 0 means the same.
    qps: Number.isFinite(qps) ? qps : 0,
    duration: typeof fortio.RequestedDuration === 'string' ? fortio.RequestedDuration : undefined,
  };
}

function pick(o: Json, ...keys: string[]): unknown {
  for (const k of keys) if (o[k] !== undefined && o[k] !== null) return o[k];
  return undefined;
}

/**
 * Meshery stores `requestHeaders`/`requestCookies` as strings: JSON objects from its UI, sometimes
 * `Name: value` lines or a `a=b; c=d` cookie header. Objects are accepted as they are.
 */
export function parseHeaderText(value: unknown, kind: 'headers' | 'cookies'): Record<string, string> {
  if (value && typeof value === 'object' && !Array.isArray(value)) return stringValues(value as Json);
  if (typeof value !== 'string' || value.trim() === '') return {};
  try {
    const parsed: unknown = JSON.parse(value);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return stringValues(parsed as Json);
  } catch {
    // not JSON: fall through to the line formats
  }
  const out: Record<string, string> = {};
  const parts = kind === 'cookies' ? value.split(/[;\n]/) : value.split(/\r?\n/);
  for (const part of parts) {
    const at = kind === 'cookies' ? part.indexOf('=') : part.indexOf(':');
    if (at <= 0) continue;
    out[part.slice(0, at).trim()] = part.slice(at + 1).trim();
  }
  return out;
}

function stringValues(o: Json): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(o)) {
    if (v === undefined || v === null) continue;
    out[k] = Array.isArray(v) ? v.map(String).join(', ') : typeof v === 'object' ? JSON.stringify(v) : String(v);
  }
  return out;
}

function toNumber(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

function toStrings(v: unknown): string[] {
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string' && x !== '');
  // Postgres text[] can come back as "{a,b}" from older providers.
  if (typeof v === 'string' && v !== '') return v.replace(/^\{|\}$/g, '').split(',').map((s) => s.trim()).filter(Boolean);
  return [];
}

/**
 * A saved PerformanceProfile (either casing) as an SMP profile object that the SMP runner takes:
 * `concurrentRequest` -> connections, `qps` -> rps, `endpoints` -> endpoint_urls, the first of
 * `loadGenerators` -> load_generator, `serviceMesh` -> mesh.type (SMP enum number; 0 when unknown).
 */
export function smpProfileFromPerformanceProfile(p: Json): SmpProfile {
  const generators = toStrings(pick(p, 'loadGenerators', 'load_generators'));
  const client: SmpClient = {
    internal: false,
    load_generator: generators[0] ?? 'fortio',
    protocol: 1,
    connections: toNumber(pick(p, 'concurrentRequest', 'concurrent_request')) ?? 1,
    rps: toNumber(pick(p, 'qps')) ?? 0,
    headers: parseHeaderText(pick(p, 'requestHeaders', 'request_headers'), 'headers'),
    cookies: parseHeaderText(pick(p, 'requestCookies', 'request_cookies'), 'cookies'),
    body: typeof pick(p, 'requestBody', 'request_body') === 'string' ? (pick(p, 'requestBody', 'request_body') as string) : '',
    content_type: typeof pick(p, 'contentType', 'content_type') === 'string' ? (pick(p, 'contentType', 'content_type') as string) : '',
    endpoint_urls: toStrings(pick(p, 'endpoints')),
  };
  const duration = pick(p, 'duration');
  const mesh = pick(p, 'serviceMesh', 'service_mesh');
  const meshInfo = typeof mesh === 'string' || typeof mesh === 'number' ? findMesh(mesh) : undefined;
  const test: SmpProfile['test'] = { clients: [client] };
  if (typeof p.name === 'string' && p.name !== '') test.name = p.name;
  if (typeof duration === 'string' && duration !== '') test.duration = duration;
  return { test, mesh: { type: meshInfo?.smpType ?? 0 } };
}
