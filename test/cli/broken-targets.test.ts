/**
 * Broken targets and overloads tell the truth (issue 11): for each kind of broken target, a
 * `meshspec smp run` in-process against a real server on 127.0.0.1, with:
 *  - the exit code (and so the action's failure_kind: the same outcome drives both);
 *  - the causes shown in the terminal, summary.md and smp-result.json;
 *  - the run ending within its duration plus the grace of min(request timeout, 2 s);
 *  - every intended request accounted for: sent + unsent = intended, sent = ok + failed + cut;
 *  - the same counts in smp-result.json, fortio.json, the terminal table, summary.md and the outputs;
 *  - a per-second timeline that never runs ahead of what the target itself handled.
 * Each run lasts 1-2 s; this file runs alone, with no other test beside it (test/serial-tests.ts).
 */
import { readFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../packages/core/src/cli/main.js';
import type { FortioResult } from '../../packages/core/src/smp/fortio.js';
import { smpOutputs } from '../../packages/core/src/smp/outputs.js';
import type { SmpResult } from '../../packages/core/src/smp/result.js';
import { validatorFor } from '../../packages/core/src/schemas/index.js';
import { cliIO } from '../support/cli-io.js';
import { deadPort } from '../loadgen/servers.js';

/** A target that notes the moment it handled each request (answered, reset, closed or swallowed). */
interface CountingTarget {
  url: string;
  handled: number[];
  close(): Promise<void>;
}

const open: CountingTarget[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((t) => t.close()));
});

async function listen(server: net.Server, handled: number[]): Promise<CountingTarget> {
  const sockets = new Set<net.Socket>();
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const t: CountingTarget = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    handled,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
  open.push(t);
  return t;
}

/** A raw TCP target: `onRequest` handles each chunk of request bytes. */
function tcp(onRequest: (s: net.Socket) => void): Promise<CountingTarget> {
  const handled: number[] = [];
  const server = net.createServer((s) => {
    s.on('error', () => {});
    s.on('data', () => {
      handled.push(Date.now());
      onRequest(s);
    });
  });
  return listen(server, handled);
}

function httpTarget(status: number, delayMs = 0): Promise<CountingTarget> {
  const handled: number[] = [];
  const server = http.createServer({ keepAliveTimeout: 30_000 }, (req, res) => {
    req.resume();
    const answer = () => {
      res.statusCode = status;
      res.end('x');
      handled.push(Date.now());
    };
    if (delayMs > 0) setTimeout(answer, delayMs);
    else answer();
  });
  return listen(server, handled);
}

const TARGETS = {
  refused: async () => ({ url: `http://127.0.0.1:${await deadPort()}/`, handled: undefined }),
  reset: () => tcp((s) => s.resetAndDestroy()),
  close: async () => {
    const handled: number[] = [];
    const server = net.createServer((s) => {
      s.on('error', () => {});
      handled.push(Date.now());
      s.destroy();
    });
    return listen(server, handled);
  },
  '500': () => httpTarget(500),
  malformed: () => tcp((s) => s.write('THIS IS NOT HTTP\r\nfoo bar\r\n\r\n')),
  truncated: () => tcp((s) => s.end('HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\npartial')),
  never: () => tcp(() => {}),
  slow: () => httpTarget(200, 50),
};

interface Case {
  target: keyof typeof TARGETS;
  durationMs: number;
  connections: number;
  rps: number;
  requestTimeoutMs: number;
  exit: number;
  /** What the message, summary and files must show as the cause. */
  causes: RegExp[];
  kinds?: string[];
}

