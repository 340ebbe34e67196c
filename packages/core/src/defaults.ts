/**
 * Every default the CLI, the actions and the core share, defined once (docs/architecture.md,
 * "Contracts"). action.yml repeats some of them as input defaults; test/metadata.test.ts checks
 * that they agree.
 */
export const DEFAULTS = {
  /** The output directory, relative to the working directory. */
  outDir: 'meshspec-results',
  /** A load request still unanswered after this long counts as a timeout. */
  requestTimeout: '10s',
  requestTimeoutMs: 10_000,
  /** One SMI step (apply, wait, assert) gives up after this long. */
  stepTimeoutMs: 180_000,
  /** The cluster's nodes and system pods must be ready within this long. */
  clusterReadyMs: 300_000,
  /** A mesh's control plane must be ready (or uninstalled) within this long. */
  controlPlaneMs: 300_000,
  /** A mesh overhead comparison's two copies of the service must be available (and later gone) within this long. */
  overheadReadyMs: 180_000,
  /** One Kubernetes API call gives up (and is aborted) after this long. */
  kubeRequestMs: 30_000,
  /** The first contact with an API server (`ping`). */
  kubePingMs: 10_000,
  /** In-cluster load (internal: true clients): how many pods share the load. */
  loadPods: 1,
  /**
   * The load pods' image: the official Node image, pinned to the multi-arch index digest of
   * 24.19.0 (docker-library/repo-info repos/node/remote/24-alpine.md).
   */
  loadImage: 'node:24-alpine@sha256:d32cdf619f63fe0471182d08996dd516c6275bb5fd31ae06e55a570bd9e1ad43',
  /**
   * How far ahead of the load Job's creation the pods' common start time is set: enough for them
   * to be scheduled and started on a warm node with the image present. A pod that starts later
   * (an image pulled on a cold node) starts at once and reports how late it was.
   */
  loadStartLeadMs: 10_000,
  loadStartLead: '10s',
  /** The load Job's namespace; created when missing, and then deleted afterwards. */
  loadNamespace: 'meshspec-load',
} as const;
