import { mkdirSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../packages/core/src/cli/main.js';
import { writeResultFiles } from '../../packages/core/src/report/files.js';
import { MAX_PAGE_POINTS } from '../../packages/core/src/report/html/chart.js';
import type { SmpResult } from '../../packages/core/src/smp/result.js';
import type { SmiResult } from '../../packages/core/src/smi/result.js';
import { requires } from '../support/requires.mjs';
import { findChromium, launchChromium, openFile, type PageVisit } from '../support/browser.js';
import { cliIO } from '../support/cli-io.js';
import { compileSchemaFile, errorsOf } from '../support/schemas.js';
import { closedPort, errorRun, goodRun, hourRun, overloadedRun, smiRun, startTarget } from './cases.js';

/**
 * report.html in a real Chromium (the system's, through playwright-core): each case's result file
 * is written to a directory, `meshspec report DIR` makes the page from the files alone, and the
 * page is opened from a file:// URL. It must load without a console error, a page error or any
 * request but file://, draw every chart with the points the result holds (after the stated
 * downsampling) and show tables that match the JSON. Screenshots go to test-results/report-html/.
 */

const root = resolve(import.meta.dirname, '../..');
const shots = join(root, 'test-results/report-html');
const chromium = findChromium();

interface Tables {
  [id: string]: { columns: string[]; rows: unknown[][] };
}
interface Exposed {
  charts: Record<string, { points: number; series: string[]; downsampling: { sourcePoints: number; secondsPerPoint: number } | null }>;
  tables: Tables;
}

/** Writes the result as a run would, rebuilds the page with the CLI, opens it, screenshots it. */
async function pageFor(browser: Browser, name: string, files: Record<string, object>, colorScheme: 'light' | 'dark' = 'light'): Promise<{ visit: PageVisit; exposed: Exposed; file: string }> {
  const dir = mkdtempSync(join(tmpdir(), `meshspec-report-${name}-`));
  await writeResultFiles(dir, files);
  const t = cliIO({ cwd: dir });
  expect(await runCli(['report', dir], t.io), t.all()).toBe(0);
  const file = join(dir, 'report.html');
  const visit = await openFile(browser, file, { width: 1280, height: 900 }, colorScheme);
  const exposed = (await visit.page.evaluate('window.__meshspec')) as Exposed;
  mkdirSync(shots, { recursive: true });
  await visit.page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
  // The first screen alone, as the README shows it (docs/report-smp.png is one of these).
  await visit.page.screenshot({ path: join(shots, `${name}-top.png`) });
  return { visit, exposed, file };
}

function expectClean(visit: PageVisit): void {
  expect(visit.consoleErrors, 'console errors').toEqual([]);
  expect(visit.pageErrors, 'page errors').toEqual([]);
  expect(visit.foreignRequests, 'requests other than file://').toEqual([]);
  expect(visit.failedRequests, 'failed requests').toEqual([]);
}

/** What the page must have drawn from an SMP result: the timeline after the stated downsampling, every histogram bucket. */
function expectSmpCharts(exposed: Exposed, r: SmpResult): void {
  const n = r.stats.timeline.length;
  const k = Math.max(1, Math.ceil(n / MAX_PAGE_POINTS));
  for (const id of ['latency-timeline', 'rate-timeline']) {
    expect(exposed.charts[id]?.points, id).toBe(Math.ceil(n / k));
    expect(exposed.charts[id]?.downsampling, id).toEqual(k === 1 ? null : expect.objectContaining({ sourcePoints: n, secondsPerPoint: k }));
  }
  expect(exposed.charts['latency-timeline']!.series).toEqual(['p50', 'p90', 'p99', 'p50 uncorrected', 'p90 uncorrected', 'p99 uncorrected']);
  expect(exposed.charts['latency-histogram']?.points).toBe(r.stats.histogram.buckets.length);
  expect(exposed.charts['latency-percentiles']?.points).toBe(r.stats.percentiles_ms.filter((p) => p.percentile < 100).length);
}

function expectSmpTables(tables: Tables, r: SmpResult): void {
  expect(tables.percentiles!.rows).toEqual([
    ...r.stats.percentiles_ms.map((p) => [p.percentile, p.corrected, p.uncorrected]),
    [100, r.latencies_ms.max, r.stats.uncorrected_latencies_ms.max],
  ]);
  const codes = Object.entries(r.stats.status_codes).sort(([a], [b]) => Number(a) - Number(b));
  const kinds = Object.entries(r.stats.error_kinds).filter(([, n]) => (n ?? 0) > 0);
  expect(tables.responses!.rows.map((row) => row.slice(0, 2))).toEqual([...codes.map(([c, n]) => [`HTTP ${c}`, n]), ...kinds.map(([k, n]) => [k, n])]);
  expect(tables.clients!.rows.map((row) => [row[2], row[3], row[4]])).toEqual(r.test.clients.map((c) => [c.connections, c.rps, c.endpoint_urls.join(' ')]));
  expect(tables.urls!.rows).toEqual(Object.entries(r.stats.per_url));
}

describe('report.html in Chromium', () => {
  let browser: Browser;
  let target: Awaited<ReturnType<typeof startTarget>>;
  const validSmp = compileSchemaFile('smp-result.schema.json');
  const validSmi = compileSchemaFile('smi-result.schema.json');
  const valid = (r: SmpResult) => expect(validSmp(r), errorsOf(validSmp).join('\n')).toBe(true);

  beforeAll(async () => {
    // Without a browser every test below reports itself skipped, with the reason (requires()).
    if (chromium.path) browser = await launchChromium(chromium.path);
    target = await startTarget();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await target?.close();
  });

  it('a good SMP run: every chart and table, light and dark', { timeout: 60_000 }, async (ctx) => {
    requires(ctx, chromium.reason);
    const r = await goodRun(target.url);
    valid(r);
    expect(r.stats.errors).toBe(0);
    const { visit, exposed } = await pageFor(browser, 'smp-good', { 'smp-result.json': r });
    expectClean(visit);
    expectSmpCharts(exposed, r);
    expectSmpTables(exposed.tables, r);
    const head = await visit.page.locator('.run-head').innerText();
    expect(head).toMatch(/COMPLETED/i);
    // Latency warnings depend on how busy the machine is; a failure or a missed rate must not appear.
    expect(await visit.page.locator('.callout.fail').count()).toBe(0);
    expect((await visit.page.locator('.callout').allInnerTexts()).join('\n')).not.toMatch(/fell behind|never sent/);
    const dark = await pageFor(browser, 'smp-good-dark', { 'smp-result.json': r }, 'dark');
    expectClean(dark.visit);
    // The dark scheme really applies: the page background is dark.
    const bg = await dark.visit.page.evaluate('getComputedStyle(document.documentElement).backgroundColor');
    expect(bg).toBe('rgb(13, 17, 23)');
  });

  it('an overloaded run: the page says the target fell behind and corrected latency diverges', { timeout: 60_000 }, async (ctx) => {
    requires(ctx, chromium.reason);
    const r = await overloadedRun(target.url);
    valid(r);
    expect(r.actual_qps).toBeLessThan(0.6 * r.stats.requested_qps);
    const { visit, exposed } = await pageFor(browser, 'smp-overloaded', { 'smp-result.json': r });
    expectClean(visit);
    expectSmpCharts(exposed, r);
    expectSmpTables(exposed.tables, r);
    const callouts = await visit.page.locator('.callout').allInnerTexts();
    expect(callouts.join('\n')).toMatch(/The target fell behind\. It served [\d.]+ requests\/s of the 100 requested/);
    expect(callouts.join('\n')).toMatch(/Corrected p99 is [\d.]+× the uncorrected p99/);
    expect(await visit.page.locator('.run-head').innerText()).toMatch(/COMPLETED[\s\S]*the target fell behind the requested rate/i);
  });

  it('a run with errors: HTTP 500/503 and refused connections, marked as errors', { timeout: 60_000 }, async (ctx) => {
    requires(ctx, chromium.reason);
    const r = await errorRun(target.url, await closedPort());
    valid(r);
    expect(r.stats.status_codes['500']).toBeGreaterThan(0);
    expect(r.stats.error_kinds.refused).toBeGreaterThan(0);
    const { visit, exposed } = await pageFor(browser, 'smp-errors', { 'smp-result.json': r });
    expectClean(visit);
    expectSmpCharts(exposed, r);
    expectSmpTables(exposed.tables, r);
    const failedRows = await visit.page.locator('table[data-table="responses"] tr.fail td:first-child').allInnerTexts();
    expect(failedRows).toEqual(expect.arrayContaining(['HTTP 500', 'HTTP 503', 'refused (no response)']));
    expect(await visit.page.locator('.figure.fail .value').first().innerText()).toMatch(/%$/);
  });

  it('a one-hour run: 3,600 seconds downsampled as stated, the page at most 300 KB', { timeout: 60_000 }, async (ctx) => {
    requires(ctx, chromium.reason);
    const r = hourRun();
    valid(r);
    expect(r.stats.timeline).toHaveLength(3600);
    const { visit, exposed, file } = await pageFor(browser, 'smp-one-hour', { 'smp-result.json': r });
    expectClean(visit);
    expectSmpCharts(exposed, r);
    expectSmpTables(exposed.tables, r);
    expect(exposed.charts['latency-timeline']!.points).toBe(1200);
    const size = statSync(file).size;
    console.log(`one-hour report.html: ${size} bytes (${(size / 1024).toFixed(1)} KB)`);
    expect(size).toBeLessThanOrEqual(300 * 1024);
    // The stall (p99 up to 959 ms in seconds 2000-2009) survives downsampling: each point keeps its worst second.
    const data = JSON.parse(await visit.page.locator('#meshspec-data').textContent() ?? '') as { charts: Array<{ id: string; data: number[][] }> };
    const maxP99 = Math.max(...data.charts.find((c) => c.id === 'latency-timeline')!.data[3]!);
    expect(maxP99).toBe(959);
    expect(await visit.page.locator('.chart-note').first().innerText()).toMatch(/3,600 seconds drawn as 1,200 points of 3 s each/);
  });

  describe('SMI', () => {
    function expectSmiTables(tables: Tables, r: SmiResult): void {
      const specs = new Map(r.meshspec.specs.map((s) => [s.smi_specification, s]));
      expect(tables.specs!.rows).toEqual(
        r.more_details.map((d) => [d.smi_specification, specs.get(d.smi_specification)!.api_version, d.status, d.capability, specs.get(d.smi_specification)!.steps_passed, d.time, d.reason]),
      );
      for (const s of r.meshspec.specs) {
        expect(tables[`steps-${s.smi_specification}`]!.rows).toEqual(s.steps.map((st) => [st.number, st.name, st.status, st.reason, st.duration_s, st.attempts]));
      }
      expect(tables['api-versions']!.rows).toEqual(Object.entries(r.meshspec.api_versions));
    }

    it('a conformant run: every spec and step passed', { timeout: 90_000 }, async (ctx) => {
      requires(ctx, chromium.reason);
      const r = await smiRun('faithful', ['traffic-access', 'traffic-spec', 'traffic-split', 'traffic-metrics'], 30_000);
      expect(validSmi(r), errorsOf(validSmi).join('\n')).toBe(true);
      expect(r.meshspec.conformant).toBe(true);
      const { visit, exposed } = await pageFor(browser, 'smi-conformant', { 'smi-result.json': r });
      expectClean(visit);
      expect(exposed.charts).toEqual({});
      expectSmiTables(exposed.tables, r);
      expect(await visit.page.locator('.run-head').innerText()).toMatch(/CONFORMANT[\s\S]*4 of 4 specs passed; score 100\.00% \(28 of 28 test cases\)/i);
    });

    it('a failed run: the failing step, its reason and its attempts', { timeout: 90_000 }, async (ctx) => {
      requires(ctx, chromium.reason);
      const r = await smiRun('ignore-methods', ['traffic-access', 'traffic-spec'], 8_000);
      expect(validSmi(r), errorsOf(validSmi).join('\n')).toBe(true);
      expect(r.meshspec.conformant).toBe(false);
      const { visit, exposed } = await pageFor(browser, 'smi-failed', { 'smi-result.json': r });
      expectClean(visit);
      expectSmiTables(exposed.tables, r);
      expect(await visit.page.locator('.run-head').innerText()).toMatch(/NOT CONFORMANT/i);
      const failed = r.meshspec.specs.flatMap((s) => s.steps).find((s) => s.status === 'failed')!;
      expect(failed.attempts).toBeGreaterThan(1);
      const row = visit.page.locator('table[data-table="steps-traffic-spec"] tr.fail');
      expect(await row.count()).toBe(1);
      expect(await row.innerText()).toContain(failed.reason!.slice(0, 40));
    });
  });
});
