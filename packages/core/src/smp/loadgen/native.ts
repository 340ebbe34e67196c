/**
 * meshspec's native load generator: HTTP/1.1 keep-alive over raw sockets, open model (wrk2
 * style) or closed loop, latencies into HdrHistograms.
 *
 * Why it is built like this (measured on a 2-core machine against nginx, 50 connections):
 * undici's Pool.request reached 0.7x autocannon and its dispatch API 1.0x; a single-threaded
 * generator reading sockets with `net.connect({onread})` into one static buffer reached 2x
 * (level with wrk), and 'data' events cost a third of that; worker threads lost. So:
 *  - every socket reads into READ_BUFFER, and the incremental parser consumes it synchronously
 *    (plain TCP and TLS sockets are called straight from their handle where Node allows it: stream-handle.ts);
 *  - request bytes are prebuilt per URL (request-encoder.ts) and written as they are, straight to
 *    the socket's handle where the running Node allows it (stream-handle.ts);
 *  - the hot path (response -> record -> next request) allocates nothing it can avoid: no
 *    per-request closures, timers, promises or strings. Per-request timeouts are found by one
 *    sweep timer; status codes count into a typed array;
 *  - a latency is recorded once, into the current second's histogram, and each second is added
 *    to the run's histograms when it ends (in the closed loop, where the corrected and uncorrected
 *    latencies are the same value, once for both). `npm run bench -- --profile` showed the four
 *    recordValue calls per response at about 9% of the busy time; now about 4% (bench/README.md).
 *  - https connections of a pool share one TLS context (a context per connection was 9% of the
 *    busy time at 200 connections).
 *
 * Open model: request k of a client has the intended send time t0 + k/rps (its URLs take turns,
 * so URL u of n gets k = u, u+n, ...). One timer (armPump) is set for the earliest intended time
 * still ahead, never sooner than 1 ms, so it wakes once per request at low rates (every 100 ms at
 * 10 rps) and at most about once a millisecond at high ones; each wake writes every request whose
 * intended time has passed on a free connection. A request that finds no free
 * connection waits for one (a "late send") and is still timed from its intended time, which is
 * what corrects for coordinated omission. Closed loop (rps 0): each connection sends its next
 * request as soon as the previous response is complete.
 *
 * The clock is honest: nothing is sent after the duration. Requests already in flight get a grace
 * of min(request timeout, 2 s) to complete; those still in flight then are `cut`, and requests that
 * were due but never sent are `unsent`. Both go into the corrected histogram at their lower-bound
 * latency (the end minus their intended time), so an overloaded target never looks better than it
 * is, and a run never lasts longer than its duration plus the grace (DESIGN.md; issue 11).
 */
import net from 'node:net';
import tls from 'node:tls';
import { performance } from 'node:perf_hooks';
import type { Histogram } from 'hdr-histogram-js';
import { createLatencyHistogram, LatencyTally, MAX_LATENCY_US, percentileMs, recordMs } from './histogram.js';
import { Http1ResponseParser } from './http1-response-parser.js';
import { encodeRequest, type EncodedRequest } from './request-encoder.js';
import { directHandle, readDirect, writeToHandle, type DirectHandle, type HandleReader } from './stream-handle.js';
import type { ClientPlan, ErrorKind, ErrorSample, LoadGenerator, LoadPlan, LoadRun, TimelinePoint } from './types.js';

/**
 * The one buffer every socket reads into. Safe to share: onread callbacks run synchronously and
 * the parser keeps no reference to the bytes.
 */
const READ_BUFFER = Buffer.allocUnsafe(256 * 1024);

const ERROR_KINDS: readonly ErrorKind[] = ['refused', 'reset', 'timeout', 'dns', 'tls', 'protocol', 'other'];
const K_REFUSED = 0;
const K_RESET = 1;
const K_TIMEOUT = 2;
const K_DNS = 3;
const K_TLS = 4;
const K_PROTOCOL = 5;
// 6 is `other`: any error not classified above (ERROR_KINDS[6]).

/** Reconnect backoff after refused/dns/tls errors: a dead or misconfigured target must not spin. */
const BACKOFF_MIN_MS = 10;
const BACKOFF_MAX_MS = 500;

const NOT_STARTED = 0;
const RUNNING = 1;
const GRACE = 2;
const DONE = 3;

