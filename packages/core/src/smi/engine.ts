import { randomBytes } from 'node:crypto';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from '../log.js';
import type { MeshInfo } from '../mesh/registry.js';
import { describeError, describeRef, refOf, type KubeClient, type ObjectRef } from '../kube/client.js';
import { SampleApps } from './sample-app.js';
import { subsetMismatch } from './subset.js';
import { CheckFailed, InfraFailure, type Step, type StepContext, type TestCase } from './test-case.js';
import type { ApiVersions } from './versions.js';
import { DEFAULTS } from '../defaults.js';
import { DeadlineExceeded, sleep, withDeadline } from '../wait.js';

/**
 * The step engine: runs one test case in its own namespace, step by step, and reports each step.
 * Nothing here sleeps for a fixed time: every wait polls with a deadline (the step timeout) and
 * reports what was still wrong when the deadline passed.
 */

export type StepStatus = 'passed' | 'failed' | 'cancelled' | 'not-run';

export interface StepRun {
  /** 1-based position, as in Meshery's `failed in step <N>-<name>`. */
  number: number;
  name: string;
  description: string;
  status: StepStatus;
  /** Why it failed, was cancelled or did not run. */
  reason?: string;
  durationMs: number;
  /** How many times its asserts or check were evaluated. */
  attempts: number;
  /** Facts worth showing (what the traffic did, which versions were used). */
  notes: string[];
  /** The step failed because of the environment, not the mesh. */
  infra?: boolean;
}

export interface CaseRun {
  spec: TestCase['spec'];
  description: string;
  namespace: string;
  /** The tested `group/version` of the case's reported kind, when it was resolved. */
  apiVersion?: string;
  startedAt: Date;
  durationMs: number;
  steps: StepRun[];
  cancelled: boolean;
  /** A failure of the environment rather than the mesh (e.g. the namespace could not be created). */
  infraError?: string;
}

export interface CaseEnvironment {
  kube: KubeClient;
  mesh: MeshInfo;
  versions: ApiVersions;
  logger: Logger;
  /** Deadline of each step, in ms (default 180 s, kuttl's). */
  stepTimeoutMs: number;
  signal: AbortSignal;
  /** Labels every namespace with it, so leftovers of a cancelled run can be found. */
  runId: string;
  namespacePrefix?: string;
  /** Overrides the pinned sample app image. */
  sampleAppImage?: string;
  /** Called when a namespace is created and when it has been deleted (the action saves them for its post step). */
  onNamespace?: (event: 'created' | 'deleted', name: string) => void;
}

export const DEFAULT_STEP_TIMEOUT_MS = DEFAULTS.stepTimeoutMs;
/** Labels on every namespace the suite creates. */
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
const RUN_LABEL = 'meshspec.io/run';

const randomSuffix = () => randomBytes(4).readUInt32BE(0).toString(36).padStart(6, '0').slice(-6);

export async function runTestCase(tc: TestCase, env: CaseEnvironment): Promise<CaseRun> {
  const started = Date.now();
  const namespace = `${env.namespacePrefix ?? 'meshspec'}-${tc.spec}-${randomSuffix()}`;
  const run: CaseRun = { spec: tc.spec, description: tc.description, namespace, startedAt: new Date(started), durationMs: 0, steps: [], cancelled: false };
  const pending = (from: number, reason: string) => {
    for (let i = from; i < tc.steps.length; i++) {
      const s = tc.steps[i]!;
      run.steps.push({ number: i + 1, name: s.name, description: s.description, status: 'not-run', reason, durationMs: 0, attempts: 0, notes: [] });
    }
  };

  if (env.signal.aborted) {
    run.cancelled = true;
    pending(0, 'not run: the run was cancelled');
    return run;
  }

  try {
    await createNamespace(env, namespace, tc.spec);
  } catch (error) {
    run.infraError = `could not create namespace ${namespace}: ${describeError(error).message}`;
    pending(0, `not run: ${run.infraError}`);
    run.durationMs = Date.now() - started;
    env.logger.error(`${tc.spec}: ${run.infraError}`);
    return run;
  }
  env.onNamespace?.('created', namespace);

  const apps = new SampleApps(env.kube, namespace, env.mesh, tc.apps);
  try {
    for (let i = 0; i < tc.steps.length; i++) {
      const step = tc.steps[i]!;
      const result = await runStep(step, i + 1, { env, namespace, apps });
      run.steps.push(result);
      env.logger.info(`${tc.spec} ${result.number}/${tc.steps.length} ${step.name}: ${result.status}${result.reason ? ` — ${result.reason}` : ''} (${(result.durationMs / 1000).toFixed(1)} s)`);
      if (result.status === 'cancelled') {
        run.cancelled = true;
        pending(i + 1, 'not run: the run was cancelled');
        break;
      }
      if (result.infra) run.infraError = result.reason;
      if (result.status === 'failed') {
        pending(i + 1, `not run: step ${result.number}-${step.name} failed`);
        break;
      }
    }
  } finally {
    await apps.close();
    await deleteNamespace(env, namespace);
    const tested = await env.versions.resolve(tc.reportedKind).catch(() => undefined);
    if (tested?.ok) run.apiVersion = tested.apiVersion;
    run.durationMs = Date.now() - started;
  }
  return run;
}

