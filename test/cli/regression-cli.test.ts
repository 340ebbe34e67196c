// The regression gate and the noise control through `meshspec smp run`, against a real local
// server whose speed the test switches: what a user sees, and what the exit code says.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../packages/core/src/cli/main.js';
import { REGRESSION_GRAMMAR } from '../../packages/core/src/smp/regression.js';
import { cliIO } from '../support/cli-io.js';

let server: Server;
let url: string;
/** Milliseconds each response is held back: 0 for the fast baseline, more for a slower build. */
let delayMs = 0;

beforeAll(async () => {
  server = createServer((_req, res) => {
    if (delayMs === 0) res.end('ok');
    else setTimeout(() => res.end('ok'), delayMs);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

function workdir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'meshspec-gate-'));
  writeFileSync(join(dir, 'p.yaml'), `test:\n  name: gate\n  duration: 1s\n  clients:\n    - {connections: 16, rps: 40, endpoint_urls: ['${url}/']}\n`);
  return dir;
}

async function smpRun(dir: string, ...args: string[]) {
  const t = cliIO({ cwd: dir });
  const code = await runCli(['smp', 'run', 'p.yaml', ...args], t.io);
  return { code, out: t.stdout(), err: t.stderr(), log: t.logger };
}

const readJson = (p: string) => JSON.parse(readFileSync(p, 'utf8'));

describe.sequential('meshspec smp run: the regression gate', () => {
  it('a run against a baseline ten times faster exits 1 and names the metric with both figures', async () => {
    const dir = workdir();
    delayMs = 0;
    const base = await smpRun(dir, '--out', 'base');
    expect(base.code, base.err).toBe(0);
    const baseP99 = readJson(join(dir, 'base/smp-result.json')).latencies_ms.p99;

    delayMs = Math.max(30, Math.ceil(baseP99 * 10) + 10);
    const slow = await smpRun(dir, '--out', 'slow', '--baseline', 'base/smp-result.json', '--regression', 'p99:+10%', '--regression', 'error_rate:+1pp');
    expect(slow.code, slow.err).toBe(1);
    expect(slow.err).toMatch(/^meshspec smp run: 1 regression against the baseline \(base\/smp-result\.json\): p99:\+10% exceeded: p99 rose from [\d.]+ ms \(baseline\) to [\d.]+ ms/);
    expect(slow.out).toMatch(/FAIL {2}p99:\+10% exceeded/);
    expect(slow.out).toMatch(/pass {2}error_rate:\+1pp held/);
    const deltas = readJson(join(dir, 'slow/smp-deltas.json'));
    expect(deltas).toMatchObject({ baseline_source: 'file', regression: true, baseline: { location: 'base/smp-result.json' } });
    const p99 = deltas.deltas.find((d: { metric: string }) => d.metric === 'p99');
    expect(p99.current).toBeGreaterThan(p99.baseline * 10);
    const summary = readFileSync(join(dir, 'slow/summary.md'), 'utf8');
    expect(summary).toMatch(/^## ❌ SMP run “gate” failed: 1 regression against the baseline/);
    expect(summary).toContain('| p99 | ');
  });

  it('a run with no baseline yet passes, with a notice naming what was looked for', async () => {
    const dir = workdir();
    delayMs = 0;
    const first = await smpRun(dir, '--out', 'out', '--baseline', 'previous/smp-result.json', '--regression', 'p99:+10%');
    expect(first.code, first.err).toBe(0);
    expect(first.log.lines).toContainEqual({
      level: 'notice',
      message: "no baseline: previous/smp-result.json (--baseline) does not exist, so this run is not compared and the 1 regression rule is not checked; this run's smp-result.json can be the next run's baseline",
      where: undefined,
    });
    expect(existsSync(join(dir, 'out/smp-deltas.json'))).toBe(false);
  });

  it('refuses a baseline of a different profile (exit 2) before any load, naming what differs', async () => {
    const dir = workdir();
    delayMs = 0;
    expect((await smpRun(dir, '--out', 'base')).code).toBe(0);
    const other = await smpRun(dir, '--out', 'other', '--rps', '80', '--connections', '2', '--baseline', 'base/smp-result.json');
    expect(other.code).toBe(2);
    expect(other.err).toContain('baseline base/smp-result.json is from a different profile');
    expect(other.err).toContain('rate: 40 rps in the baseline, 80 rps now');
    expect(other.err).toContain('connections: 16 in the baseline, 2 now');
    expect(existsSync(join(dir, 'other'))).toBe(false);
  });

  it('a bad rule, or rules without a baseline, exit 2 before any load', async () => {
    const dir = workdir();
    const bad = await smpRun(dir, '--baseline', 'x.json', '--regression', 'p99:+10');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--regression: bad regression rule "p99:+10": the unit is missing.');
    expect(bad.err).toContain(REGRESSION_GRAMMAR);
    const alone = await smpRun(dir, '--regression', 'p99:+10%');
    expect(alone.code).toBe(2);
    expect(alone.err).toContain('--regression compares with a baseline: give --baseline');
  });

  it('--warmup and --repeat: the median of each figure and its spread', async () => {
    const dir = workdir();
    delayMs = 0;
    const r = await smpRun(dir, '--out', 'out', '--warmup', '1s', '--repeat', '3');
    expect(r.code, r.err).toBe(0);
    const result = readJson(join(dir, 'out/smp-result.json'));
    expect(result.stats.warmup_s).toBeGreaterThanOrEqual(1);
    expect(result.stats.repeats.count).toBe(3);
    expect(result.stats.repeats.runs).toHaveLength(3);
    const p99s = result.stats.repeats.runs.map((f: { p99: number }) => f.p99).sort((a: number, b: number) => a - b);
    expect(result.stats.repeats.median.p99).toBe(p99s[1]);
    expect(result.stats.repeats.spread.p99).toEqual({ min: p99s[0], max: p99s[2] });
    expect(result.latencies_ms.p99).toBe(p99s[1]);
    const summary = readFileSync(join(dir, 'out/summary.md'), 'utf8');
    expect(summary).toContain('### Repeats: median of 3 measured windows');
    expect(summary).toMatch(/A 1(\.\d)? s warm-up ran first; it is left out of every figure\./);
  });
});
