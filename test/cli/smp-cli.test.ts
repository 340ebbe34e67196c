import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../packages/core/src/cli/main.js';
import { COMMANDS } from '../../packages/core/src/cli/commands.js';
import { cliIO } from '../support/cli-io.js';
import { httpTarget, type Target } from '../loadgen/servers.js';

const root = resolve(import.meta.dirname, '../..');

function io(cwd: string) {
  const t = cliIO({ cwd });
  return { io: t.io, out: t.stdout, err: t.stderr, logger: t.logger };
}

let target: Target;
let url: string;
const seen: { method?: string; body: string; headers: Record<string, unknown> }[] = [];

beforeAll(async () => {
  target = await httpTarget((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      if (seen.length < 1000) seen.push({ method: req.method, body, headers: req.headers });
      res.statusCode = req.url === '/missing' ? 404 : 200;
      res.end('ok');
    });
  });
  url = target.url;
});

afterAll(() => target.close());

describe('meshspec CLI: smp', () => {
  it('prints help for every command, and usage for an unknown one', async () => {
    for (const c of COMMANDS) {
      const t = io(root);
      expect(await runCli([...c.path, '--help'], t.io)).toBe(0);
      expect(t.out()).toMatch(/^Usage: meshspec /);
    }
    const t = io(root);
    expect(await runCli(['smp', 'nope'], t.io)).toBe(2);
    expect(t.err()).toMatch(/unknown command "smp nope"/);
    expect(t.err()).toMatch(/smp validate/);
    expect(t.err()).not.toMatch(/smi run/);
  });

  it.each([
    ['smp', ['smp validate', 'smp run'], ['smi run', 'demo']],
    ['smi', ['smi run'], ['smp run', 'demo']],
  ])('"meshspec %s" on its own lists its subcommands (exit 0)', async (group, listed, absent) => {
    const t = io(root);
    expect(await runCli([group], t.io)).toBe(0);
    expect(t.out()).toContain(`Usage: meshspec ${group} <command>`);
    for (const c of listed) expect(t.out()).toContain(`  ${c}`);
    for (const c of absent) expect(t.out()).not.toContain(`  ${c} `);
    expect(t.err()).toBe('');
  });

  it('names the command once in an error', async () => {
    const t = io(root);
    expect(await runCli(['smp', 'run', '--bogus'], t.io)).toBe(2);
    expect(t.err().trim()).toBe("meshspec smp run: Unknown option '--bogus'; see meshspec smp run --help");
  });

  it('smp validate: 0 for valid files, 2 with one "file: path: message" line per problem', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshspec-cli-'));
    writeFileSync(join(dir, 'bad.yaml'), "test: {duration: 3 hours, clients: [{connections: 0, endpoint_urls: ['nope']}]}\n");
    const good = io(dir);
    expect(await runCli(['smp', 'validate', join(root, 'examples/smp/load-test.yaml')], good.io)).toBe(0);
    const bad = io(dir);
    expect(await runCli(['smp', 'validate', 'bad.yaml'], bad.io)).toBe(2);
    const lines = bad.out().trim().split('\n');
    expect(lines).toHaveLength(3);
    for (const l of lines) expect(l).toMatch(/^bad\.yaml: \$\.test\.(duration|clients\[0\]\.(connections|endpoint_urls\[0\])): /);
  });

  it('smp run: flags override the file, every client runs, results are written; a missed threshold exits 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshspec-cli-'));
    writeFileSync(
      join(dir, 'p.yaml'),
      `test:
  name: from-file
  duration: 30s
  clients:
    - {connections: 1, rps: 20, endpoint_urls: ['${url}/a']}
    - {connections: 1, rps: 20, body: '{"x":1}', content_type: application/json, endpoint_urls: ['${url}/b']}
`,
    );
    seen.length = 0;
    const t = io(dir);
    const code = await runCli(['smp', 'run', 'p.yaml', '--duration', '1s', '--name', 'flagged', '--threshold', 'error_rate<1%', '--out', 'out'], t.io);
    expect(code, t.err()).toBe(0);
    const result = JSON.parse(readFileSync(join(dir, 'out/smp-result.json'), 'utf8'));
    expect(result.test.name).toBe('flagged');
    expect(result.stats.duration_s).toBeLessThan(5);
    expect(result.stats.requests).toBeGreaterThan(20);
    expect(seen.some((s) => s.method === 'POST' && s.body === '{"x":1}' && s.headers['content-type'] === 'application/json')).toBe(true);
    expect(seen.some((s) => s.method === 'GET')).toBe(true);
    expect(t.out()).toMatch(/pass {2}error_rate<1%/);

    const missed = io(dir);
    expect(await runCli(['smp', 'run', '-f', 'p.yaml', '-d', '1s', '--endpoint', `${url}/missing`, '--threshold', 'error_rate<1%', '-o', 'out2'], missed.io)).toBe(1);
    expect(missed.err()).toMatch(/error_rate<1% missed: error_rate was 100/);
    expect(existsSync(join(dir, 'out2/fortio.json'))).toBe(true);
    // report.html beside the files, with the thresholds the run evaluated (not in smp-result.json).
    expect(readFileSync(join(dir, 'out/report.html'), 'utf8')).toMatch(/<title>Passed: SMP performance: flagged<\/title>/);
    expect(readFileSync(join(dir, 'out2/report.html'), 'utf8')).toMatch(/Thresholds missed:<\/strong> error_rate&#60;1% missed/);
  });

  it('smp run: bad flags and a missing profile are input errors (exit 2)', async () => {
    const t = io(root);
    expect(await runCli(['smp', 'run'], t.io)).toBe(2);
    expect(t.err()).toMatch(/a profile is required: meshspec smp run <profile>/);
    const both = io(root);
    expect(await runCli(['smp', 'run', 'examples/smp/demo.yaml', '--profile', 'examples/smp/load-test.yaml'], both.io)).toBe(2);
    expect(both.err()).toMatch(/the profile is given twice \(examples\/smp\/demo\.yaml and --profile examples\/smp\/load-test\.yaml\); give it once/);
    const two = io(root);
    expect(await runCli(['smp', 'run', 'examples/smp/demo.yaml', 'examples/smp/load-test.yaml'], two.io)).toBe(2);
    expect(two.err()).toMatch(/one profile per run; got 2/);
    const u = io(root);
    expect(await runCli(['smp', 'run', '-f', 'examples/smp/demo.yaml', '--rps', 'fast'], u.io)).toBe(2);
    expect(u.err()).toMatch(/--rps: "fast" is not a whole number/);
    const v = io(root);
    expect(await runCli(['smp', 'run', '-f', 'nope.yaml'], v.io)).toBe(2);
    expect(v.err()).toMatch(/nope\.yaml: cannot read the profile \(no such file\)/);
    const w = io(root);
    expect(await runCli(['smp', 'run', '-f', 'examples/smp/demo.yaml', '--threshold', 'p99 under 5'], w.io)).toBe(2);
    expect(w.err()).toMatch(/bad threshold "p99 under 5"/);
  });

  it('demo: starts its own target and passes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshspec-demo-'));
    const t = io(dir);
    const code = await runCli(['demo', '--duration', '1s'], t.io);
    expect(code, t.err() + t.logger.text()).toBe(0);
    const result = JSON.parse(readFileSync(join(dir, 'meshspec-results/smp-result.json'), 'utf8'));
    expect(result.stats.errors).toBe(0);
    expect(Object.keys(result.stats.per_url)).toHaveLength(2);
    expect(t.out()).toMatch(/p99/);
  });
});
