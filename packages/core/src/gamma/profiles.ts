import { inputError } from '../errors.js';

/**
 * Conformance profiles. The mesh ones are MESH-HTTP and MESH-GRPC (conformance/utils/suite/
 * profiles.go since v1.1); reports made with Gateway API v1.0 and before have a single `MESH`
 * profile (and HTTP/TLS for gateways). `gamma report` reads all three by default; `gamma run` can
 * only ask the suite for the ones it knows.
 */
export const REPORT_DEFAULT_PROFILES = ['MESH-HTTP', 'MESH-GRPC', 'MESH'] as const;
export const SUITE_MESH_PROFILES = ['MESH-HTTP', 'MESH-GRPC'] as const;

/** `all`, or the profile names to keep (upper case, as the suite spells them). */
export type ProfileSelection = 'all' | readonly string[];

const NAME = /^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*$/;

/**
 * `--profiles`/`profiles`: a comma- or space-separated list, or `all`. Empty means the default.
 * Names are upper-cased; anything that cannot be a profile name is an input error naming `where`.
 */
export function parseProfileSelection(text: string | readonly string[] | undefined, where: string, fallback: readonly string[] = REPORT_DEFAULT_PROFILES): ProfileSelection {
  const words = (typeof text === 'string' ? [text] : (text ?? [])).flatMap((t) => t.split(/[\s,]+/)).filter((w) => w !== '');
  if (words.length === 0) return fallback;
  if (words.length === 1 && words[0]!.toLowerCase() === 'all') return 'all';
  const names = words.map((w) => w.toUpperCase());
  const bad = names.filter((n) => !NAME.test(n));
  if (bad.length > 0) {
    throw inputError(`${where}: ${bad.map((b) => `"${b}"`).join(', ')} ${bad.length === 1 ? 'is not a profile name' : 'are not profile names'}; use names such as ${SUITE_MESH_PROFILES.join(', ')} (comma-separated), or all`);
  }
  return [...new Set(names)];
}

/** For `gamma run`: only profiles the suite can be asked for; `all` means both mesh profiles. */
export function suiteProfiles(selection: ProfileSelection, where: string): string[] {
  if (selection === 'all') return [...SUITE_MESH_PROFILES];
  const unknown = selection.filter((p) => !(SUITE_MESH_PROFILES as readonly string[]).includes(p));
  if (unknown.length > 0) {
    throw inputError(`${where}: ${unknown.join(', ')}: the suite runs mesh conformance for ${SUITE_MESH_PROFILES.join(' and ')} only (gateway profiles need a Gateway implementation)`);
  }
  return [...selection];
}
