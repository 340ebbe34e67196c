// The SMI CRDs the simulated mesh installs: the real ones from smi-sdk-go (`crds/*.yaml`, copied
// byte for byte into test/fixtures/smi-crds/ and read by ../crds.mjs), or a mesh profile's own
// (profiles.mjs), then altered by a switch:
// - missing-crd:     the TrafficSplit CRD is left out;
// - old-crd-version: the TrafficTarget CRD serves and stores only v1alpha2, as a mesh built
//                    against an older SMI release would install it.

import { loadSmiCrds } from '../crds.mjs';

/**
 * The CRD objects to install for a rule set.
 * @param {import('./switches.mjs').Rules} rules
 * @returns {any[]}
 */
export function smiCrdManifests(rules) {
  return alterCrds(loadSmiCrds(), rules);
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
