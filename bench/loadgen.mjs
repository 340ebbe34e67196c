#!/usr/bin/env node
// The load generator benchmark (`npm run bench`). See bench/README.md for what it measures and why.
//
// Every generator run happens in its own child process (this file with --child), so that one
// generator's heap or JIT state never slows the next, and so that the targets this process runs
// (arrival timestamps, the freezing server) are not disturbed by the generator's own work.
// Only 127.0.0.1 is ever loaded. Every run is bounded in time.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const distNative = join(root, 'packages/core/dist/smp/loadgen/native.js');

if (process.argv[2] === '--child') {
  await child(JSON.parse(process.argv[3]));
  process.exit(0);
}

const QUICK = process.argv.includes('--quick'); // shorter runs, for trying the bench itself
const ROUNDS = QUICK ? 1 : 5;
const CLOSED_S = QUICK ? 2 : 4;
const RATE_S = QUICK ? 3 : 10;

await main();

// ---------------------------------------------------------------------------------------------

async function main() {
  ensureBuilt();
  const started = performance.now();
  const wrk = which('wrk');
  const nginxBin = which('nginx') ?? (existsSync('/usr/sbin/nginx') ? '/usr/sbin/nginx' : undefined);
  console.log(`meshspec load generator bench (node ${process.version}, ${process.platform}/${process.arch})`);
  console.log(`wrk: ${wrk ?? 'not installed (apt-get install wrk)'}; nginx: ${nginxBin ?? 'not installed (apt-get install nginx)'}\n`);

  // 1. Closed loop, 50 connections, against nginx (node:http saturates before the generators do).
  const target = nginxBin ? await startNginx(nginxBin) : await startNodeTarget();
  const results = { native: [], autocannon: [], wrk: [] };
  try {
    console.log(`## Closed loop, 50 connections, ${CLOSED_S} s per run, ${ROUNDS} rounds, target: ${target.name}`);
    await runChild({ kind: 'native', url: target.url, connections: 50, rps: 0, durationMs: 2000 }); // warm-up
    const ratios = { autocannon: [], wrk: [] };
    const perCpu = { native: [], autocannon: [] };
    for (let round = 1; round <= ROUNDS; round++) {
      // Alternate who goes first, and compare within a round: other work on the machine comes and goes.
      const job = (kind) => runChild({ kind, url: target.url, connections: 50, rps: 0, durationMs: CLOSED_S * 1000, durationS: CLOSED_S });
      let n;
      let a;
      if (round % 2 === 1) {
        n = await job('native');
        a = await job('autocannon');
      } else {
        a = await job('autocannon');
        n = await job('native');
      }
      results.native.push(n.rps);
      results.autocannon.push(a.rps);
      ratios.autocannon.push(n.rps / a.rps);
      perCpu.native.push(n.rps / n.cpu);
      perCpu.autocannon.push(a.rps / a.cpu);
      let line = `round ${round}: native ${fmt(n.rps)} req/s (cpu ${pct(n.cpu)}), autocannon ${fmt(a.rps)} req/s (cpu ${pct(a.cpu)})`;
      if (wrk) {
        const w = runWrk(wrk, target.url, 50, CLOSED_S);
        results.wrk.push(w.rps);
        ratios.wrk.push(n.rps / w.rps);
        line += `, wrk -t1 ${fmt(w.rps)} req/s`;
      }
      console.log(`${line}; native/autocannon ${(n.rps / a.rps).toFixed(2)}x`);
    }
    const nat = median(results.native);
    const ac = median(results.autocannon);
    console.log(`median: native ${fmt(nat)} req/s, autocannon ${fmt(ac)} req/s${wrk ? `, wrk ${fmt(median(results.wrk))} req/s` : ''}`);
    console.log(
      `ratio native/autocannon: ${(nat / ac).toFixed(2)}x of the medians, ${median(ratios.autocannon).toFixed(2)}x median per round (target >= 1.5x)` +
        (wrk ? `; native/wrk: ${(nat / median(results.wrk)).toFixed(2)}x` : ''),
    );
    console.log(
      `requests per CPU-second (robust to other load): native ${fmt(median(perCpu.native))}, autocannon ${fmt(median(perCpu.autocannon))} ` +
        `(${(median(perCpu.native) / median(perCpu.autocannon)).toFixed(2)}x)\n`,
    );

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

// ---- the child: one generator run, printed as JSON ----

async function child(job) {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let out;
  if (job.kind === 'native') {
    const { NativeLoadGenerator } = await import(pathToFileURL(distNative).href);
    const r = await new NativeLoadGenerator().run({
      clients: [{ urls: [job.url], connections: job.connections, rps: job.rps, method: 'GET', headers: {}, cookies: {} }],
      durationMs: job.durationMs,
      requestTimeoutMs: 10_000,
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
    const { default: autocannon } = await import('autocannon');
    const opts = { url: job.url, connections: job.connections, duration: job.durationS, pipelining: 1 };
    if (job.rate) opts.overallRate = job.rate;
    const r = await autocannon(opts);
    out = { rps: r.requests.total / r.duration, requests: r.requests.total, errors: r.errors, p90: r.latency.p90, p99: r.latency.p99 };
  }
  const cpu = process.cpuUsage(cpu0);
  out.cpu = (cpu.user + cpu.system) / 1000 / (performance.now() - t0);
  process.stdout.write(`RESULT ${JSON.stringify(out)}\n`);
}

function runChild(job) {
  const limitMs = (job.durationMs ?? job.durationS * 1000) + 30_000;
  return new Promise((resolvePromise, reject) => {
    const p = spawn(process.execPath, [fileURLToPath(import.meta.url), '--child', JSON.stringify(job)], { stdio: ['ignore', 'pipe', 'inherit'] });
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

function runWrk(bin, url, connections, seconds) {
  const r = spawnSync(bin, ['-t1', `-c${connections}`, `-d${seconds}s`, url], { encoding: 'utf8', timeout: (seconds + 30) * 1000 });
  const m = /Requests\/sec:\s+([\d.]+)/.exec(r.stdout ?? '');
  if (!m) throw new Error(`wrk failed: ${r.stderr || r.stdout}`);
  return { rps: Number(m[1]) };
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

/** Our own nginx instance: generated config in a temp dir, one worker, a tiny static response. */
async function startNginx(bin) {
  const dir = mkdtempSync(join(tmpdir(), 'meshspec-bench-nginx-'));
  const port = await freePort();
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
    location / { default_type text/plain; return 200 "ok\\n"; }
  }
}
`;
  writeFileSync(join(dir, 'nginx.conf'), conf);
  const p = spawn(bin, ['-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: ['ignore', 'ignore', 'inherit'] });
  const exited = new Promise((r) => p.on('exit', r));
  await waitForPort(port, 10_000);
  return {
    name: `nginx ${nginxVersion(bin)} (1 worker)`,
    url: `http://127.0.0.1:${port}/`,
    async stop() {
      p.kill('SIGQUIT'); // graceful stop of the master we started, which ends its worker
      const t = setTimeout(() => p.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
      rmSync(dir, { recursive: true, force: true });
    },
  };
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

function median(xs) {
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
