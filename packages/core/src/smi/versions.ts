import type { Served } from '../kube/client.js';
import { inputError } from '../errors.js';

/**
 * Which API versions a run tests. `auto` (the default) tests, per kind, the newest version the
 * cluster serves: no mesh that can be installed today serves all of SMI v0.6.0 (OSM v1.2.4 serves
 * split v1alpha2 only, linkerd-smi v0.2.7 split v1alpha1/v1alpha2, Traefik Mesh v1.4.8 access
 * v1alpha2, specs v1alpha3 and split v1alpha3; see test/fixtures/mesh-crds/), so a release pin would
 * score every one of them 0 for versions rather than behaviour. For a CRD group the newest served
 * version is also what discovery reports as preferred (apiextensions-apiserver sorts a group's
 * served versions by Kubernetes version priority). `v0.6.0` pins one version per API group, for
 * strict testing against that release. Either way the result records the versions tested.
 */

/** The SMI kinds the suite creates or reads, with where the cluster serves them. */
export type SmiKind = 'TrafficTarget' | 'HTTPRouteGroup' | 'TCPRoute' | 'TrafficSplit' | 'TrafficMetrics';

type SmiApi = 'access' | 'specs' | 'split' | 'metrics';

export interface SmiKindInfo {
  kind: SmiKind;
  api: SmiApi;
  group: string;
  plural: string;
  /** The CRD that serves it; TrafficMetrics is served by an aggregated APIService instead. */
  crd?: string;
  /** What the CRD must report in status.acceptedNames (the names users type in kubectl). */
  acceptedNames?: { kind: string; plural: string; singular: string; shortNames?: string[] };
}

export const SMI_KINDS: Record<SmiKind, SmiKindInfo> = {
  TrafficTarget: {
    kind: 'TrafficTarget', api: 'access', group: 'access.smi-spec.io', plural: 'traffictargets', crd: 'traffictargets.access.smi-spec.io',
    acceptedNames: { kind: 'TrafficTarget', plural: 'traffictargets', singular: 'traffictarget', shortNames: ['tt'] },
  },
  HTTPRouteGroup: {
    kind: 'HTTPRouteGroup', api: 'specs', group: 'specs.smi-spec.io', plural: 'httproutegroups', crd: 'httproutegroups.specs.smi-spec.io',
    acceptedNames: { kind: 'HTTPRouteGroup', plural: 'httproutegroups', singular: 'httproutegroup', shortNames: ['htr'] },
  },
  TCPRoute: {
    kind: 'TCPRoute', api: 'specs', group: 'specs.smi-spec.io', plural: 'tcproutes', crd: 'tcproutes.specs.smi-spec.io',
    acceptedNames: { kind: 'TCPRoute', plural: 'tcproutes', singular: 'tcproute', shortNames: ['tr'] },
  },
  TrafficSplit: {
    kind: 'TrafficSplit', api: 'split', group: 'split.smi-spec.io', plural: 'trafficsplits', crd: 'trafficsplits.split.smi-spec.io',
    acceptedNames: { kind: 'TrafficSplit', plural: 'trafficsplits', singular: 'trafficsplit', shortNames: ['ts'] },
  },
  TrafficMetrics: { kind: 'TrafficMetrics', api: 'metrics', group: 'metrics.smi-spec.io', plural: 'trafficmetrics' },
};

/** SMI releases (smi-spec README, "Latest Release") and the version of each API they define. */
const SMI_RELEASES = {
  'v0.6.0': { access: 'v1alpha3', specs: 'v1alpha4', split: 'v1alpha4', metrics: 'v1alpha1' },
} as const satisfies Record<string, Record<SmiApi, string>>;

type SmiRelease = keyof typeof SMI_RELEASES;
export type SmiVersionChoice = SmiRelease | 'auto';
export const DEFAULT_SMI_VERSION: SmiVersionChoice = 'auto';

/**
 * Reads `smi_version`: `auto` (empty means auto) or a release. The suite writes each kind in the
 * shape of the version under test (objects.ts), so `auto` covers meshes that serve older versions.
 */
export function parseSmiVersion(text: string | undefined, where: string): SmiVersionChoice {
  const v = (text ?? '').trim().toLowerCase();
  if (v === '') return DEFAULT_SMI_VERSION;
  if (v === 'auto') return 'auto';
  const normalized = v.startsWith('v') ? v : `v${v}`;
  if (normalized in SMI_RELEASES) return normalized as SmiRelease;
  throw inputError(`${where}: unsupported SMI version "${text}"; use ${Object.keys(SMI_RELEASES).join(', ')} or auto (the newest version each CRD serves)`);
}

const KUBE_VERSION = /^v(\d+)(?:(alpha|beta)(\d+))?$/;

/**
 * Kubernetes version priority (the rule `kubectl api-versions` sorts by): GA before beta before
 * alpha, then by number. Returns > 0 when a is newer. Versions that do not parse sort last, by name.
 */
