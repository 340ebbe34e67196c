/**
 * Redaction by value (issue 11): `?sig=`, `?jwt=`, `X-Amz-Signature`, an `X-Signature` header and a
 * name added with --redact never reach the log or any file. The CLI runs as a real process
 * (packages/core/bin/meshspec.js, built by `npm ci`), so the log is what a user's terminal shows.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpTarget, type Target } from '../loadgen/servers.js';

const root = resolve(import.meta.dirname, '../..');
const bin = join(root, 'packages/core/bin/meshspec.js');

let target: Target;
let url: string;
const seen: string[] = [];

beforeAll(async () => {
  target = await httpTarget((req, res) => {
    if (seen.length < 5) seen.push(`${req.url} ${JSON.stringify(req.headers)}`);
    req.resume();
    res.end('ok');
  });
  url = target.url;
});

afterAll(() => target.close());

function meshspec(args: string[], cwd: string): Promise<{ code: number | null; out: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd, env: { ...process.env, MESHSPEC_PROVIDER_TOKEN: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', fail);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, out });
    });
  });
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

describe('redaction by value', () => {
  it('keeps ?sig=, ?jwt=, X-Amz-Signature, X-Signature and --redact names out of the log and every file', async () => {
    expect(existsSync(join(root, 'packages/core/dist/cli/main.js')), 'packages/core/dist is built by npm ci (npm run build:core)').toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'meshspec-redact-'));
    const endpoint = `${url}/obj?sig=LEAKSIG7&JWT=LEAKJWT8&X-Amz-Signature=LEAKAMZ9&page=2`;
    writeFileSync(
      join(dir, 'p.yaml'),
      [
        'test:',
        '  name: redaction',
        '  duration: 1s',
        '  clients:',
        '    - connections: 1',
        '      rps: 20',
        `      endpoint_urls: ['${endpoint}']`,
        '      headers: {X-Signature: LEAKXSIG1, X-Custom-Thing: LEAKCUSTOM2, Authorization: Bearer LEAKBEARER3}',
        '      cookies: {s: LEAKCOOKIE4}',
        '',
      ].join('\n'),
    );
    // A missed threshold makes the run print its failure message too.
    const r = await meshspec(['smp', 'run', '--profile', 'p.yaml', '--out', 'out', '--redact', 'x-custom-thing', '--threshold', 'p99<0.001ms'], dir);
    expect(r.code, r.out).toBe(1);
    // The secrets were really sent: the test would be empty otherwise.
    expect(seen.join('\n')).toMatch(/LEAKSIG7.*LEAKJWT8.*LEAKAMZ9/);
    expect(seen.join('\n')).toMatch(/LEAKXSIG1/);
    expect(seen.join('\n')).toMatch(/LEAKCUSTOM2/);
    expect(r.out).toMatch(/sig=%5Bredacted%5D/);
    expect(r.out).not.toMatch(/LEAK/);
    const files = filesUnder(join(dir, 'out'));
    expect(files.map((f) => f.split('/').pop()).sort()).toEqual(['fortio.json', 'report.html', 'smp-result.json', 'summary.md']);
    for (const f of files) expect(readFileSync(f, 'utf8'), f).not.toMatch(/LEAK/);
    // The names stay, so a reader knows what was there.
    const result = readFileSync(join(dir, 'out/smp-result.json'), 'utf8');
    expect(result).toContain('X-Signature');
    expect(result).toContain('page=2');
  });
});
