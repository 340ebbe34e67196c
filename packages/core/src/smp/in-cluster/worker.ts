/**
 * The entry point of a load pod (bundled by scripts/build-worker.mjs into worker.cjs and delivered
 * in the Job's ConfigMap; see job.ts). It reads its work from the environment:
 * - MESHSPEC_LOAD_PLAN: the whole run's plan as JSON (shares.ts WorkerPlan) and the pod count; or,
 *   for a plan too large for one environment string, MESHSPEC_LOAD_PLAN_FILE: that JSON's file,
 *   relative to this script's directory (job.ts puts it in the ConfigMap beside worker.cjs);
 * - MESHSPEC_START_AT: the common start time, epoch ms;
 * - JOB_COMPLETION_INDEX: set by Kubernetes for Indexed Jobs;
 * - MESHSPEC_NODE_NAME (optional): the node, from the downward API.
 * It takes its exact share (shares.ts), waits for the start time with one timer to that instant,
 * runs the native generator, and prints exactly one result line (result-line.ts). Exit 0 when the
 * run finished (also when it was stopped by SIGTERM: the result says cancelled), 1 with the error
 * on stderr when it could not run.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Histogram } from 'hdr-histogram-js';
import { NativeLoadGenerator } from '../loadgen/native.js';
import { encodeHdrOrNull, podReportOf } from './pod-report.js';
import { formatResultLine } from './result-line.js';
import { podPlan, type WorkerPlan } from './shares.js';

/** MESHSPEC_LOAD_PLAN: the plan of the whole run and how many pods share it. */
export interface WorkerEnvPlan {
  pods: number;
  plan: WorkerPlan;
}

/** A start time further ahead than this is a mistake (clock or runner), not something to wait for. */
const MAX_WAIT_MS = 10 * 60_000;

function required(env: NodeJS.ProcessEnv, name: string): string {
  const v = env[name];
  if (v === undefined || v === '') throw new Error(`${name} is not set; this program runs in a meshspec load Job, which sets it`);
  return v;
}

/** Resolves at `atMs` (epoch ms) with one timer; rejects when that is unreasonably far ahead or the signal aborts. */
function waitUntil(atMs: number, signal: AbortSignal): Promise<void> {
  const delay = atMs - Date.now();
  if (delay > MAX_WAIT_MS) return Promise.reject(new Error(`MESHSPEC_START_AT is ${Math.round(delay / 1000)} s ahead of this pod's clock (at most ${MAX_WAIT_MS / 1000} s is waited for); check the node's clock`));
  if (delay <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, delay);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

async function runWorker(env: NodeJS.ProcessEnv, out: (line: string) => void): Promise<void> {
  const file = env.MESHSPEC_LOAD_PLAN_FILE;
  // The script's own directory (argv[1]): the ConfigMap's mount, wherever it is mounted.
  const text = file ? readFileSync(resolve(dirname(process.argv[1] ?? '.'), file), 'utf8') : required(env, 'MESHSPEC_LOAD_PLAN');
  const { pods, plan } = JSON.parse(text) as WorkerEnvPlan;
  const startAtMs = Number(required(env, 'MESHSPEC_START_AT'));
  const index = Number(required(env, 'JOB_COMPLETION_INDEX'));
  if (!Number.isFinite(startAtMs)) throw new Error(`MESHSPEC_START_AT=${env.MESHSPEC_START_AT} is not epoch milliseconds`);
  const mine = podPlan(plan, pods, index);
  const stop = new AbortController();
  // The Job's deletion (cleanup, cancel) sends SIGTERM: stop the load and still report what ran.
  const onTerm = () => stop.abort();
  process.once('SIGTERM', onTerm);
  process.once('SIGINT', onTerm);
  try {
    await waitUntil(startAtMs, stop.signal);
    const seconds = new Map<number, { corrected: string | null; uncorrected: string | null }>();
    const run = await new NativeLoadGenerator().run({
      ...mine,
      signal: stop.signal,
      onSecondHistograms: (second: number, corrected: Histogram, uncorrected: Histogram) => {
        seconds.set(second, { corrected: encodeHdrOrNull(corrected), uncorrected: encodeHdrOrNull(uncorrected) });
      },
    });
    out(formatResultLine(podReportOf(run, { index, node: env.MESHSPEC_NODE_NAME || null, startAtMs, seconds })));
  } finally {
    process.off('SIGTERM', onTerm);
    process.off('SIGINT', onTerm);
  }
}

// Run only as the bundle's entry (scripts/worker/entry.cjs sets this), not when a test imports this module.
if (process.env.MESHSPEC_WORKER_MAIN === '1') {
  runWorker(process.env, (line) => process.stdout.write(`${line}\n`)).then(
    () => {
      process.exitCode = 0;
    },
    (error: unknown) => {
      process.stderr.write(`meshspec load worker: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
