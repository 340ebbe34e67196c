import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeContext, makeRun, timelineOf } from '../../../../../test/support/load-run.js';
import { cliIO } from '../../../../../test/support/cli-io.js';
import { runCli } from '../../cli/main.js';
import { buildSmpResult, type SmpResult } from '../../smp/result.js';
import { evaluateThresholds, parseThreshold } from '../../smp/thresholds.js';
import { reduceGroups, secondsPerPoint, type ChartSpec } from './chart.js';
import { renderReport } from './index.js';
import { esc, html } from './markup.js';
import { renderSmpPart, type SmpResultFile } from './smp-page.js';
import { renderDocument } from './layout.js';
import type { GammaResult } from '../../gamma/result.js';
import { reportLinkMarkdown } from './summary-link.js';

const meta = { version: '0.0.0-test', generatedAt: new Date('2026-01-01T00:00:00Z') };

function smpResult(seconds = 30): SmpResult {
  const run = makeRun({ correctedUs: [900, 1100, 1300, 2500, 40_000], durationS: seconds, timeline: timelineOf(seconds, (s) => ({ p99_ms: s === 7 ? 400 : 5 })) });
  return buildSmpResult(run, makeContext());
}

/** The chart descriptions a page carries (its JSON data block). */
function chartsOf(page: string): ChartSpec[] {
  const m = /<script type="application\/json" id="meshspec-data">(.*?)<\/script>/s.exec(page);
  return (JSON.parse(m![1]!) as { charts: ChartSpec[] }).charts;
}

describe('page downsampling', () => {
  it('merges seconds into points of ceil(n / 1200) seconds, keeping the extremes', () => {
    expect([1, 1200, 1201, 3600, 3601].map((n) => secondsPerPoint(n))).toEqual([1, 1, 2, 3, 4]);
    const values = [1, 9, 2, 3, null, 8, 4];
    expect(reduceGroups(values, 3, 'max')).toEqual([9, 8, 4]);
    expect(reduceGroups(values, 3, 'min')).toEqual([1, 3, 4]);
    expect(reduceGroups(values, 3, 'mean')).toEqual([4, 5.5, 4]);
    expect(reduceGroups([null, undefined], 2, 'max')).toEqual([null]);
  });

  it('a one-hour timeline becomes 1,200 points per chart, and the stall stays at its height', () => {
    const r = smpResult(3600);
    r.stats.timeline[1999]!.p99_ms = 950;
    const [latency, rate] = chartsOf(renderReport({ 'smp-result.json': r }, meta));
    expect(latency!.data[0]).toHaveLength(1200);
    expect(latency!.downsampling).toMatchObject({ sourcePoints: 3600, secondsPerPoint: 3 });
    expect(Math.max(...(latency!.data[3] as number[]))).toBe(950);
    // The rate keeps its mean, with the fastest and slowest second as a band.
    expect(rate!.series.map((s) => s.label)).toEqual(['achieved', 'fastest second', 'slowest second', 'requested', 'errors']);
    expect(rate!.bands).toEqual([[1, 2]]);
  });
});

