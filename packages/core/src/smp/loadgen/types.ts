import type { Histogram } from 'hdr-histogram-js';

/**
 * What a load generator is asked to do. Built from a normalised SMP profile (smp/profile.ts)
 * plus CLI/action overrides; generators never see the profile file itself.
 */
export interface LoadPlan {
  clients: ClientPlan[];
  /** Wall-clock length of the run. */
  durationMs: number;
  /** A request that has not completed this long after it was sent counts as a `timeout` error. */
  requestTimeoutMs: number;
  /** Aborting stops the load; the run still returns what it measured, with `cancelled: true`. */
  signal?: AbortSignal;
  /** Called about once a second with the last second's figures (progress lines, live terminal line). */
  onTick?: (tick: TimelinePoint) => void;
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

export interface TimelinePoint {
  /** Seconds since the start of the run (1 = the first second). */
  second: number;
  requests: number;
  errors: number;
  /** Corrected latencies of the responses completed in that second, in ms. */
  p50_ms: number;
  p90_ms: number;
  p99_ms: number;
  /** The same responses timed from when they were really sent (coordinated omission not corrected). */
  uncorrected_p50_ms: number;
  uncorrected_p90_ms: number;
  uncorrected_p99_ms: number;
}

/** Everything a run measured. Result building (smp/result.ts) turns it into SMP and Fortio JSON. */
export interface LoadRun {
  startTime: Date;
  endTime: Date;
  /**
   * Measured wall-clock length of the load phase, in seconds: from the first send until the last
   * response of the requests intended within the duration came back (or timed out).
   */
  durationS: number;
  /** Total requested rate over all clients; 0 when any client is closed loop. */
  requestedQps: number;
  connections: number;
  /** Completed requests (a response or an error). */
  requests: number;
  /** Requests that did not get a 2xx/3xx response (includes transport errors). */
  errors: number;
  /** Responses by HTTP status code, e.g. {"200": 9980, "503": 20}. */
  statusCodes: Record<string, number>;
  /** Transport errors by kind. */
  errorKinds: Partial<Record<ErrorKind, number>>;
  /**
   * Latency from the intended send time (coordinated-omission corrected), in microseconds. Both
   * histograms hold every response, whatever its status, and every request that timed out, with
   * the time it had waited (a lower bound; see Run.fail in native.ts). The other transport
   * errors (refused, reset, dns, tls, protocol, other) got no response and are counted in
   * `errorKinds` only. In a closed loop the intended time is the actual send.
   */
  corrected: Histogram;
  /** Latency from the actual write to the socket, in microseconds. */
  uncorrected: Histogram;
  /** Requests whose send started later than intended because every connection was busy. */
  lateSends: number;
  bytesReceived: number;
  timeline: TimelinePoint[];
  cancelled: boolean;
  /** The per-URL request counts, keyed by the (redacted) URL. */
  perUrl: Record<string, number>;
  /** Requests written to a connection (completed ones plus those cut off by a cancellation). */
  sent?: number;
  /**
   * Open model only: requests whose intended send time fell inside the run but that were never
   * sent, because every connection was still busy when the run ended.
   */
  unsent?: number;
  /** The first error message seen for each transport error kind, for diagnostics. */
  errorSamples?: Partial<Record<ErrorKind, string>>;
}

export interface LoadGenerator {
  /** Registry id: `native`, or a name mapped onto it. */
  readonly id: string;
  run(plan: LoadPlan): Promise<LoadRun>;
}
