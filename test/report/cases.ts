import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { requireMesh } from '../../packages/core/src/mesh/registry.js';
import { NativeLoadGenerator } from '../../packages/core/src/smp/loadgen/native.js';
import type { ClientPlan } from '../../packages/core/src/smp/loadgen/types.js';
import { buildSmpResult, type SmpResult } from '../../packages/core/src/smp/result.js';
import { toSmiResult, type SmiResult } from '../../packages/core/src/smi/result.js';
import { judge } from '../../packages/core/src/smi/scoring.js';
import type { SmiSpecName } from '../../packages/core/src/mesh/registry.js';
import { fakeCluster, runAgainst } from '../smi/helpers.js';
import { makeContext, makeRun, timelineOf } from '../support/load-run.js';

/**
 * The result files the report tests render: made by the real load generator against a real local
 * server, and by the real SMI suite against the fake cluster, except the one-hour run, which is
 * built from a synthetic LoadRun (an hour of real load has no place in a test).
 */

/** A target on 127.0.0.1: `/ok` answers at once, `/slow` after 25 ms, `/flaky` fails every fourth request with 500 or 503. */
export async function startTarget(): Promise<{ url: string; close(): Promise<void> }> {
  let n = 0;
  const server: Server = createServer((req, res) => {
    if (req.url === '/slow') {
      setTimeout(() => res.end('slow'), 25);
      return;
    }
    if (req.url === '/flaky' && ++n % 4 === 0) {
      res.statusCode = n % 8 === 0 ? 503 : 500;
      res.end('no');
      return;
    }
    res.end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

/** A port nothing listens on: connections are refused. */
export async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

const client = (urls: string[], connections: number, rps: number): ClientPlan => ({ urls, connections, rps, method: 'GET', headers: {}, cookies: {} });

async function realRun(name: string, clients: ClientPlan[], durationMs: number): Promise<SmpResult> {
  const run = await new NativeLoadGenerator().run({ clients, durationMs, requestTimeoutMs: 2000 });
  return buildSmpResult(
    run,
    makeContext({
      id: crypto.randomUUID(),
      name,
      labels: { case: name },
      profile: {
        duration: `${durationMs / 1000}s`,
        clients: clients.map((c) => ({ endpoint_urls: c.urls, connections: c.connections, rps: c.rps, load_generator: 'native', protocol: 1 })),
      },
    }),
  );
}

/** A target that keeps up: 100 requests/s over 4 connections. */
export const goodRun = (url: string) => realRun('good', [client([`${url}/ok`], 4, 100)], 5000);

/** A target that cannot: 25 ms per request on one connection (at most 40/s) asked for 100/s. */
export const overloadedRun = (url: string) => realRun('overloaded', [client([`${url}/slow`], 1, 100)], 6000);

/** HTTP 500/503 from one URL, refused connections from another client. */
export const errorRun = (url: string, refusedPort: number) =>
  realRun('errors', [client([`${url}/flaky`, `${url}/ok`], 2, 120), client([`http://127.0.0.1:${refusedPort}/`], 1, 20)], 2000);

/** One hour, one point per second, with a slow spell and a stall, for the size budget. */
export function hourRun(): SmpResult {
  const seconds = 3600;
  const wave = (s: number) => Math.sin(s / 90);
  const timeline = timelineOf(seconds, (s) => {
    const stall = s >= 2000 && s < 2010;
    const requests = stall ? 120 + (s % 7) : 1000 + Math.round(40 * wave(s)) - (s % 13);
    const p50 = 2.1 + 0.4 * wave(s) + (s % 17) / 100;
    return {
      requests,
      errors: stall ? 35 : s % 97 === 0 ? 3 : 0,
      p50_ms: p50,
      p90_ms: p50 * 2.3 + (s % 5) / 10,
      p99_ms: stall ? 950 + s - 2000 : p50 * 5.1 + (s % 23) / 3,
      uncorrected_p50_ms: p50 * 0.97,
      uncorrected_p90_ms: p50 * 2.2,
      uncorrected_p99_ms: stall ? 180 : p50 * 4.8,
    };
  });
  const correctedUs = Array.from({ length: 20_000 }, (_, i) => 1200 + ((i * 7919) % 6000) + (i % 500 === 0 ? 900_000 : 0));
  const run = makeRun({ correctedUs, durationS: seconds, timeline, requestedQps: 1000, connections: 16, statusCodes: { '200': 3_590_000, '503': 620 } });
  return buildSmpResult(run, makeContext({ name: 'one-hour soak', profile: { duration: '1h', clients: [{ endpoint_urls: ['http://127.0.0.1:8080/api'], connections: 16, rps: 1000, load_generator: 'native', protocol: 1 }] } }));
}

const policy = { failOnNonconformance: true };

/** The SMI suite against the fake cluster, its mesh faithful (`faithful`) or broken by one switch. */
export async function smiRun(mode: string, specs: SmiSpecName[], stepTimeoutMs: number): Promise<SmiResult> {
  const cluster = await fakeCluster(mode);
  try {
    const { suite } = await runAgainst(cluster, { specs, stepTimeoutMs, mesh: requireMesh('osm', 'test'), meshVersion: 'v1.2.4' });
    return toSmiResult(suite, { toolVersion: '0.1.0', policy, verdict: judge(suite.score, policy) });
  } finally {
    await cluster.close();
  }
}
