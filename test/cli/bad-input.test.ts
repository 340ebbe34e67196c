/**
 * Bad input is refused before any load (issue 11): exit 2, our own message naming the flag, input
 * or JSON path, and not one request reaching the target. `smp validate` and `smp run` share one
 * validation: what run refuses in a profile, validate refuses too.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../packages/core/src/cli/main.js';
import { GO_MAX_DURATION } from '../../packages/core/src/duration.js';
import { connectionLimit } from '../../packages/core/src/smp/open-files.js';
import { cliIO } from '../support/cli-io.js';

let server: http.Server;
let url: string;
let received = 0;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    received++;
    req.resume();
    res.end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

function profileText(over: { duration?: string; connections?: number; headers?: string; clients?: number } = {}): string {
  const client = `    - connections: ${over.connections ?? 1}\n      rps: 10\n      endpoint_urls: ['${url}']\n${over.headers ? `      headers: ${over.headers}\n` : ''}`;
  return `test:\n  name: bad input\n  duration: ${over.duration ?? '1s'}\n  clients:\n${client.repeat(over.clients ?? 1)}`;
}

async function cli(args: string[], files: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'meshspec-bad-input-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const t = cliIO({ cwd: dir });
  const before = received;
  const code = await runCli(args, t.io);
  return { code, out: t.stdout(), err: t.stderr(), all: t.all(), requests: received - before, dir };
}

/** Exit 2, the message, no request sent, one prefix, no stack trace. */
function expectRefused(r: Awaited<ReturnType<typeof cli>>, message: RegExp): void {
  expect(r.code, r.all).toBe(2);
  expect(r.all).toMatch(message);
  expect(r.requests).toBe(0);
  expect(r.all).not.toMatch(/meshspec smp run: meshspec smp run|unexpected error|\n\s+at |RangeError|ambiguous/);
}

describe('bad CLI flags: exit 2 before any load', () => {
  const run = (...flags: string[]) => cli(['smp', 'run', '--profile', 'p.yaml', '--out', 'out', ...flags], { 'p.yaml': profileText() });

  it('a zero, sub-millisecond or beyond-Go duration', async () => {
    expectRefused(await run('--duration', '0s'), /--duration: "0s" must be longer than zero/);
    expectRefused(await run('--duration', '1ns'), /--duration: "1ns" is shorter than 1ms/);
    expectRefused(await run('--duration', '99999999999999999999h'), new RegExp(`--duration: "99999999999999999999h" is longer than Go's maximum duration ${GO_MAX_DURATION}`));
    // One nanosecond beyond Go's maximum; the maximum itself is a valid (if long) duration.
    expectRefused(await run('--duration', '2562047h47m16.854775808s'), /longer than Go's maximum/);
    expectRefused(await run('--request-timeout', '0s'), /--request-timeout: "0s" must be longer than zero/);
  });

  it('negative numbers get our own message, not parseArgs\' "ambiguous"', async () => {
    expectRefused(await run('--rps', '-1'), /--rps: "-1" is not a whole number >= 0/);
    expectRefused(await run('--connections', '-3'), /--connections: "-3" is not a whole number >= 1/);
    expectRefused(await run('-c', '-3'), /--connections: "-3" is not a whole number >= 1/);
    expectRefused(await run('--duration', '-1s'), /--duration: "-1s" is not a Go duration/);
  });

  it('a profile with a key given twice: the file, the key path and the line, and no load', async () => {
    const twice = profileText().replace('      rps: 10\n', '      rps: 10\n      rps: 10000\n');
    const r = await cli(['smp', 'run', '--profile', 'p.yaml', '--out', 'out'], { 'p.yaml': twice });
    expectRefused(r, /p\.yaml: \$\.test\.clients\[0\]\.rps: given twice in the same mapping \(again on line 7\); keep one/);
  });

  it('an unknown flag, with one prefix', async () => {
    const r = await run('--bogus');
    expectRefused(r, /^meshspec smp run: Unknown option '--bogus'; see meshspec smp run --help$/m);
  });

  it('an output directory that cannot be written: checked before the load, named by its flag', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshspec-bad-out-'));
    writeFileSync(join(dir, 'a-file'), 'x');
    expectRefused(await run('--out', join(dir, 'a-file')), /--out: cannot write results to .*a-file \(a file is in the way, not a directory\)/);
    expectRefused(await run('--out', join(dir, 'a-file', 'below')), /--out: cannot write results to/);
  });

  it('a bad --endpoint names the flag, not a profile file', async () => {
    const r = await run('--endpoint', 'ftp://127.0.0.1/');
    expectRefused(r, /--endpoint: "ftp:\/\/127\.0\.0\.1\/" uses ftp/);
    expect(r.all).not.toMatch(/profile is invalid|endpoint_url/);
  });

  it('threshold traps: a bare error_rate<1, more than 100%', async () => {
    expectRefused(await run('--threshold', 'error_rate<1'), /error_rate<1 would mean 100%; write 1% or 0\.01/);
    expectRefused(await run('--threshold', 'error_rate<150%'), /error_rate is at most 100%/);
    expectRefused(await run('--threshold', 'unsent_rate<=1'), /write 1% or 0\.01/);
    expectRefused(await run('--threshold', 'achieved_ratio>=1.5'), /did you mean 1\.5%/);
  });

  it.skipIf(process.platform !== 'linux')('more connections over all clients than the process can open', async () => {
    const limit = connectionLimit()!;
    const r = await run('--connections', String(limit.connections + 1));
    expectRefused(r, new RegExp(`--connections: ${(limit.connections + 1).toLocaleString('en-US')} connections over all clients are more than this process can open: Max open files is ${limit.maxOpenFiles.toLocaleString('en-US')}`));
  });
});

