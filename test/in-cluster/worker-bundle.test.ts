/**
 * The load worker bundle (scripts/build-worker.mjs): one CommonJS file that the runner delivers in a
 * ConfigMap, so it must stay well under the 1 MiB a ConfigMap holds, and run with `node` alone.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseResultLine } from '../../packages/core/src/smp/in-cluster/result-line.js';
import { asPodReport } from '../../packages/core/src/smp/in-cluster/pod-report.js';
import { readWorkerBundle } from '../../packages/core/src/smp/in-cluster/worker-bundle.js';
import { ensureWorkerBundle } from '../support/worker-bundle.js';
import { deadPort } from '../loadgen/servers.js';

const LIMIT = 600 * 1024;

describe('the load worker bundle', () => {
  it(`stays under ${LIMIT / 1024} KiB and is what the runner delivers`, () => {
    const { path, size } = ensureWorkerBundle();
    expect(size).toBeLessThan(LIMIT);
    const found = readWorkerBundle();
    expect(found.path).toBe(path);
    expect(Buffer.byteLength(found.text)).toBe(size);
  });

  it('runs with node alone (CommonJS, no package.json beside it) and prints one result line; bad input exits 1 with the error on stderr', async () => {
    const { path } = ensureWorkerBundle();
    const port = await deadPort();
    const plan = { pods: 2, plan: { clients: [{ urls: [`http://127.0.0.1:${port}/`], connections: 2, rps: 10, method: 'GET', headers: {}, cookies: {} }], durationMs: 300, requestTimeoutMs: 1000 } };
    const env = { MESHSPEC_LOAD_PLAN: JSON.stringify(plan), MESHSPEC_START_AT: String(Date.now() + 200), JOB_COMPLETION_INDEX: '1' };
    const ok = spawnSync(process.execPath, [path], { env, encoding: 'utf8', timeout: 20_000 });
    expect(ok.status, ok.stderr).toBe(0);
    const report = asPodReport(parseResultLine(ok.stdout));
    expect(report.index).toBe(1);
    expect(report.counters.connections).toBe(1);
    expect(report.counters.requestedQps).toBe(5);
    expect(report.clock_offset_ms).toBeGreaterThanOrEqual(0);
    const bad = spawnSync(process.execPath, [path], { env: { ...env, JOB_COMPLETION_INDEX: '2' }, encoding: 'utf8', timeout: 20_000 });
    expect(bad.status).toBe(1);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toMatch(/meshspec load worker: RangeError: pod index 2 is outside 0..1/);
    expect(readFileSync(path, 'utf8').startsWith('(()=>{')).toBe(true);
  });
});
