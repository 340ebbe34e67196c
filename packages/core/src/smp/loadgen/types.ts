import type { Histogram } from 'hdr-histogram-js';

/**
 * What a load generator is asked to do. Built from a normalised SMP profile (smp/profile.ts)
 * plus CLI/action overrides; generators never see the profile file itself.
 */
export interface LoadPlan {
  clients: ClientPlan[];
  /** Wall-clock length of the run. */
  durationMs: number;
  /**
   * A request that has not completed this long after it was sent counts as a `timeout` error.
   * After the duration, requests in flight get min(this, 2 s) to complete before they are `cut`.
   */
  requestTimeoutMs: number;
  /** Aborting stops the load; the run still returns what it measured, with `cancelled: true`. */
  signal?: AbortSignal;
  /** Called about once a second with the last second's figures (progress lines, live terminal line). */
  onTick?: (tick: TimelinePoint) => void;
  /**
   * Called as each timeline second is emitted, with that second's corrected and uncorrected
   * histograms before they are reset (read them now, keep nothing). The in-cluster worker encodes
   * them so that the runner merges the pods' seconds exactly (smp/in-cluster/merge.ts).
   */
  onSecondHistograms?: (second: number, corrected: Histogram, uncorrected: Histogram) => void;
  /**
   * Accept any TLS certificate (self-signed, wrong host, expired) for https URLs. Default false:
   * certificates are verified against Node's CA store (NODE_EXTRA_CA_CERTS adds more). A client's
   * own `insecureTls` overrides this.
   */
  insecureTls?: boolean;
}

export interface ClientPlan {
  /** Absolute http(s) URLs; requests go round robin over them. */
  urls: string[];
  /**
   * Keep-alive connections for this client. With URLs on several origins they are split evenly
   * over the origins, at least one each; URLs on the same origin share theirs.
   */
  connections: number;
  /** Requests per second for this client; 0 = closed loop, as fast as the connections allow. */
  rps: number;
  /** Empty: GET, or POST when there is a body (the SMP rule "a body means POST"). */
  method: string;
  headers: Record<string, string>;
  cookies: Record<string, string>;
  body?: string;
  contentType?: string;
  /** Accept any TLS certificate for this client's https URLs (default: the plan's, else false). */
  insecureTls?: boolean;
}

/** Error kinds counted separately from status codes. */
export type ErrorKind = 'refused' | 'reset' | 'timeout' | 'dns' | 'tls' | 'protocol' | 'other';

/** One distinct error message of a kind, and how often it was seen. */
export interface ErrorSample {
  message: string;
  count: number;
}

export interface TimelinePoint {
  /** Seconds since the start of the run (1 = the first second). */
  second: number;
  /** Requests completed (a response or an error) in that second. */
  requests: number;
  errors: number;
  /** Corrected latencies of the requests completed in that second, in ms; null when none had one. */
  p50_ms: number | null;
  p90_ms: number | null;
  p99_ms: number | null;
  /** The same responses timed from when they were really sent (coordinated omission not corrected); null without a response. */
  uncorrected_p50_ms: number | null;
  uncorrected_p90_ms: number | null;
  uncorrected_p99_ms: number | null;
  /** The second starts after the load window: it holds only completions of the grace. */
  grace?: true;
}

/**
 * Every request accounted for (issue 11): intended = sent + unsent; sent = ok + failed + cut. The
 * run counts them (LoadRun) and the result reports them under the same names (smp/result.ts stats).
 */
export interface RequestCounts {
  /**
   * Open model: every request whose intended send time fell in the window; closed loop: every
   * request sent.
   */
  intended: number;
  /** Requests written to a connection. */
  sent: number;
  /** Open model: due within the window but never sent, because no connection was free in time. */
  unsent: number;
  /** Got a 2xx/3xx response. */
  ok: number;
  /** Got another status, or a transport error (refused, reset, timeout, ...). */
  failed: number;
  /** Still in flight when the grace after the window ended, or when the run was cancelled: neither ok nor failed. */
  cut: number;
  /** Completed requests: ok + failed (as SMP and Fortio count them). */
  requests: number;
  /** failed. */
  errors: number;
}

/** Everything a run measured. Result building (smp/result.ts) turns it into SMP and Fortio JSON. */
export interface LoadRun extends RequestCounts {
  startTime: Date;
  endTime: Date;
  /**
   * The load window in seconds: the duration, or less when cancelled. Rates divide by it, as
   * Fortio's ActualQPS does.
   */
  durationS: number;
  /** How long the run waited after the window for requests in flight (at most min(timeout, 2 s)). */
  graceS: number;
  /** Total requested rate over all clients; 0 when any client is closed loop. */
  requestedQps: number;
  connections: number;
  /** Responses by HTTP status code, e.g. {"200": 9980, "503": 20}. */
  statusCodes: Record<string, number>;
  /** Transport errors by kind. */
  errorKinds: Partial<Record<ErrorKind, number>>;
  /** Up to three distinct messages per transport error kind, with their counts. */
  errorSamples: Partial<Record<ErrorKind, ErrorSample[]>>;
  /**
   * Latency from the intended send time (coordinated-omission corrected), in microseconds: every
   * HTTP response, whatever its status, plus timeouts, cut and unsent requests at their
   * lower-bound latency (the moment they were given up minus their intended time). Other
   * transport errors are counted in `errorKinds` only. In a closed loop the intended time is the
   * actual send.
   */
  corrected: Histogram;
  /** Latency from the actual write to the socket, in microseconds: HTTP responses only. */
  uncorrected: Histogram;
  /** Requests whose send started later than intended because every connection was busy. */
  lateSends: number;
  bytesReceived: number;
  timeline: TimelinePoint[];
  cancelled: boolean;
  /** The per-URL completed request counts, keyed by the (redacted) URL. */
  perUrl: Record<string, number>;
}

export interface LoadGenerator {
  /** Registry id: `native`, or a name mapped onto it. */
  readonly id: string;
  run(plan: LoadPlan): Promise<LoadRun>;
}