describe('bad profiles: smp validate and smp run refuse the same, exit 2, no load', () => {
  const limit = connectionLimit();
  // Texts are built when a case runs: the target's URL exists only after beforeAll.
  const cases: Array<{ name: string; text: () => string; message: RegExp; skip?: boolean }> = [
    { name: 'zero duration', text: () => profileText({ duration: '0s' }), message: /\$\.test\.duration: "0s" must be longer than zero/ },
    { name: 'sub-millisecond duration', text: () => profileText({ duration: '500us' }), message: /\$\.test\.duration: "500us" is shorter than 1ms/ },
    { name: 'duration beyond Go', text: () => profileText({ duration: '99999999999999999999h' }), message: /\$\.test\.duration: .*longer than Go's maximum duration/ },
    { name: 'header with a line break', text: () => profileText({ headers: '{x-evil: "a\\r\\nInjected: yes"}' }), message: /\$\.test\.clients\[0\]: header x-evil: the value contains a line break/ },
    {
      name: 'connections over all clients beyond Max open files',
      // Two clients, each under the limit, together over it: it is the sum that counts.
      text: () => profileText({ connections: Math.ceil(((limit?.connections ?? 0) + 2) / 2), clients: 2 }),
      message: /\$\.test\.clients: [\d,]+ connections over all clients are more than this process can open: Max open files is [\d,]+ \(\/proc\/self\/limits\)/,
      skip: !limit,
    },
  ];
  for (const c of cases) {
    it.skipIf(c.skip)(c.name, async () => {
      const v = await cli(['smp', 'validate', 'p.yaml'], { 'p.yaml': c.text() });
      expectRefused(v, c.message);
      expect(v.out).not.toMatch(/valid \(/);
      const r = await cli(['smp', 'run', '--profile', 'p.yaml', '--out', 'out'], { 'p.yaml': c.text() });
      expectRefused(r, c.message);
    });
  }

  it('a valid profile is valid for both, at Go\'s maximum duration too', async () => {
    const v = await cli(['smp', 'validate', 'p.yaml'], { 'p.yaml': profileText({ duration: GO_MAX_DURATION }) });
    expect(v.code, v.all).toBe(0);
  });
});
