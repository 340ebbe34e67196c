// The shared reference files (../shared/reference beside the checkout, as CI lays it out) are read
// in place, never copied into the repository.
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');

/** @param {...string} parts */
export function referencePath(...parts) {
  return resolve(process.env.MESHSPEC_REFERENCE_DIR ?? resolve(root, '../shared/reference'), ...parts);
}
