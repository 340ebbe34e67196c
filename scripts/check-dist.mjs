// Fails when the committed bundles (smp-action/dist, smi-conformance-action/dist, gamma-conformance-action/dist; smp-action/dist
// includes worker.cjs, the in-cluster load worker scripts/build-worker.mjs copies there), the embedded
// schemas or the report page's embedded assets differ from what a fresh build makes. Run it right after `npm run build` (.ci/run does).
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const paths = ['smp-action/dist', 'smi-conformance-action/dist', 'gamma-conformance-action/dist', 'packages/core/src/schemas', 'packages/core/src/report/html'];
const git = (...args) => execFileSync('git', args, { cwd: root, encoding: 'utf8' });

for (const script of ['embed-schemas.mjs', 'embed-page-assets.mjs']) execFileSync(process.execPath, [resolve(root, 'scripts', script), '--check'], { stdio: 'inherit' });
const changed = git('status', '--porcelain', '--', ...paths);
if (changed) {
  console.error(`The committed dist/ (or embedded schemas or page assets) differ from a fresh build; run npm run build and commit:\n${changed}`);
  console.error(git('--no-pager', 'diff', '--stat', '--', ...paths));
  process.exit(1);
}
console.log('dist/, the embedded schemas and the page assets are fresh');