async function createNamespace(env: CaseEnvironment, name: string, spec: string): Promise<void> {
  // The mesh's own injection markers (registry), so the sample apps get sidecars.
  await env.kube.apply({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name,
      labels: { ...(env.mesh.injection.labels ?? {}), [MANAGED_BY_LABEL]: 'meshspec', [RUN_LABEL]: env.runId, 'meshspec.io/spec': spec },
      annotations: { ...(env.mesh.injection.annotations ?? {}) },
    },
  });
}

/**
 * Always runs, on failure and on cancellation too, with its own short deadline (never the run's
 * aborted signal). The namespace finishes terminating in the background.
 */
async function deleteNamespace(env: CaseEnvironment, name: string): Promise<void> {
  try {
    await env.kube.delete({ apiVersion: 'v1', kind: 'Namespace', name });
    env.onNamespace?.('deleted', name);
  } catch (error) {
    env.logger.warn(`could not delete namespace ${name}: ${describeError(error).message}; delete it with kubectl delete namespace ${name}`);
  }
}

interface RunScope {
  env: CaseEnvironment;
  namespace: string;
  apps: SampleApps;
}

async function runStep(step: Step, number: number, scope: RunScope): Promise<StepRun> {
  const { env } = scope;
  const started = Date.now();
  const deadline = started + env.stepTimeoutMs;
  const result: StepRun = { number, name: step.name, description: step.description, status: 'passed', durationMs: 0, attempts: 0, notes: [] };
  // The step's own signal: aborted by cancellation or at the deadline, whichever comes first.
  const stepSignal = AbortSignal.any([env.signal, AbortSignal.timeout(env.stepTimeoutMs)]);
  const ctx: StepContext = {
    namespace: scope.namespace,
    mesh: env.mesh,
    versions: env.versions,
    kube: env.kube,
    sampleAppImage: env.sampleAppImage,
    apps: scope.apps,
    signal: stepSignal,
    logger: env.logger,
    note: (text) => {
      if (!result.notes.includes(text)) result.notes.push(text);
    },
  };
  const poller = new Poller(deadline, env.signal, env.stepTimeoutMs, () => result.attempts++);
  try {
    let deleted: ObjectRef[] = [];
    if (step.delete) {
      deleted = await step.delete(ctx);
      for (const ref of deleted) await poller.until(`delete ${describeRef(ref)}`, () => mutate(() => env.kube.delete(ref), `delete ${describeRef(ref)}`));
    }
    let applied: KubernetesObject[] = [];
    if (step.apply) {
      applied = await step.apply(ctx);
      for (const object of applied) {
        const what = `apply ${describeRef(refOf(object))}`;
        await poller.until(what, () => mutate(() => env.kube.apply(object), what));
      }
    }
    const asserts = step.assert ? await step.assert(ctx) : applied;
    const absent = step.absent ? await step.absent(ctx) : deleted;
    if (asserts.length > 0 || absent.length > 0) {
      await poller.until('the expected objects', async () => {
        const blocked = step.blocked ? await step.blocked(ctx) : undefined;
        if (blocked) throw new InfraFailure(blocked);
        for (const expected of asserts) await assertObject(env.kube, expected);
        for (const ref of absent) {
          if (await env.kube.read(ref)) throw new CheckFailed(`${describeRef(ref)} still exists`);
        }
      });
    }
    if (step.check) {
      const check = step.check;
      await poller.until(step.name, async () => {
        try {
          await check(ctx);
        } catch (error) {
          if (error instanceof CheckFailed && step.rule) throw new CheckFailed(`${step.rule}: ${error.message}`, { retry: error.retry });
          throw error;
        }
      });
    }
  } catch (error) {
    if (env.signal.aborted) {
      result.status = 'cancelled';
      result.reason = `cancelled (${(env.signal.reason as Error)?.message ?? 'aborted'})`;
    } else {
      result.status = 'failed';
      result.reason = error instanceof CheckFailed || error instanceof InfraFailure ? error.message : `unexpected error: ${describeError(error).message}`;
      if (error instanceof InfraFailure) result.infra = true;
    }
  }
  result.durationMs = Date.now() - started;
  return result;
}

