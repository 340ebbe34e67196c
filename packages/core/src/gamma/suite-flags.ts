import { inputError } from '../errors.js';
import type { MeshInfo } from '../mesh/registry.js';
import { parseProfileSelection, suiteProfiles, SUITE_MESH_PROFILES } from './profiles.js';

/**
 * The suite's flags for one mesh: the mesh registry's GAMMA settings (mesh/registry.ts), each
 * overridable by an input of the same name. Flag names are those registered in
 * conformance/utils/flags/flags.go at v1.6.1, always in `--name=value` form, one argv entry each.
 */
export interface GammaOverrides {
  profiles?: string;
  supported_features?: string;
  exempt_features?: string;
  skip_tests?: string;
  organization?: string;
  project?: string;
  url?: string;
  version?: string;
  contact?: string;
  mode?: string;
  allow_crds_mismatch?: boolean;
}

export interface SuiteSettings {
  profiles: string[];
  supportedFeatures: string[];
  exemptFeatures: string[];
  skipTests: string[];
  namespaceLabels: Record<string, string>;
  namespaceAnnotations: Record<string, string>;
  implementation: { organization: string; project: string; url: string; version: string; contact: string[] };
  mode: string;
  allowCrdsMismatch: boolean;
}

/** A mesh run has no Gateway: these are exempt whatever the inputs say. */
const ALWAYS_EXEMPT = ['Gateway', 'ReferenceGrant'];
const NAME = /^[A-Za-z][A-Za-z0-9]*$/;

function list(text: string | undefined): string[] | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  return [...new Set(text.split(/[\s,]+/).filter((w) => w !== ''))];
}

function names(text: string | undefined, where: string, what: string): string[] | undefined {
  const l = list(text);
  const bad = l?.filter((n) => !NAME.test(n)) ?? [];
  if (bad.length > 0) throw inputError(`${where}: ${bad.map((b) => `"${b}"`).join(', ')} ${bad.length === 1 ? `is not a ${what} name` : `are not ${what} names`} (letters and digits, comma-separated, e.g. MeshConsumerRoute)`);
  return l;
}

/** The suite joins contacts with commas and reads them back split on commas: a contact cannot hold one. */
function field(value: string | undefined, fallback: string | undefined, where: string): string {
  const v = (value ?? '').trim() || (fallback ?? '').trim();
  if (!v) throw inputError(`${where} is required for the report's implementation fields (upstream rejects reports without it); set the ${where} input`);
  if (/[\r\n]/.test(v)) throw inputError(`${where}: must be one line`);
  return v;
}

export function resolveSuiteSettings(mesh: MeshInfo, overrides: GammaOverrides, meshVersion: string | undefined, where: (input: string) => string = (i) => i): SuiteSettings {
  const g = mesh.gamma;
  const profiles = suiteProfiles(parseProfileSelection(overrides.profiles, where('profiles'), g?.profiles ?? SUITE_MESH_PROFILES), where('profiles'));
  const exempt = names(overrides.exempt_features, where('exempt_features'), 'feature') ?? g?.exemptFeatures ?? [];
  const contact = list(overrides.contact) ?? g?.implementation.contact ?? [];
  if (contact.length === 0) throw inputError(`${where('contact')} is required for the report's implementation fields (GitHub handles, an email or a support URL, comma-separated)`);
  const mode = (overrides.mode ?? '').trim() || 'default';
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(mode)) throw inputError(`${where('mode')}: "${mode}" is not a mode name (letters, digits, ., _ or -; upstream's default is "default")`);
  return {
    profiles,
    supportedFeatures: names(overrides.supported_features, where('supported_features'), 'feature') ?? g?.supportedFeatures ?? [],
    exemptFeatures: [...new Set([...ALWAYS_EXEMPT, ...exempt])],
    skipTests: names(overrides.skip_tests, where('skip_tests'), 'test') ?? g?.skipTests.map((s) => s.test) ?? [],
    namespaceLabels: mesh.injection.labels ?? {},
    namespaceAnnotations: mesh.injection.annotations ?? {},
    implementation: {
      organization: field(overrides.organization, g?.implementation.organization, where('organization')),
      project: field(overrides.project, g?.implementation.project, where('project')),
      url: field(overrides.url, g?.implementation.url, where('url')),
      version: field(overrides.version, meshVersion, where('version')),
      contact,
    },
    mode,
    allowCrdsMismatch: overrides.allow_crds_mismatch === true,
  };
}

const pairs = (m: Record<string, string>) => Object.entries(m).map(([k, v]) => `${k}=${v}`).join(',');

/** The arguments after `-args`. */
export function suiteArgs(s: SuiteSettings, reportOutput: string): string[] {
  const impl = s.implementation;
  return [
    `--conformance-profiles=${s.profiles.join(',')}`,
    ...(s.supportedFeatures.length ? [`--supported-features=${s.supportedFeatures.join(',')}`] : []),
    `--exempt-features=${s.exemptFeatures.join(',')}`,
    ...(Object.keys(s.namespaceLabels).length ? [`--namespace-labels=${pairs(s.namespaceLabels)}`] : []),
    ...(Object.keys(s.namespaceAnnotations).length ? [`--namespace-annotations=${pairs(s.namespaceAnnotations)}`] : []),
    ...(s.skipTests.length ? [`--skip-tests=${s.skipTests.join(',')}`] : []),
    `--report-output=${reportOutput}`,
    `--organization=${impl.organization}`,
    `--project=${impl.project}`,
    `--url=${impl.url}`,
    `--version=${impl.version}`,
    `--contact=${impl.contact.join(',')}`,
    `--mode=${s.mode}`,
    ...(s.allowCrdsMismatch ? ['--allow-crds-mismatch'] : []),
  ];
}