const CASES: Case[] = [
  { target: 'refused', durationMs: 1000, connections: 2, rps: 100, requestTimeoutMs: 10_000, exit: 1, causes: [/refused ×/, /ECONNREFUSED/], kinds: ['refused'] },
  { target: 'reset', durationMs: 1000, connections: 2, rps: 100, requestTimeoutMs: 10_000, exit: 1, causes: [/reset ×/, /ECONNRESET/], kinds: ['reset'] },
  { target: 'close', durationMs: 1000, connections: 2, rps: 100, requestTimeoutMs: 10_000, exit: 1, causes: [/reset ×/, /closed the connection without responding|ECONNRESET|EPIPE/], kinds: ['reset'] },
  { target: '500', durationMs: 1000, connections: 2, rps: 100, requestTimeoutMs: 10_000, exit: 1, causes: [/HTTP 500 ×/] },
  { target: 'malformed', durationMs: 1000, connections: 2, rps: 100, requestTimeoutMs: 10_000, exit: 1, causes: [/protocol ×/, /does not start with \\?"HTTP\/\\?"/], kinds: ['protocol'] },
  { target: 'truncated', durationMs: 1000, connections: 2, rps: 100, requestTimeoutMs: 10_000, exit: 1, causes: [/protocol ×/, /in the middle of a response/], kinds: ['protocol'] },
  { target: 'never', durationMs: 1000, connections: 2, rps: 100, requestTimeoutMs: 400, exit: 1, causes: [/timeout ×/, /no complete response within 400 ms/], kinds: ['timeout'] },
  // 2 connections × 50 ms hold the rate to about 40/s, far under the 200/s asked for: it passes
  // (every response was a 200) but says how many were not sent and what bounds the rate.
  { target: 'slow', durationMs: 1500, connections: 2, rps: 200, requestTimeoutMs: 10_000, exit: 0, causes: [/were not sent/, /2 connections × 5\d\.?\d* ms per response/, /1\d connections would be needed for 200\/s/] },
];

const validate = validatorFor('smp-result.schema.json');

/** The integer after a label in the terminal table, e.g. `  sent      1,234`. */
function tableCount(table: string, label: string): number {
  const m = new RegExp(`^ {2}${label.replace(/[()]/g, '\\$&')} +([\\d,]+)`, 'm').exec(table);
  if (!m) throw new Error(`no "${label}" line in the table:\n${table}`);
  return Number(m[1]!.replace(/,/g, ''));
}

/** The numbers of a summary.md row, e.g. `| Sent · not sent | 1,000 · 0 |`. */
function summaryCounts(md: string, label: string): number[] {
  const row = md.split('\n').find((l) => l.startsWith(`| ${label} |`));
  if (!row) throw new Error(`no "${label}" row in summary.md`);
  return [...row.slice(label.length + 4).replace(/\([^)]*\)/g, '').matchAll(/[\d,]+/g)].map((m) => Number(m[0].replace(/,/g, '')));
}