/** The longest a run waits after its duration for responses in flight (less when the timeout is shorter). */
const MAX_GRACE_MS = 2000;

/** Distinct messages kept per error kind, each with its count. */
export const SAMPLES_PER_KIND = 3;
/** Unsent requests recorded one by one up to this many; beyond it, in equal groups (the histogram is µs-precise anyway). */
const UNSENT_RECORD_LIMIT = 100_000;

export class NativeLoadGenerator implements LoadGenerator {
  readonly id = 'native';
  run(plan: LoadPlan): Promise<LoadRun> {
    try {
      return new Run(plan).start();
    } catch (error) {
      // A plan that cannot run (e.g. a header that cannot be sent) rejects; it never throws.
      return Promise.reject(error);
    }
  }
}

/** Maps a socket error to an error kind. */
export function classifySocketError(err: unknown): ErrorKind {
  const code = typeof err === 'object' && err !== null ? String((err as { code?: unknown }).code ?? '') : '';
  switch (code) {
    case 'ECONNREFUSED':
      return 'refused';
    case 'ECONNRESET':
    case 'EPIPE':
    case 'ECONNABORTED':
      return 'reset';
    case 'ETIMEDOUT':
      return 'timeout';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_FAIL':
    case 'EAI_NONAME':
      return 'dns';
    case 'EPROTO':
      return 'tls';
  }
  if (/CERT|SSL|TLS/.test(code)) return 'tls';
  return 'other';
}

function kindIndex(kind: ErrorKind): number {
  return ERROR_KINDS.indexOf(kind);
}

/** Connections to one origin within one client. */
class Pool {
  readonly conns: Conn[] = [];
  /** Idle, usable connections (a stack: the most recently used socket is the warmest). */
  readonly free: Conn[] = [];
  freeCount = 0;
  readonly targets: Target[] = [];
  /** Closed loop: next target in this pool's round robin. */
  rr = 0;
  /**
   * https: one TLS context for all of the pool's connections. Without it tls.connect builds a
   * context per connection (SecureContext showed in the profile at 200 connections, bench/README.md);
   * verification (rejectUnauthorized) and SNI stay per connection.
   */
  private tlsContext: tls.SecureContext | undefined;
  constructor(
    readonly req: EncodedRequest,
    readonly insecureTls: boolean,
    readonly openModel: boolean,
  ) {}

  secureContext(): tls.SecureContext {
    this.tlsContext ??= tls.createSecureContext();
    return this.tlsContext;
  }

  pushFree(c: Conn): void {
    if (c.inFree) return;
    c.inFree = true;
    this.free[this.freeCount++] = c;
  }

  popFree(): Conn | undefined {
    while (this.freeCount > 0) {
      const c = this.free[--this.freeCount]!;
      c.inFree = false;
      if (!c.busy && !c.backoffTimer) return c;
    }
    return undefined;
  }
}

/** One URL of one client, with its own share of the client's schedule. */
class Target {
  /** Requests issued so far (open model: the next one is number `issued`). */
  issued = 0;
  /** Intended time (performance.now ms) of the next request; Infinity in the closed loop. */
  nextIntended = Infinity;
  /** A due request of this target found no free connection: it and its followers are late. */
  blocked = false;
  constructor(
    readonly req: EncodedRequest,
    readonly pool: Pool,
    readonly urlSlot: number,
    /** Open model: position among the client's URLs and their count, and the client's rps. */
    private readonly offset: number,
    private readonly stride: number,
    private readonly rps: number,
    private readonly t0: () => number,
  ) {}

  /** Intended time of this target's request number k. */
  intendedAt(k: number): number {
    return this.t0() + ((k * this.stride + this.offset) * 1000) / this.rps;
  }

  advance(): void {
    this.issued++;
    this.nextIntended = this.intendedAt(this.issued);
  }

  /** How many of this target's requests have an intended time before `time`. */
  countBefore(time: number): number {
    // Solve t0 + (k*stride + offset)/rps < time for k, then fix float rounding at the edge.
    let k = Math.max(0, Math.ceil((((time - this.t0()) * this.rps) / 1000 - this.offset) / this.stride));
    while (k > 0 && this.intendedAt(k - 1) >= time) k--;
    while (this.intendedAt(k) < time) k++;
    return k;
  }
}

