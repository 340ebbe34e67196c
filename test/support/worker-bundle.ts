// Tests that run load pods need the worker bundle (packages/core/dist/smp/in-cluster/worker.cjs)
// that the runner delivers in its ConfigMap. Built here when missing or older than its sources,
// as bench/loadgen.mjs builds the core: `npm run build:core` makes it too.
import { buildWorker } from '../../scripts/build-worker.mjs';

export function ensureWorkerBundle(): { path: string; size: number } {
  return buildWorker() as { path: string; size: number };
}
