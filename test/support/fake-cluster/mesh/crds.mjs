// The SMI CRDs the simulated mesh installs: the real ones from smi-sdk-go (`crds/*.yaml`, copied
// byte for byte into the shared reference folder), read at runtime, then altered by a switch:
// - missing-crd:     the TrafficSplit CRD is left out;
// - old-crd-version: the TrafficTarget CRD serves and stores only v1alpha2, as a mesh built
//                    against an older SMI release would install it.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * Where the CRD files are looked for, first match wins: `$MESHSPEC_SMI_CRDS_DIR` (as for the API
 * server's crds.mjs), a copy kept in the repository (`reference/smi-crds` at its root), then the
 * shared reference folder beside the repository.
 */
export function crdDirectoryCandidates() {
  const dirs = [
    process.env.MESHSPEC_SMI_CRDS_DIR,
    resolve(here, '../../../fixtures/smi-crds'),
    resolve(here, '../../../../reference/smi-crds'),
    resolve(here, '../../../../../shared/reference/smi-crds'),
  ];
  return [...new Set(dirs.filter((d) => typeof d === 'string' && d.length > 0))];
}

/** @param {string} [dir] */
function findDirectory(dir) {
  const candidates = dir ? [dir] : crdDirectoryCandidates();
  for (const d of /** @type {string[]} */ (candidates)) {
    if (existsSync(d) && readdirSync(d).some((f) => f.endsWith('.yaml'))) return d;
  }
  throw new Error(`SMI CRD files not found; looked in ${candidates.join(', ')}. Set MESHSPEC_SMI_CRDS_DIR.`);
}

/** @type {Map<string, any[]>} */
const cache = new Map();

/**
 * Every CRD document in the directory, parsed (cached; callers get copies).
 * @param {string} [dir]
 * @returns {any[]}
 */
export function loadSmiCrds(dir) {
  const d = findDirectory(dir);
  if (!cache.has(d)) {
    const docs = [];
    for (const file of readdirSync(d).filter((f) => f.endsWith('.yaml')).sort()) {
      for (const doc of yaml.loadAll(readFileSync(join(d, file), 'utf8'))) {
        if (doc && typeof doc === 'object' && /** @type {any} */ (doc).kind === 'CustomResourceDefinition') docs.push(doc);
      }
    }
    cache.set(d, docs);
  }
  return structuredClone(/** @type {any[]} */ (cache.get(d)));
}

/**
 * The CRD objects to install for a rule set.
 * @param {import('./switches.mjs').Rules} rules
 * @param {string} [dir]
 * @returns {any[]}
 */
export function smiCrdManifests(rules, dir) {
  return alterCrds(loadSmiCrds(dir), rules);
}

/**
 * Applies the CRD switches to a list of CRDs (smi-sdk-go's, or a mesh profile's own).
 * @param {any[]} crds
 * @param {import('./switches.mjs').Rules} rules
 * @returns {any[]}
 */
export function alterCrds(crds, rules) {
  if (!rules.trafficSplitCrd) crds = crds.filter((c) => c.metadata.name !== 'trafficsplits.split.smi-spec.io');
  if (!rules.currentAccessCrd) {
    const tt = crds.find((c) => c.metadata.name === 'traffictargets.access.smi-spec.io');
    const old = tt?.spec.versions.find((/** @type {any} */ v) => v.name === 'v1alpha2');
    if (old) tt.spec.versions = [{ ...old, served: true, storage: true }];
  }
  return crds;
}