class Conn implements HandleReader {
  sock: net.Socket | null = null;
  /**
   * The socket's handle once requests can be written straight to it (stream-handle.ts); null while
   * connecting, for TLS, after the peer ended the connection, or when this Node's handles are unknown.
   */
  direct: DirectHandle | null = null;
  busy = false;
  inFree = false;
  target: Target | null = null;
  intendedAt = 0;
  sentAt = 0;
  readonly parser = new Http1ResponseParser();
  /** Consecutive refused/dns/tls failures, for the backoff. */
  failStreak = 0;
  backoffTimer: NodeJS.Timeout | null = null;

  constructor(
    readonly run: Run,
    readonly pool: Pool,
  ) {}

  /**
   * Reads of the current socket straight from its handle (readDirect). A replaced socket's handle
   * calls no more: dropSocket() destroys it, which closes the handle and stops its reads at once.
   */
  onBytes(nread: number): void {
    this.run.onData(this, nread);
  }

  connect(): void {
    const req = this.pool.req;
    const conn = this;
    // One closure per socket (not per request): it ignores reads of a socket we already replaced.
    const onread = {
      buffer: READ_BUFFER,
      callback(nread: number): boolean {
        if (conn.sock === sock) conn.run.onData(conn, nread);
        return true;
      },
    };
    let sock: net.Socket;
    if (req.tls) {
      // tls.connect takes onread as net.connect does (added in Node v15.1.0 and v14.18.0: nodejs/node
      // doc/api/tls.md, tls.connect's history; PR #35753), but @types/node declares it for net only.
      sock = tls.connect({
        host: req.host,
        port: req.port,
        servername: req.servername,
        rejectUnauthorized: !this.pool.insecureTls,
        secureContext: this.pool.secureContext(),
        ALPNProtocols: ['http/1.1'],
        onread,
      } as tls.ConnectionOptions);
      // The TLS handle hands decrypted bytes to onread as the TCP handle does: read them directly too.
      readDirect(sock, this);
    } else {
      sock = net.connect({ host: req.host, port: req.port, onread });
      readDirect(sock, this);
      // The peer ended the connection: no more direct writes; send() sees `writable` false and reconnects.
      sock.on('end', () => {
        if (conn.sock === sock) conn.direct = null;
      });
    }
    sock.setNoDelay(true);
    sock.on('error', (err: Error) => {
      if (conn.sock === sock) conn.run.onSocketError(conn, err);
    });
    sock.on('close', () => {
      if (conn.sock === sock) conn.run.onSocketClose(conn);
    });
    this.sock = sock;
  }

  /** Drops the socket without reporting anything for it. */
  dropSocket(): void {
    const s = this.sock;
    if (s) {
      this.sock = null;
      this.direct = null;
      s.destroy();
    }
  }
}

/** One run of a plan. */
class Run {
  private readonly plan: LoadPlan;
  private readonly pools: Pool[] = [];
  private readonly openTargets: Target[] = [];
  private readonly closedPools: Pool[] = [];
  private readonly conns: Conn[] = [];
  private readonly urlKeys: string[] = [];
  private readonly perUrlCounts: number[] = [];

  // Clock (performance.now ms).
  private t0 = 0;
  private endAt = 0;
  private startDate = new Date();
  /**
   * RUNNING until the duration is over; then GRACE: nothing more is sent (a backlog is never
   * drained late: its requests are `unsent`), and the requests in flight get the grace to complete.
   * DONE when none is left in flight or the grace is over, whichever comes first.
   */
  private phase = NOT_STARTED;
  private readonly graceMs: number;
  private cancelled = false;
  /** End of the sending window: endAt, or the moment of a cancellation. */
  private windowEnd = 0;

  // Counters.
  private sent = 0;
  private ok = 0;
  private failed = 0;
  private lateSends = 0;
  private bytesReceived = 0;
  private busyCount = 0;
  private readonly statusCounts = new Float64Array(1000);
  private readonly kindCounts = new Float64Array(ERROR_KINDS.length);
  private readonly errorSamples: ErrorSample[][] = ERROR_KINDS.map(() => []);
  private readonly corrected = createLatencyHistogram();
  private readonly uncorrected = createLatencyHistogram();

