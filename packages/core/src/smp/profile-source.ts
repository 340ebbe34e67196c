import { existsSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { inputError } from '../errors.js';
import type { SmpProfile } from './profile.js';
import { buildProfile, readProfile } from './profile.js';

/**
 * Finds `profile_filename` the way users of both actions expect: a path in the workspace first,
 * then, as Meshery's action did, a file under `.github/`.
 */
export function resolveProfileFile(name: string, workspace: string): { path: string; display: string } {
  const candidates = isAbsolute(name) ? [name] : [resolve(workspace, name), resolve(workspace, '.github', name)];
  const hit = candidates.find((c) => existsSync(c));
  if (!hit) {
    throw inputError(
      `input profile_filename: "${name}" was not found; looked for ${candidates.map((c) => relative(workspace, c) || c).join(' and ')} in the workspace. ` +
        'Check out the repository first (actions/checkout) and give the path from the repository root.',
    );
  }
  const display = relative(workspace, hit);
  return { path: hit, display: display.startsWith('..') ? hit : display };
}

/** A profile for a run given only endpoint URLs: mesheryctl's defaults (1 connection, 30 s, as fast as possible). */
export function defaultProfile(endpoints: string[], source = 'endpoint_url'): SmpProfile {
  return buildProfile({ test: { name: 'meshspec', duration: '30s', clients: [{ connections: 1, rps: 0, endpoint_urls: endpoints }] } }, source);
}

export async function loadProfileFile(name: string, workspace: string): Promise<SmpProfile> {
  const { path, display } = resolveProfileFile(name, workspace);
  return readProfile(path, display);
}