describe('broken targets and overloads tell the truth', () => {
  for (const c of CASES) {
    it(`${c.target}: exit ${c.exit}, causes shown, every request accounted for, the clock honest`, async () => {
      const target = await TARGETS[c.target]();
      const dir = mkdtempSync(join(tmpdir(), `meshspec-broken-${c.target}-`));
      writeFileSync(
        join(dir, 'p.yaml'),
        `test:\n  name: "${c.target}"\n  duration: ${c.durationMs}ms\n  clients:\n    - connections: ${c.connections}\n      rps: ${c.rps}\n      endpoint_urls: ['${target.url}']\n`,
      );
      const t = cliIO({ cwd: dir });
      const code = await runCli(['smp', 'run', '--profile', 'p.yaml', '--out', 'out', '--request-timeout', `${c.requestTimeoutMs}ms`], t.io);
      const endedAt = Date.now();
      const text = t.all();
      expect(code, text).toBe(c.exit);

      const result = JSON.parse(readFileSync(join(dir, 'out/smp-result.json'), 'utf8')) as SmpResult;
      const fortio = JSON.parse(readFileSync(join(dir, 'out/fortio.json'), 'utf8')) as FortioResult;
      const summary = readFileSync(join(dir, 'out/summary.md'), 'utf8');
      const s = result.stats;
      expect(validate(result), JSON.stringify(validate.errors)).toBe(true);

      // The clock: the load window is the duration; the grace is at most min(timeout, 2 s).
      const graceMs = Math.min(c.requestTimeoutMs, 2000);
      expect(s.duration_s).toBeCloseTo(c.durationMs / 1000, 1);
      expect(s.grace_s * 1000).toBeLessThanOrEqual(graceMs + 100);
      // From the first send to the command's return: the window, the grace, and writing three files.
      expect(endedAt - new Date(result.start_time).getTime()).toBeLessThan(c.durationMs + graceMs + 500);

      // Every request accounted for.
      expect(s.sent + s.unsent).toBe(s.intended);
      expect(s.ok + s.failed + s.cut).toBe(s.sent);
      expect(s.intended).toBeGreaterThanOrEqual(Math.floor((c.rps * c.durationMs) / 1000) - 1);
      expect(s.intended).toBeLessThanOrEqual(Math.ceil((c.rps * c.durationMs) / 1000));
      expect(s.requests).toBe(s.ok + s.failed);
      expect(s.errors).toBe(s.failed);

      // The verdict and its causes: in the message (stderr or warnings), summary.md and the file.
      if (c.exit === 1) {
        expect(s.ok).toBe(0);
        expect(t.stderr()).toMatch(/^meshspec smp run: no request succeeded/m);
        expect(t.stderr().match(/meshspec smp run:/g)).toHaveLength(1);
        expect(summary.split('\n')[0]).toContain('failed: no request succeeded');
        // Without an HTTP response there is no latency to show: null, never a 0 that reads as "fast".
        if (Object.keys(s.status_codes).length === 0) expect(s.uncorrected_latencies_ms.p50).toBeNull();
      } else {
        expect(s.ok).toBeGreaterThan(0);
        expect(summary.split('\n')[0]).toContain('with warnings');
      }
      const shown = c.exit === 1 ? t.stderr() : t.logger.lines.filter((l) => l.level === 'warn').map((l) => l.message).join('\n');
      for (const cause of c.causes) {
        expect(shown, text).toMatch(cause);
        expect(summary.replace(/\\/g, '')).toMatch(cause);
      }
      for (const kind of c.kinds ?? []) {
        expect(s.error_kinds[kind as keyof typeof s.error_kinds]).toBeGreaterThan(0);
        const samples = s.error_samples[kind as keyof typeof s.error_samples]!;
        expect(samples.length).toBeGreaterThan(0);
        expect(samples.length).toBeLessThanOrEqual(3);
        expect(t.stdout()).toContain(samples[0]!.message);
      }
      expect(text).not.toMatch(/\n\s+at \S+ \(|RangeError|TypeError/);

      // The same counts everywhere: smp-result.json, fortio.json, the table, summary.md, the outputs.
      const table = t.stdout();
      expect(tableCount(table, 'intended')).toBe(s.intended);
      expect(tableCount(table, 'sent')).toBe(s.sent);
      expect(tableCount(table, 'not sent')).toBe(s.unsent);
      expect(tableCount(table, 'succeeded (2xx/3xx)')).toBe(s.ok);
      expect(tableCount(table, 'failed')).toBe(s.failed);
      expect(tableCount(table, 'cut (in flight at the end)')).toBe(s.cut);
      expect(table).toMatch(/2 connections/);
      expect(summaryCounts(summary, 'Requests intended')).toEqual([s.intended]);
      expect(summaryCounts(summary, 'Sent · not sent')).toEqual([s.sent, s.unsent]);
      expect(summaryCounts(summary, 'Succeeded (2xx/3xx) · failed · cut')).toEqual([s.ok, s.failed, s.cut]);
      const retCodes = Object.values(fortio.RetCodes).reduce((a, n) => a + n, 0);
      expect(retCodes).toBe(s.ok + s.failed);
      expect(fortio.RetCodes['-1'] ?? 0).toBe(Object.values(s.error_kinds).reduce((a, n) => a + (n ?? 0), 0));
      expect(fortio.ActualQPS).toBeCloseTo(result.actual_qps, 2);
      expect(fortio.ActualQPS * (fortio.ActualDuration / 1e9)).toBeCloseTo(s.ok + s.failed, 0);
      expect(fortio.DurationHistogram.Count).toBe(s.histogram.buckets.reduce((a, b) => a + b.count, 0));
      expect(result.actual_qps).toBeCloseTo((s.ok + s.failed) / s.duration_s, 1);
      expect(s.success_qps).toBeCloseTo(s.ok / s.duration_s, 1);
      const outputs = smpOutputs(result);
      expect([outputs.intended, outputs.sent, outputs.unsent, outputs.ok, outputs.failed, outputs.cut]).toEqual([s.intended, s.sent, s.unsent, s.ok, s.failed, s.cut]);
      if (result.latencies_ms.p99 === null) expect(outputs.p99_ms).toBe('');

      // The timeline counts completions in the second they happened: it never runs ahead of
      // what the target handled by then by more than the requests in flight (one per connection).
      expect(s.timeline.reduce((a, p) => a + p.requests, 0)).toBe(s.ok + s.failed);
      const start = new Date(result.start_time).getTime();
      if (target.handled) {
        let cumulative = 0;
        for (const p of s.timeline) {
          cumulative += p.requests;
          const handledBy = target.handled.filter((at) => at <= start + p.second * 1000 + 1).length;
          expect(cumulative, `second ${p.second}`).toBeLessThanOrEqual(handledBy + c.connections);
        }
      }
    });
  }
});