describe('the SMP page', () => {
  it('escapes everything a result file holds: a name or URL cannot inject markup', () => {
    const r = smpResult();
    r.test.name = '<img src=x onerror=alert(1)>';
    r.test.clients[0]!.endpoint_urls = ['http://127.0.0.1/</script><script>alert(2)</script>'];
    r.stats.per_url = { 'http://127.0.0.1/</script><script>alert(2)</script>': 5 };
    const page = renderReport({ 'smp-result.json': r }, meta);
    expect(page).not.toContain('<img src=x');
    expect(page).not.toContain('<script>alert(2)');
    expect(page).toContain('&#60;img src=x onerror=alert(1)&#62;');
    expect(esc(`"&'<>`)).toBe('&#34;&#38;&#39;&#60;&#62;');
    expect(html`<b>${'<i>'}</b>`.text).toBe('<b>&#60;i&#62;</b>');
  });

  it('loads nothing: no src, no stylesheet link, a CSP that forbids requests, the licence kept', () => {
    const page = renderReport({ 'smp-result.json': smpResult() }, meta);
    expect(page).not.toMatch(/\ssrc=/);
    expect(page).not.toMatch(/<link\b/);
    expect(page).not.toMatch(/sourceMappingURL/);
    expect(page).not.toMatch(/@import|url\(http/);
    expect(page).toContain("default-src 'none'");
    expect(page).toContain('Copyright (c) 2022 Leon Sorokin');
    // Only the page's own three script blocks: data, uPlot, the page script.
    expect(page.match(/<script\b/g)).toHaveLength(3);
    expect(page.match(/<\/script>/g)).toHaveLength(3);
  });

  it('renders a result written before p90 and uncorrected per-second figures existed', () => {
    const r = smpResult();
    for (const p of r.stats.timeline) {
      delete p.p90_ms;
      delete p.uncorrected_p50_ms;
      delete p.uncorrected_p90_ms;
      delete p.uncorrected_p99_ms;
    }
    const [latency] = chartsOf(renderReport({ 'smp-result.json': r }, meta));
    expect(latency!.series.map((s) => s.label)).toEqual(['p50', 'p99']);
  });

  it('renders the later fields when present: unsent and cut, error samples, success rate, null percentiles', () => {
    const r = smpResult() as unknown as SmpResultFile;
    Object.assign(r.stats, { intended: 3000, sent: 2600, unsent: 400, ok: 2500, failed: 100, cut: 7, error_samples: { refused: [{ message: 'connect ECONNREFUSED 127.0.0.1:1', count: 90 }], timeout: [{ message: 'no complete response within 2000 ms', count: 10 }] } });
    r.stats.success_qps = 83.3;
    r.stats.latencies_lower_bound = true;
    r.latencies_ms = { min: null, average: null, p50: null, p90: null, p99: null, max: null };
    const page = renderDocument([renderSmpPart(r)], meta);
    expect(page).toContain('400 requests were never sent of 3,000 intended.</strong>');
    expect(page).toContain('7 requests were cut off');
    expect(page).toContain('The corrected latencies are lower bounds:');
    expect(page).toContain('connect ECONNREFUSED 127.0.0.1:1');
    expect(page).toMatch(/Successful rate<\/div><div class="value">83\.3/);
    expect(page).toMatch(/p50 latency<\/div><div class="value">–/);
  });

  it('fails a run in which no request succeeded, and says so', () => {
    const run = makeRun({ errorKinds: { refused: 40 }, durationS: 2, timeline: timelineOf(2, () => ({ requests: 20, errors: 20 })) });
    const part = renderSmpPart(buildSmpResult(run, makeContext()) as unknown as SmpResultFile);
    expect(part.status).toEqual({ tone: 'fail', label: 'Failed', detail: 'no request succeeded' });
    expect(part.charts.map((c) => c.id)).toEqual(['latency-timeline', 'rate-timeline']);
    expect(part.body.text).toContain('No latencies were recorded: no request got a response.');
  });

  it('shows thresholds and a baseline comparison when the run has them', () => {
    const r = smpResult();
    const thresholds = evaluateThresholds(r, [parseThreshold('p99<1ms'), parseThreshold('error_rate<1%')]);
    const part = renderSmpPart(r as unknown as SmpResultFile, {
      thresholds,
      deltas: { baseline: { label: 'main@abc123' }, metrics: [{ metric: 'p99', unit: 'ms', baseline: 20, current: 40, change: 1, verdict: 'worse' }] },
    });
    expect(part.status).toMatchObject({ tone: 'fail', label: 'Failed', detail: '1 of 2 thresholds missed' });
    const page = renderDocument([part], meta);
    expect(page).toContain('data-table="thresholds"');
    expect(page).toContain('Against the baseline');
    expect(page).toContain('+100%');
  });
});

function gammaResult(): GammaResult {
  return {
    gateway_api_version: 'v1.6.1',
    gateway_api_channel: 'standard',
    mode: 'default',
    implementation: { organization: 'acme', project: '<script>alert(1)</script>', url: 'javascript:alert(2)', version: 'v1 "quoted"', contact: ['@a', '@b & c'] },
    result: 'failure',
    profiles: [
      {
        name: 'MESH-HTTP',
        core: { result: 'failure', passed: 5, failed: 1, skipped: 1, failed_tests: ['MeshBasic</td><img src=x>'], skipped_tests: ['MeshPorts'] },
        extended: { result: 'partial', passed: 3, failed: 0, skipped: 1, failed_tests: [], skipped_tests: ['MeshHTTPRouteRedirectPath'], supported_features: ['HTTPRouteRequestMirror'], unsupported_features: ['HTTPRoutePathRedirect'] },
      },
      { name: 'MESH-GRPC', core: { result: 'success', passed: 2, failed: 0, skipped: 0, failed_tests: [], skipped_tests: [] }, extended: null },
    ],
  };
}

/** What `window.__meshspec.tables` would hold, read from the markup as page.js reads it. */
function tablesOf(page: string): Record<string, unknown[][]> {
  const tables: Record<string, unknown[][]> = {};
  for (const t of page.matchAll(/<table data-table="([^"]+)">(.*?)<\/table>/gs)) {
    const body = /<tbody>(.*?)<\/tbody>/s.exec(t[2]!)![1]!;
    tables[t[1]!] = [...body.matchAll(/<tr[^>]*>(.*?)<\/tr>/gs)].map((row) =>
      [...row[1]!.matchAll(/data-v="([^"]*)"/g)].map((v) => JSON.parse(v[1]!.replace(/&#(\d+);/g, (_, c) => String.fromCharCode(Number(c))))),
    );
  }
  return tables;
}