  // The current second of the timeline. Latencies are counted per µs in tallies, drained into the
  // second's histograms when it ends (drainTallies), and those are added to the run's histograms
  // (foldSecond): each recordValue costs a log2 and two pow calls in hdr-histogram-js, the top item
  // of the generator's own profile after the parser (bench/README.md).
  private readonly secHist: Histogram = createLatencyHistogram();
  private readonly secUncorrected: Histogram = createLatencyHistogram();
  /** Responses whose corrected and uncorrected latencies are the same value (sent at their intended time: the closed loop). */
  private readonly secBoth: Histogram = createLatencyHistogram();
  private readonly secHistTally = new LatencyTally(this.secHist);
  private readonly secUncorrectedTally = new LatencyTally(this.secUncorrected);
  private readonly secBothTally = new LatencyTally(this.secBoth);
  private secRequests = 0;
  private secErrors = 0;
  private secondsEmitted = 0;
  private readonly timeline: TimelinePoint[] = [];

  // Timers.
  private pumpTimer: NodeJS.Timeout | null = null;
  private pumpAt = Infinity;
  private clockTimer: NodeJS.Timeout | null = null;
  private graceTimer: NodeJS.Timeout | null = null;
  private sweepTimer: NodeJS.Timeout | null = null;
  private readonly timeoutMs: number;
  private resolve!: (run: LoadRun) => void;
  private readonly onAbort = () => this.cancel();
  private readonly pumpFn = () => {
    this.pumpTimer = null;
    this.pumpAt = Infinity;
    this.pump();
  };

  constructor(plan: LoadPlan) {
    this.plan = plan;
    if (!(plan.durationMs > 0)) throw new RangeError('durationMs must be positive');
    if (plan.clients.length === 0) throw new RangeError('a load plan needs at least one client');
    this.timeoutMs = plan.requestTimeoutMs > 0 ? plan.requestTimeoutMs : 30_000;
    this.graceMs = Math.min(this.timeoutMs, MAX_GRACE_MS);
    const t0 = () => this.t0;
    const slots = new Map<string, number>();
    for (const client of plan.clients) this.addClient(client, t0, slots);
  }

  private addClient(client: ClientPlan, t0: () => number, slots: Map<string, number>): void {
    if (client.urls.length === 0) throw new RangeError('a client needs at least one URL');
    const insecure = client.insecureTls ?? this.plan.insecureTls ?? false;
    const open = client.rps > 0;
    const reqs = client.urls.map((url) =>
      encodeRequest(url, {
        method: client.method,
        headers: client.headers,
        cookies: client.cookies,
        body: client.body,
        contentType: client.contentType,
      }),
    );
    // One pool per origin; the client's connections are spread over its origins (at least one each).
    const origins = [...new Set(reqs.map((r) => r.origin))];
    const total = Math.max(1, Math.floor(client.connections));
    const pools = new Map<string, Pool>();
    origins.forEach((origin, j) => {
      const first = reqs.find((r) => r.origin === origin)!;
      const pool = new Pool(first, insecure, open);
      const n = Math.max(1, Math.floor(total / origins.length) + (j < total % origins.length ? 1 : 0));
      for (let i = 0; i < n; i++) {
        const c = new Conn(this, pool);
        pool.conns.push(c);
        this.conns.push(c);
      }
      pools.set(origin, pool);
      this.pools.push(pool);
      if (!open) this.closedPools.push(pool);
    });
    reqs.forEach((req, u) => {
      let slot = slots.get(req.redactedUrl);
      if (slot === undefined) {
        slot = this.urlKeys.length;
        slots.set(req.redactedUrl, slot);
        this.urlKeys.push(req.redactedUrl);
        this.perUrlCounts.push(0);
      }
      const pool = pools.get(req.origin)!;
      const target = new Target(req, pool, slot, u, reqs.length, open ? client.rps : 1, t0);
      pool.targets.push(target);
      if (open) this.openTargets.push(target);
    });
  }

