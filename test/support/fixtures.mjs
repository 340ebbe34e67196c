// The one way tests and the fake cluster find upstream files: everything lives in test/fixtures/,
// whose README.md records each file's origin, blob and licence (and which test reads it).
import { resolve } from 'node:path';

const FIXTURES = resolve(import.meta.dirname, '../fixtures');

/** @param {...string} parts a path inside test/fixtures/, e.g. fixturePath('smi-crds', 'split.yaml') */
export function fixturePath(...parts) {
  return resolve(FIXTURES, ...parts);
}
