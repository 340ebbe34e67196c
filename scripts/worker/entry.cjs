// The entry ncc bundles into worker.cjs (scripts/build-worker.mjs). It is CommonJS on purpose: ncc
// emits CommonJS for a .cjs entry, and the pod runs `node /meshspec/worker.cjs` with no package.json
// beside it. The worker itself is TypeScript in packages/core/src/smp/in-cluster/worker.ts.
process.env.MESHSPEC_WORKER_MAIN = '1';
require('../../packages/core/src/smp/in-cluster/worker.ts');