  start(): Promise<LoadRun> {
    return new Promise<LoadRun>((resolve) => {
      this.resolve = resolve;
      const signal = this.plan.signal;
      this.t0 = performance.now();
      this.startDate = new Date();
      this.endAt = this.t0 + this.plan.durationMs;
      this.windowEnd = this.endAt;
      if (signal?.aborted) {
        this.cancelled = true;
        this.windowEnd = this.t0; // nothing ran: an empty window
        this.finish();
        return;
      }
      signal?.addEventListener('abort', this.onAbort, { once: true });
      this.phase = RUNNING;
      // Connect everything up front, as wrk does: the first requests should not pay for handshakes
      // more than later ones. Writes to a connecting socket are queued by Node.
      for (const c of this.conns) c.connect();
      for (const t of this.openTargets) t.nextIntended = t.intendedAt(0);
      for (const pool of this.pools) {
        if (pool.openModel) for (const c of pool.conns) pool.pushFree(c);
      }
      for (const pool of this.closedPools) for (const c of pool.conns) this.sendClosed(c, performance.now());
      if (this.openTargets.length > 0) this.pump();
      this.sweepTimer = setInterval(() => this.sweep(), Math.min(250, Math.max(5, this.timeoutMs / 10)));
      this.scheduleClock();
    });
  }

  // ---- sending ----

  private send(c: Conn, t: Target, intended: number, now: number): void {
    let direct = c.direct;
    if (direct === null) {
      // A socket the server has just closed (its 'close' not yet delivered) cannot take a request.
      if (c.sock !== null && !c.sock.writable) c.dropSocket();
      if (c.sock === null) c.connect();
      direct = c.direct = directHandle(c.sock!);
    }
    c.busy = true;
    c.target = t;
    c.intendedAt = intended;
    c.sentAt = now;
    c.parser.reset(t.req.isHead);
    this.busyCount++;
    this.sent++;
    if (direct !== null) writeToHandle(direct, c.sock!, t.req.bytes);
    else c.sock!.write(t.req.bytes);
  }

  /**
   * Closed loop: the connection's next request, sent at `now`. After a response that is the
   * response's own completion time: the write follows within a microsecond, so a latency can only
   * come out longer by that, and reading the clock again was about 1% of the generator's CPU.
   */
  private sendClosed(c: Conn, now: number): void {
    const pool = c.pool;
    const t = pool.targets[pool.rr]!;
    pool.rr = pool.rr + 1 === pool.targets.length ? 0 : pool.rr + 1;
    this.send(c, t, now, now);
  }

  /** Open model: writes every request whose intended time has passed, then sleeps until the next. */
  private pump(): void {
    if (this.phase !== RUNNING) return;
    const now = performance.now();
    let next = Infinity;
    const targets = this.openTargets;
    for (let i = 0; i < targets.length; i++) {
      const t = targets[i]!;
      while (t.nextIntended <= now && t.nextIntended < this.endAt) {
        const c = t.pool.popFree();
        if (c === undefined) {
          t.blocked = true; // served by onFree() as connections come back
          break;
        }
        if (t.blocked) this.lateSends++;
        this.send(c, t, t.nextIntended, now);
        t.advance();
      }
      if (t.nextIntended > now) t.blocked = false;
      if (!t.blocked && t.nextIntended < next) next = t.nextIntended;
    }
    if (next < this.endAt) this.armPump(next, now);
  }

  private armPump(at: number, now: number): void {
    if (this.pumpTimer !== null) {
      if (this.pumpAt <= at) return;
      clearTimeout(this.pumpTimer);
    }
    this.pumpAt = at;
    // Node timers have 1 ms resolution and never fire early by their own clock; rounding down
    // keeps sends within about a millisecond of their intended time (pump() re-arms if early).
    this.pumpTimer = setTimeout(this.pumpFn, Math.max(1, Math.floor(at - now)));
  }

  /** A connection can take a request again. */
  private onFree(c: Conn, now: number): void {
    const pool = c.pool;
    if (this.phase !== RUNNING) {
      if (this.phase === GRACE) this.finishIfIdle();
      return;
    }
    if (!pool.openModel) {
      this.sendClosed(c, now);
      return;
    }
    // Serve the oldest due request of this pool's targets, if any is waiting.
    let best: Target | null = null;
    const targets = pool.targets;
    for (let i = 0; i < targets.length; i++) {
      const t = targets[i]!;
      if (t.nextIntended <= now && t.nextIntended < this.endAt && (best === null || t.nextIntended < best.nextIntended)) best = t;
    }
    if (best === null) {
      if (c.sock === null) c.connect(); // reconnect now rather than on the next request's clock
      pool.pushFree(c);
      return;
    }
    if (best.blocked) this.lateSends++;
    this.send(c, best, best.nextIntended, now);
    best.advance();
    if (best.nextIntended > now) {
      best.blocked = false;
      if (best.nextIntended < this.endAt) this.armPump(best.nextIntended, now);
    }
  }

