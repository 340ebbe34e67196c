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
} as const;