describe('the GAMMA page', () => {
  it('escapes everything a result holds: a project, URL or test name cannot inject markup', () => {
    const page = renderReport({ 'gamma-result.json': gammaResult() }, meta);
    expect(page).not.toContain('<script>alert(1)');
    expect(page).not.toContain('<img src=x');
    expect(page).not.toContain('href="javascript:');
    expect(page).toContain('&#60;script&#62;alert(1)&#60;/script&#62;');
    expect(page).toContain('<title>Failure: GAMMA conformance: acme/&#60;script&#62;alert(1)&#60;/script&#62; v1 &#34;quoted&#34;</title>');
  });

  it('shows every profile, count, test and feature as gamma-result.json holds them', () => {
    const r = gammaResult();
    const tables = tablesOf(renderReport({ 'gamma-result.json': r }, meta));
    expect(tables.profiles).toEqual([
      ['MESH-HTTP', 'failure', 5, 1, 1, 'partial', 3, 0, 1],
      ['MESH-GRPC', 'success', 2, 0, 0, null, null, null, null],
    ]);
    expect(tables['profile-mesh-http']).toEqual([
      ['core', 'failure', 5, 1, 1],
      ['extended', 'partial', 3, 0, 1],
    ]);
    expect(tables['profile-mesh-grpc']).toEqual([['core', 'success', 2, 0, 0]]);
    expect(tables['failed-mesh-http']).toEqual([['core', 'MeshBasic</td><img src=x>']]);
    expect(tables['skipped-mesh-http']).toEqual([['core', 'MeshPorts'], ['extended', 'MeshHTTPRouteRedirectPath']]);
    expect(tables['features-mesh-http']).toEqual([['HTTPRouteRequestMirror', true], ['HTTPRoutePathRedirect', false]]);
    expect(Object.keys(tables).filter((k) => k.endsWith('mesh-grpc'))).toEqual(['profile-mesh-grpc']);
  });

  it('a partial result says so; a result that is not valid is refused naming the JSON path', () => {
    const r = gammaResult();
    r.result = 'partial';
    r.profiles = [r.profiles[1]!];
    r.profiles[0]!.core = { ...r.profiles[0]!.core, result: 'partial', skipped: 1, skipped_tests: ['MeshFrontend'] };
    const page = renderReport({ 'gamma-result.json': r }, meta);
    expect(page).toContain('<span class="badge warn">Partial</span>');
    expect(page).toContain('MESH-GRPC core partial');
    let refused: unknown;
    try {
      renderReport({ 'gamma-result.json': { ...r, result: 'maybe' } }, meta);
    } catch (e) {
      refused = e;
    }
    expect(refused).toMatchObject({ message: expect.stringContaining('gamma-result.json is not a valid gamma-result.json (schemas/gamma-result.schema.json)') });
    expect((refused as { details: string[] }).details.join('\n')).toMatch(/^gamma-result\.json: \$?\.?\/?result/m);
  });
});

