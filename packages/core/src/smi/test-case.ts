import type { KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from '../log.js';
import type { MeshInfo, SmiSpecName } from '../mesh/registry.js';
import type { KubeClient, ObjectRef } from '../kube/client.js';
import type { SampleApps } from './sample-app.js';
import type { ApiVersions, SmiKind } from './versions.js';
import type { SampleAppDef } from './workloads.js';

/**
 * A conformance test case is a value, in the manner of Gateway API's `ConformanceTest`: it says what
 * it is, which API it measures and which steps it takes. The engine (engine.ts) runs any case; it
 * knows nothing about SMI, so a GAMMA case could be written the same way.
 */
export interface TestCase {
  /** The spec name as Meshery reports it (`smi_specification`). */
  spec: SmiSpecName;
  /** One sentence: what conformance to this spec means. */
  description: string;
  /** The kind whose tested API version is reported as the spec's `smi_version`. */
  reportedKind: SmiKind;
  /** The sample apps the case deploys; traffic checks reach them through port-forwards. */
  apps: readonly SampleAppDef[];
  steps: Step[];
}

/**
 * One step, run in this order: delete (and wait until gone), apply, then poll until every assert
 * matches and every absent object is gone, then poll the check until it passes. Every part is
 * optional. The step fails when its deadline (the step timeout) passes first.
 */
export interface Step {
  /** Short name, Meshery's where it has one (`trafficDefault`); the number is the position. */
  name: string;
  /** What the step does and expects, for the summary and the docs. */
  description: string;
  /** The SMI rule a check verifies; a failed check's reason starts with it. */
  rule?: string;
  delete?: (ctx: StepContext) => Promise<ObjectRef[]> | ObjectRef[];
  apply?: (ctx: StepContext) => Promise<KubernetesObject[]> | KubernetesObject[];
  /** Objects that must be a subset of the live ones. Defaults to the applied objects. */
  assert?: (ctx: StepContext) => Promise<KubernetesObject[]> | KubernetesObject[];
  /** Objects that must not exist. Defaults to the deleted objects. */
  absent?: (ctx: StepContext) => Promise<ObjectRef[]> | ObjectRef[];
  /** A custom check (traffic, CRDs, metrics). It throws CheckFailed until it passes. */
  check?: (ctx: StepContext) => Promise<void>;
  /**
   * Asked on every attempt while the asserts wait: a reason when the environment, not the mesh,
   * keeps them from ever holding (an image the cluster cannot pull). The step then fails as infra.
   */
  blocked?: (ctx: StepContext) => Promise<string | undefined>;
}

/** What a step's functions get. */
export interface StepContext {
  /** The case's own namespace (fresh random suffix). */
  namespace: string;
  mesh: MeshInfo;
  versions: ApiVersions;
  kube: KubeClient;
  /** The sample app image (an override of workloads.ts' pinned one, e.g. a mirror). */
  sampleAppImage?: string;
  /** Traffic from and to the sample apps, through port-forwards. */
  apps: SampleApps;
  /** Aborted at the step deadline or when the run is cancelled. */
  signal: AbortSignal;
  logger: Logger;
  /** Records a fact worth showing with the step's result (e.g. what the traffic did). */
  note(text: string): void;
}

/**
 * A failed expectation. `retry: false` means waiting cannot help (a CRD that is not installed, an
 * object the server rejects), so the step fails at once instead of at its deadline.
 */
export class CheckFailed extends Error {
  readonly retry: boolean;
  constructor(message: string, options: { retry?: boolean } = {}) {
    super(message);
    this.name = 'CheckFailed';
    this.retry = options.retry ?? true;
  }
}

/** A failure of the environment (the cluster cannot run the suite's workloads): never a score. */
export class InfraFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InfraFailure';
  }
}