/** An API write: errors that waiting cannot fix (400, 404, 415, 422, ...) fail the step at once. */
async function mutate(write: () => Promise<unknown>, what: string): Promise<void> {
  try {
    await write();
  } catch (error) {
    const d = describeError(error);
    throw new CheckFailed(`${what}: ${d.message}`, { retry: d.transient });
  }
}

async function assertObject(kube: KubeClient, expected: KubernetesObject): Promise<void> {
  const ref = refOf(expected);
  let live: KubernetesObject | undefined;
  try {
    live = await kube.read(ref);
  } catch (error) {
    const d = describeError(error);
    throw new CheckFailed(`read ${describeRef(ref)}: ${d.message}`, { retry: d.transient });
  }
  if (!live) throw new CheckFailed(`${describeRef(ref)} does not exist`);
  const mismatch = subsetMismatch(expected, live);
  if (mismatch) throw new CheckFailed(`${describeRef(ref)} does not match what was expected: ${mismatch}`);
}

/**
 * Polls an attempt until it passes, the deadline passes, or the run is cancelled. The interval
 * starts at 100 ms and doubles to 1 s (kuttl polls every second; starting shorter keeps fast
 * clusters fast). On the deadline it fails with the last reason seen.
 */
export class Poller {
  constructor(
    private readonly deadline: number,
    private readonly cancel: AbortSignal,
    private readonly timeoutMs: number,
    private readonly onAttempt: () => void = () => {},
  ) {}

  async until(what: string, attempt: () => Promise<void>): Promise<void> {
    let delay = 100;
    let last: string | undefined;
    for (;;) {
      if (this.cancel.aborted) throw this.cancel.reason;
      if (Date.now() >= this.deadline) {
        throw new CheckFailed(
          last
            ? `${last} (still so at the step timeout, ${formatSeconds(this.timeoutMs)})`
            : // No attempt finished: say so, and what to change, instead of implying a result.
              `no attempt of ${what} finished within the step timeout (${formatSeconds(this.timeoutMs)}); the cluster or mesh answered too slowly: raise step_timeout (--step-timeout)`,
          { retry: false },
        );
      }
      this.onAttempt();
      try {
        // The attempt's requests run under the step's deadline and are aborted when it passes (wait.ts).
        await withDeadline(() => attempt(), this.deadline - Date.now(), { what, signal: this.cancel });
        return;
      } catch (error) {
        if (this.cancel.aborted) throw this.cancel.reason;
        if (error instanceof TypeError || error instanceof ReferenceError || error instanceof RangeError) throw error; // a bug, not a state to wait out
        if (error instanceof InfraFailure) throw error; // waiting cannot mend the environment
        // An attempt cut short by the deadline says nothing about the mesh: keep the last real
        // failure, or report that no attempt finished.
        if (error instanceof DeadlineExceeded) continue;
        if (error instanceof CheckFailed) {
          if (!error.retry) throw error;
          last = error.message;
        } else if ((error as Error)?.name === 'AbortError') {
          // The step's own deadline aborted a request that had no answer yet.
          last ??= `no answer while waiting for ${what}`;
        } else {
          const d = describeError(error);
          if (!d.transient) throw new CheckFailed(`${what}: ${d.message}`, { retry: false });
          last = `${what}: ${d.message}`;
        }
      }
      await sleep(Math.min(delay, Math.max(0, this.deadline - Date.now())), this.cancel);
      delay = Math.min(delay * 2, 1000);
    }
  }
}

const formatSeconds = (ms: number) => (ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`);