describe('meshspec report', () => {
  it('rebuilds report.html from the files alone, and --out writes it elsewhere', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshspec-report-'));
    writeFileSync(join(dir, 'smp-result.json'), JSON.stringify(smpResult()));
    const t = cliIO({ cwd: dir });
    expect(await runCli(['report', '.'], t.io), t.all()).toBe(0);
    expect(t.stdout()).toMatch(/^wrote .*report\.html \(\d+ KB\) from smp-result\.json\n$/);
    expect(readFileSync(join(dir, 'report.html'), 'utf8')).toMatch(/^<!doctype html>/);
    const other = join(mkdtempSync(join(tmpdir(), 'meshspec-report-out-')), 'page.html');
    expect(await runCli(['report', dir, '--out', other], cliIO({ cwd: dir }).io)).toBe(0);
    expect(readFileSync(other, 'utf8')).toContain('SMP performance: Load Test');
  });

  it('exits 2 naming the directory and the files looked for when there is none', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshspec-report-empty-'));
    const t = cliIO({ cwd: dir });
    expect(await runCli(['report', dir], t.io)).toBe(2);
    expect(t.all()).toContain(`${dir} holds no result file to make a report from: looked for smp-result.json, smi-result.json, gamma-result.json`);
  });

  it('exits 2 naming the file and the JSON path when a result is not valid', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshspec-report-bad-'));
    const r = smpResult() as unknown as { stats: { timeline: unknown } };
    r.stats.timeline = 'nope';
    writeFileSync(join(dir, 'smp-result.json'), JSON.stringify(r));
    writeFileSync(join(dir, 'smi-result.json'), '{"id": ');
    const t = cliIO({ cwd: dir });
    expect(await runCli(['report', dir], t.io)).toBe(2);
    expect(t.all()).toContain(`${join(dir, 'smi-result.json')}: not JSON`);
    const t2 = cliIO({ cwd: dir });
    writeFileSync(join(dir, 'smi-result.json'), '{}');
    expect(await runCli(['report', dir], t2.io)).toBe(2);
    expect(t2.all()).toContain(`${join(dir, 'smp-result.json')}: $.stats.timeline: must be array`);
  });
});

describe('the job summary points at the page', () => {
  it('names the artifact (linked when uploaded) and the file, or the directory when nothing was uploaded', () => {
    expect(reportLinkMarkdown({ outDir: 'out', artifact: { name: 'perf', url: 'https://github.com/o/r/actions/runs/1/artifacts/7' } })).toBe(
      '📊 **The report page**: download the artifact [perf](https://github.com/o/r/actions/runs/1/artifacts/7) and open `report.html` in a browser; it works offline, from disk.\n',
    );
    expect(reportLinkMarkdown({ outDir: 'out', artifact: { name: 'perf' } })).toContain('the artifact **perf** and open `report.html`');
    expect(reportLinkMarkdown({ outDir: 'meshspec-results' })).toContain('`report.html` in meshspec-results on the runner (no artifact was uploaded)');
  });
});
