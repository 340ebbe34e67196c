import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { infraError } from '../../errors.js';

/**
 * Finds the load worker bundle (worker.cjs, built by scripts/build-worker.mjs). It sits beside the
 * module that loads it: packages/core/dist/smp/in-cluster/ for the CLI, smp-action/dist/ beside
 * index.js for the action's bundle. Run from TypeScript (the tests), the core's dist copy is used.
 */
const FILE = 'worker.cjs';

function candidates(): string[] {
  const here = dirname(fileURLToPath(import.meta.url));
  // Joined from a list, not a literal path.join(__dirname, ...): ncc's asset relocation must not
  // copy a stale bundle into the action's dist while it builds (the build copies the fresh one).
  return [here, join(here, '..', '..', '..', 'dist', 'smp', 'in-cluster')].map((dir) => join(dir, FILE));
}

let cached: { path: string; text: string } | undefined;

/** Read once per process: every load window (warm-up, repeats, both sides of a comparison) ships the same bundle. */
export function readWorkerBundle(): { path: string; text: string } {
  if (cached) return cached;
  const found = candidates().find((p) => existsSync(p));
  if (!found) {
    throw infraError(`the load worker bundle ${FILE} is missing (looked at ${candidates().join(', ')}); this meshspec build is incomplete: run npm run build:core`);
  }
  cached = { path: found, text: readFileSync(found, 'utf8') };
  return cached;
}