  // ---- receiving ----

  onData(c: Conn, nread: number): void {
    this.bytesReceived += nread;
    if (!c.busy) {
      // Bytes nobody asked for: the connection can no longer be trusted.
      c.dropSocket();
      return;
    }
    const parser = c.parser;
    let off = 0;
    while (off < nread) {
      const n = parser.execute(READ_BUFFER, off, nread);
      if (n < 0) {
        this.fail(c, K_PROTOCOL, `malformed response: ${parser.error}`);
        return;
      }
      off += n;
      if (parser.complete) {
        // Bytes after the response were not asked for (we never pipeline): start afresh.
        this.complete(c, parser.keepAlive && off === nread);
        return;
      }
    }
  }

  private complete(c: Conn, keepAlive: boolean): void {
    const now = performance.now();
    const t = c.target!;
    const status = c.parser.statusCode;
    if (c.intendedAt === c.sentAt) this.secBothTally.recordMs(now - c.sentAt);
    else {
      this.secHistTally.recordMs(now - c.intendedAt);
      this.secUncorrectedTally.recordMs(now - c.sentAt);
    }
    this.statusCounts[status]++;
    this.secRequests++;
    this.perUrlCounts[t.urlSlot]++;
    if (status < 200 || status >= 400) {
      this.failed++;
      this.secErrors++;
    } else this.ok++;
    c.busy = false;
    c.failStreak = 0;
    this.busyCount--;
    if (!keepAlive || t.req.closeAfter) c.dropSocket();
    this.onFree(c, now);
  }

