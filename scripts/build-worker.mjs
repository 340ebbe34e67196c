#!/usr/bin/env node
// Builds the in-cluster load worker (packages/core/src/smp/in-cluster/worker.ts) with ncc into one
// CommonJS file, packages/core/dist/smp/in-cluster/worker.cjs, which the runner delivers to its load
// pods in a ConfigMap (smp/in-cluster/job.ts). Then copies it to every --out FILE (smp-action/dist
// ships it beside index.js). It rebuilds only when the bundle is missing or older than a source
// file of packages/core/src, unless --force.
//
// A ConfigMap holds at most 1 MiB (kubernetes/website content/en/docs/concepts/configuration/
// configmap.md); the bundle must stay well under it: this script and test/in-cluster/worker-bundle
// refuse more than WORKER_BUNDLE_LIMIT bytes.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const WORKER_BUNDLE = join(root, 'packages/core/dist/smp/in-cluster/worker.cjs');
export const WORKER_BUNDLE_LIMIT = 600 * 1024;

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** True when the bundle is missing or older than the worker's entry or any core source. */
export function workerBundleStale() {
  if (!existsSync(WORKER_BUNDLE)) return true;
  const built = statSync(WORKER_BUNDLE).mtimeMs;
  const sources = Math.max(newestSource(join(root, 'packages/core/src')), ...['entry.cjs', 'tsconfig.json'].map((f) => statSync(join(root, 'scripts/worker', f)).mtimeMs));
  return built < sources;
}

export function buildWorker({ force = false, outs = [] } = {}) {
  if (force || workerBundleStale()) {
    const tmp = mkdtempSync(join(tmpdir(), 'meshspec-worker-'));
    try {
      // ncc picks CommonJS for a .cjs entry, and the tsconfig beside it (only the worker's files);
      // types are checked by the repository's typecheck, so ncc only transpiles.
      execFileSync(process.execPath, [join(root, 'node_modules/@vercel/ncc/dist/ncc/cli.js'), 'build', 'entry.cjs', '-o', tmp, '--minify', '--target', 'es2022', '--transpile-only', '--quiet'], {
        cwd: join(root, 'scripts/worker'),
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      mkdirSync(dirname(WORKER_BUNDLE), { recursive: true });
      copyFileSync(join(tmp, 'index.cjs'), WORKER_BUNDLE);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }
  const size = statSync(WORKER_BUNDLE).size;
  if (size > WORKER_BUNDLE_LIMIT) throw new Error(`the load worker bundle is ${size} bytes, over the ${WORKER_BUNDLE_LIMIT} allowed (a ConfigMap holds at most 1 MiB); find what made it grow`);
  for (const out of outs) {
    mkdirSync(dirname(resolve(out)), { recursive: true });
    copyFileSync(WORKER_BUNDLE, resolve(out));
  }
  return { path: WORKER_BUNDLE, size };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const outs = args.flatMap((a, i) => (args[i - 1] === '--out' ? [a] : []));
  const { path, size } = buildWorker({ force: args.includes('--force'), outs });
  console.log(`load worker: ${path} (${(size / 1024).toFixed(1)} KiB)${outs.length ? `, copied to ${outs.join(', ')}` : ''}`);
}