export function compareKubeVersions(a: string, b: string): number {
  const rank = (v: string): [number, number, number] | undefined => {
    const m = KUBE_VERSION.exec(v);
    if (!m) return undefined;
    const stability = m[2] === undefined ? 3 : m[2] === 'beta' ? 2 : 1;
    return [stability, Number(m[1]), m[3] === undefined ? 0 : Number(m[3])];
  };
  const ra = rank(a);
  const rb = rank(b);
  if (!ra || !rb) return ra ? 1 : rb ? -1 : a.localeCompare(b);
  // Major version first (v2alpha1 is newer than v1), then stability, then the pre-release number.
  if (ra[1] !== rb[1]) return ra[1] - rb[1];
  if (ra[0] !== rb[0]) return ra[0] - rb[0];
  return ra[2] - rb[2];
}

/** Served versions, newest first. */
export function sortNewestFirst(versions: string[]): string[] {
  return [...versions].sort((a, b) => compareKubeVersions(b, a));
}

/** What the cluster serves for one kind: nothing (no CRD or APIService), or these versions. */
export type { Served };

export type Resolution =
  | { ok: true; kind: SmiKind; version: string; apiVersion: string }
  | { ok: false; kind: SmiKind; reason: string; served: string[] };

/** The reason a spec fails when its group is not served at all. */
const noApi = (group: string): string => `the mesh serves no ${group} API`;

/** Picks the version to test for one kind, or explains why there is none. */
export function chooseVersion(choice: SmiVersionChoice, kind: SmiKind, served: Served): Resolution {
  const info = SMI_KINDS[kind];
  const where = info.crd ? `CRD ${info.crd}` : `the ${info.group} API (an aggregated APIService)`;
  // A group served in no version is a test result, worded the same for every kind of the group.
  if (!served.installed) {
    return { ok: false, kind, served: [], reason: `${noApi(info.group)}: ${where} is not installed${served.detail ? ` (${served.detail})` : ''}, so ${kind} cannot be tested` };
  }
  const versions = sortNewestFirst(served.versions);
  if (versions.length === 0) return { ok: false, kind, served: [], reason: `${noApi(info.group)}: ${where} serves no version of ${kind}` };
  const wanted = choice === 'auto' ? versions[0]! : SMI_RELEASES[choice][info.api];
  if (!versions.includes(wanted)) {
    return {
      ok: false,
      kind,
      served: versions,
      reason: `${kind} ${info.group}/${wanted} (SMI ${choice}) is not served; ${where} serves ${versions.join(', ')}. Use smi_version: auto to test the newest served version`,
    };
  }
  return { ok: true, kind, version: wanted, apiVersion: `${info.group}/${wanted}` };
}

/**
 * Resolves and remembers versions for one run. `lookup` asks the cluster what it serves; it is
 * injected so that this stays testable without one.
 */
export class ApiVersions {
  private readonly resolved = new Map<SmiKind, Resolution>();
  constructor(
    readonly choice: SmiVersionChoice,
    private readonly lookup: (kind: SmiKind) => Promise<Served>,
  ) {}

  /** Asks the cluster again (the CRD step does, since a CRD may have changed) and remembers the answer. */
  async refresh(kind: SmiKind): Promise<Resolution> {
    const r = chooseVersion(this.choice, kind, await this.lookup(kind));
    this.resolved.set(kind, r);
    return r;
  }

  async resolve(kind: SmiKind): Promise<Resolution> {
    return this.resolved.get(kind) ?? this.refresh(kind);
  }

  /** The apiVersion to write objects with; throws the reason when the kind is not served. */
  async apiVersion(kind: SmiKind): Promise<string> {
    const r = await this.resolve(kind);
    if (!r.ok) throw new Error(r.reason);
    return r.apiVersion;
  }

  /**
   * For kinds a case only uses as scaffolding (the TrafficTarget that lets traffic-split's calls
   * through, say): the release's version when served, else the newest served one, so a mesh is
   * not failed twice for one old CRD. Returns the apiVersion and, when it deviated, a note.
   */
  async helperApiVersion(kind: SmiKind): Promise<{ apiVersion: string; note?: string } | { error: string }> {
    const r = await this.resolve(kind);
    if (r.ok) return { apiVersion: r.apiVersion };
    if (r.served.length === 0) return { error: r.reason };
    const apiVersion = `${SMI_KINDS[kind].group}/${r.served[0]}`;
    return { apiVersion, note: `${kind} is written as ${apiVersion}, the newest version the cluster serves (${r.reason.split(';')[0]})` };
  }

  /** Every version resolved so far, as `kind -> group/version` (for the result). */
  tested(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [kind, r] of this.resolved) if (r.ok) out[kind] = r.apiVersion;
    return out;
  }
}