  /** A request failed without a response: count it, replace the socket, back off if it cannot connect. */
  private fail(c: Conn, kind: number, message: string): void {
    c.dropSocket();
    if (!c.busy) return;
    this.sample(kind, message);
    if (kind === K_TIMEOUT) {
      // A request that timed out waited at least this long: leaving it out of the latencies would
      // let a server that stops answering look fast. Its elapsed time is a lower bound. It got no
      // response, so the uncorrected histogram (responses only) does not hold it.
      this.secHistTally.recordMs(performance.now() - c.intendedAt);
    }
    c.busy = false;
    this.busyCount--;
    this.failed++;
    this.secRequests++;
    this.secErrors++;
    this.kindCounts[kind]++;
    this.perUrlCounts[c.target!.urlSlot]++;
    if (kind === K_REFUSED || kind === K_DNS || kind === K_TLS) {
      const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** c.failStreak++);
      c.backoffTimer = setTimeout(() => {
        c.backoffTimer = null;
        this.onFree(c, performance.now());
      }, delay);
      return;
    }
    this.onFree(c, performance.now());
  }

  /** Keeps the first distinct messages of a kind with their counts (not the hot path: failures only). */
  private sample(kind: number, message: string): void {
    const list = this.errorSamples[kind]!;
    for (let i = 0; i < list.length; i++) {
      if (list[i]!.message === message) {
        list[i]!.count++;
        return;
      }
    }
    if (list.length < SAMPLES_PER_KIND) list.push({ message, count: 1 });
  }

  onSocketError(c: Conn, err: Error): void {
    const kind = classifySocketError(err);
    this.fail(c, kindIndex(kind), err.message);
  }

  /** The peer closed the connection (no socket error). */
  onSocketClose(c: Conn): void {
    if (!c.busy) {
      c.sock = null; // an idle keep-alive connection timed out on the server: reconnect when needed
      c.direct = null;
      return;
    }
    const parser = c.parser;
    if (parser.finish()) {
      c.sock = null;
      c.direct = null;
      this.complete(c, false);
    } else if (parser.idle) {
      this.fail(c, K_RESET, 'the server closed the connection without responding');
    } else {
      this.fail(c, K_PROTOCOL, 'the server closed the connection in the middle of a response');
    }
  }

  /** Finds requests that have waited longer than the timeout since they were written. */
  private sweep(): void {
    const now = performance.now();
    const limit = now - this.timeoutMs;
    for (let i = 0; i < this.conns.length; i++) {
      const c = this.conns[i]!;
      if (c.busy && c.sentAt <= limit) this.fail(c, K_TIMEOUT, `no complete response within ${this.timeoutMs} ms`);
    }
  }

  // ---- the clock: timeline ticks and the end of the run ----

  private scheduleClock(): void {
    const now = performance.now();
    const nextTick = this.t0 + (this.secondsEmitted + 1) * 1000;
    const at = this.phase === RUNNING ? Math.min(nextTick, this.endAt) : nextTick;
    this.clockTimer = setTimeout(() => this.onClock(), Math.max(0, at - now));
  }

  private onClock(): void {
    this.clockTimer = null;
    const now = performance.now();
    // Seconds are emitted as they end, in the grace too: a completion counts in the second it happened.
    if (now >= this.t0 + (this.secondsEmitted + 1) * 1000) this.emitSecond();
    if (this.phase === RUNNING && now >= this.endAt) this.endWindow();
    if (this.phase !== DONE) this.scheduleClock();
  }

  private drainTallies(): void {
    this.secHistTally.drainInto(this.secHist);
    this.secUncorrectedTally.drainInto(this.secUncorrected);
    this.secBothTally.drainInto(this.secBoth);
  }

  private emitSecond(): void {
    this.drainTallies();
    this.secHist.add(this.secBoth);
    this.secUncorrected.add(this.secBoth);
    this.secBoth.reset();
    const point: TimelinePoint = {
      second: ++this.secondsEmitted,
      requests: this.secRequests,
      errors: this.secErrors,
      p50_ms: this.secHist.totalCount === 0 ? null : percentileMs(this.secHist, 50),
      p90_ms: this.secHist.totalCount === 0 ? null : percentileMs(this.secHist, 90),
      p99_ms: this.secHist.totalCount === 0 ? null : percentileMs(this.secHist, 99),
      uncorrected_p50_ms: this.secUncorrected.totalCount === 0 ? null : percentileMs(this.secUncorrected, 50),
      uncorrected_p90_ms: this.secUncorrected.totalCount === 0 ? null : percentileMs(this.secUncorrected, 90),
      uncorrected_p99_ms: this.secUncorrected.totalCount === 0 ? null : percentileMs(this.secUncorrected, 99),
      // A second that starts after the window holds only completions of the grace.
      ...((this.secondsEmitted - 1) * 1000 >= this.windowMs() ? { grace: true } : {}),
    };
    this.timeline.push(point);
    this.plan.onSecondHistograms?.(point.second, this.secHist, this.secUncorrected);
    this.secRequests = 0;
    this.secErrors = 0;
    this.foldSecond();
    try {
      this.plan.onTick?.(point);
    } catch {
      // Progress output must never break a measurement.
    }
  }

  /** Adds the current second's latencies to the run's histograms and starts the second afresh. */
  private foldSecond(): void {
    this.drainTallies();
    for (const [from, into] of [
      [this.secBoth, this.corrected],
      [this.secBoth, this.uncorrected],
      [this.secHist, this.corrected],
      [this.secUncorrected, this.uncorrected],
    ] as const) {
      if (from.totalCount > 0) into.add(from);
    }
    this.secBoth.reset();
    this.secHist.reset();
    this.secUncorrected.reset();
  }

  /**
   * The sending window's length. A full window is the duration exactly: (t0 + d) - t0 in floating
   * point comes out a hair under or over d about one time in ten (1.4999999999999998 s for 1.5 s).
   * Rates and warm-up seconds divide by it, and a hair over would leave the first second after the
   * window unmarked as grace, so that its few late completions read as a second of the window.
   */
  private windowMs(): number {
    return this.windowEnd === this.endAt ? this.plan.durationMs : this.windowEnd - this.t0;
  }

  /** The duration is over: nothing more is sent; what is in flight gets the grace. */
  private endWindow(): void {
    this.phase = GRACE;
    if (this.pumpTimer !== null) clearTimeout(this.pumpTimer);
    this.pumpTimer = null;
    this.graceTimer = setTimeout(() => this.finish(), Math.max(0, this.endAt + this.graceMs - performance.now()));
    this.finishIfIdle();
  }

  private finishIfIdle(): void {
    if (this.busyCount === 0) this.finish();
  }

  private cancel(): void {
    if (this.phase === DONE) return;
    this.cancelled = true;
    this.windowEnd = Math.min(this.endAt, performance.now());
    // In-flight requests are abandoned: they count as cut.
    this.finish();
  }

  private finish(): void {
    if (this.phase === DONE) return;
    this.phase = DONE;
    const now = performance.now();
    this.plan.signal?.removeEventListener('abort', this.onAbort);
    for (const timer of [this.pumpTimer, this.clockTimer, this.graceTimer]) if (timer !== null) clearTimeout(timer);
    if (this.sweepTimer !== null) clearInterval(this.sweepTimer);
    // Requests still in flight are cut: they waited at least until now.
    let cut = 0;
    for (const c of this.conns) {
      if (c.busy) {
        cut++;
        recordMs(this.corrected, now - c.intendedAt);
        c.busy = false;
      }
      if (c.backoffTimer !== null) clearTimeout(c.backoffTimer);
      c.backoffTimer = null;
      c.dropSocket();
    }
    this.busyCount = 0;
    const started = this.t0 > 0;
    // The last, partial second: the window's own, or a grace second in which something completed.
    if (started && (this.secRequests > 0 || this.secondsEmitted * 1000 < this.windowMs() - 1)) this.emitSecond();
    this.foldSecond(); // nothing recorded may be left out of the run's histograms

    let unsent = 0;
    if (started) {
      for (const t of this.openTargets) {
        // Requests whose intended time fell inside the sending window but never went out.
        const due = t.countBefore(this.windowEnd);
        const n = Math.max(0, due - t.issued);
        unsent += n;
        this.recordUnsent(t, t.issued, n, now);
      }
    }
    const statusCodes: Record<string, number> = {};
    for (let s = 0; s < this.statusCounts.length; s++) if (this.statusCounts[s]! > 0) statusCodes[String(s)] = this.statusCounts[s]!;
    const errorKinds: Partial<Record<ErrorKind, number>> = {};
    const errorSamples: Partial<Record<ErrorKind, ErrorSample[]>> = {};
    ERROR_KINDS.forEach((k, i) => {
      if (this.kindCounts[i]! > 0) errorKinds[k] = this.kindCounts[i]!;
      if (this.errorSamples[i]!.length > 0) errorSamples[k] = this.errorSamples[i]!.map((x) => ({ ...x }));
    });
    const perUrl: Record<string, number> = {};
    this.urlKeys.forEach((k, i) => (perUrl[k] = this.perUrlCounts[i]!));
    const anyClosed = this.plan.clients.some((c) => !(c.rps > 0));
    const windowMs = started ? this.windowMs() : 0;
    this.resolve({
      startTime: this.startDate,
      endTime: new Date(this.startDate.getTime() + windowMs),
      durationS: windowMs / 1000,
      graceS: started ? Math.max(0, now - this.windowEnd) / 1000 : 0,
      requestedQps: anyClosed ? 0 : this.plan.clients.reduce((s, c) => s + c.rps, 0),
      connections: this.conns.length,
      intended: this.sent + unsent,
      sent: this.sent,
      unsent,
      ok: this.ok,
      failed: this.failed,
      cut,
      requests: this.ok + this.failed,
      errors: this.failed,
      statusCodes,
      errorKinds,
      errorSamples,
      corrected: this.corrected,
      uncorrected: this.uncorrected,
      lateSends: this.lateSends,
      bytesReceived: this.bytesReceived,
      timeline: this.timeline,
      cancelled: this.cancelled,
      perUrl,
    });
  }

  /**
   * Records a target's unsent requests number `from` .. `from+n-1` in the corrected histogram at
   * their lower-bound latency, end − intended time. A huge backlog is recorded in equal groups,
   * each at the latency of its member that waited least, so every value stays a lower bound.
   */
  private recordUnsent(t: Target, from: number, n: number, end: number): void {
    if (n <= 0) return;
    const step = Math.max(1, Math.ceil(n / UNSENT_RECORD_LIMIT));
    for (let i = 0; i < n; i += step) {
      const count = Math.min(step, n - i);
      const us = Math.max(0, Math.round((end - t.intendedAt(from + i + count - 1)) * 1000));
      this.corrected.recordValueWithCount(Math.min(us, MAX_LATENCY_US), count);
    }
  }
}
