import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import config from '../../vitest.config.js';
import { measuresTime, SERIAL_TESTS, START_FIRST, TEST_FILE_GLOBS, TIMED_BUT_PARALLEL } from '../serial-tests.js';

// test/serial-tests.ts: a test file that measures time runs alone (the `serial` project), or says
// why its time checks hold beside another test.

const root = resolve(import.meta.dirname, '../..');

/** `**` any folders (or none), `*` any part of one name. */
const globToRegExp = (glob: string) =>
  new RegExp(`^${glob.split('**/').map((part) => part.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*')).join('(?:.*/)?')}$`);

function testFiles(): string[] {
  const globs = TEST_FILE_GLOBS.map(globToRegExp);
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) {
        if (!['node_modules', 'dist', '.git', '.cache'].includes(e.name)) walk(join(dir, e.name));
      } else {
        const path = relative(root, join(dir, e.name));
        if (globs.some((g) => g.test(path))) found.push(path);
      }
    }
  };
  walk(root);
  return found.sort();
}

const files = testFiles();
const serial = Object.keys(SERIAL_TESTS);
const exempt = Object.keys(TIMED_BUT_PARALLEL);

describe('the serial test list (test/serial-tests.ts)', () => {
  it('names test files that exist, each with its reason, none both serial and exempt', () => {
    expect(files.length).toBeGreaterThan(100);
    expect([...serial, ...exempt].filter((f) => !files.includes(f))).toEqual([]);
    expect(serial.filter((f) => exempt.includes(f))).toEqual([]);
    for (const [file, why] of Object.entries({ ...SERIAL_TESTS, ...TIMED_BUT_PARALLEL })) expect(why.length, file).toBeGreaterThan(20);
    // START_FIRST orders the parallel project: serial files have no place there.
    expect(START_FIRST.filter((f) => !files.includes(f) || serial.includes(f))).toEqual([]);
  });

  it('runs every file that measures time alone, unless it says why it need not', () => {
    const unlisted = files
      .filter((f) => !serial.includes(f) && !exempt.includes(f))
      .map((f) => ({ file: f, line: measuresTime(readFileSync(join(root, f), 'utf8')) }))
      .filter((x) => x.line !== undefined)
      .map(({ file, line }) => `${file} measures time (${line}): add it to SERIAL_TESTS in test/serial-tests.ts with the reason, or to TIMED_BUT_PARALLEL with why its time checks hold beside another test`);
    expect(unlisted).toEqual([]);
  });

  it('exempts only files that the heuristic flags', () => {
    expect(exempt.filter((f) => measuresTime(readFileSync(join(root, f), 'utf8')) === undefined)).toEqual([]);
  });

  it('flags clock reads, bounds on measured durations and rates, load generators, tolerances and timed set-ups, not plain figures', () => {
    for (const line of [
      'const took = performance.now() - started;',
      'expect(Date.now() - started).toBeLessThan(20_000);',
      'const elapsed = end - start;',
      'expect(result.stats.duration_s).toBeLessThan(5);',
      'expect(Number(r.outputs.actual_qps)).toBeGreaterThan(40);',
      'const r = await new NativeLoadGenerator().run(plan);',
      "it('gives 2000 rps ± 1.5%', async () => {",
      'const t = await freezingTarget(2000, 500);',
      "await serving(['--sidecar-delay-ms', '3']);",
      'await runJob(c, NS, "x", SCRIPT, { activeDeadlineSeconds: 4 });',
      'podLoadGenerator({ kube, startLeadMs: 2000 })',
    ]) expect(measuresTime(`import { it } from 'vitest';\n${line}\n`), line).toBe(line);
    for (const line of [
      "expect(r.latencies_ms.p99).toBe(5);",
      "expect(judgePod(pending, NOW + 2, NOW + 1)).toEqual({ kind: 'never-started' });",
      'expect(requireDuration(smp.load_start_lead!)).toBe(DEFAULTS.loadStartLeadMs);',
      "expect(parseThreshold('p99<250ms').limit).toBe(250);",
      'const deadline = Date.now() + 60_000;',
    ]) expect(measuresTime(line), line).toBeUndefined();
  });
});

describe('vitest.config.ts', () => {
  type Project = { test: { name: string; include?: string[]; exclude?: string[]; fileParallelism?: boolean; maxWorkers?: number; sequence?: { groupOrder?: number } } };
  const projects = config.test!.projects as Project[];
  const byName = Object.fromEntries(projects.map((p) => [p.test.name, p.test]));

  it('runs the listed files alone, one at a time, after the rest has run two at a time', () => {
    expect(Object.keys(byName)).toEqual(['parallel', 'serial']);
    const { parallel, serial: alone } = byName as Record<string, Project['test']>;
    expect(alone!.include).toEqual(serial);
    expect(alone!.fileParallelism).toBe(false);
    expect(parallel!.include).toEqual(TEST_FILE_GLOBS);
    expect(parallel!.exclude).toEqual(expect.arrayContaining(serial));
    expect(parallel!.maxWorkers).toBe(2);
    expect(alone!.sequence!.groupOrder!).toBeGreaterThan(parallel!.sequence!.groupOrder!);
    expect(config.test!.include).toBeUndefined();
  });
});
