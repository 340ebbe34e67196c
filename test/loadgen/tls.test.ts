/**
 * https targets: a self-signed certificate is accepted only when the plan asks for it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from 'selfsigned';
import { NativeLoadGenerator } from '../../packages/core/src/smp/loadgen/native.js';
import type { ClientPlan } from '../../packages/core/src/smp/loadgen/types.js';
import { httpsTarget, type Target } from './servers.js';

let target: Target;
const sni: (string | undefined)[] = [];

beforeAll(async () => {
  const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }]);
  target = await httpsTarget(pems.private, pems.cert, (req, res) => {
    sni.push((req.socket as { servername?: string }).servername);
    res.end('secure');
  });
});
afterAll(async () => {
  await target?.close();
});

const client = (over: Partial<ClientPlan> = {}): ClientPlan => ({
  urls: [`${target.url}/`],
  connections: 2,
  rps: 0,
  method: 'GET',
  headers: {},
  cookies: {},
  ...over,
});

describe('native load generator over TLS', () => {
  it('loads an https target with a self-signed certificate when insecureTls is set', async () => {
    const r = await new NativeLoadGenerator().run({ clients: [client()], durationMs: 500, requestTimeoutMs: 5000, insecureTls: true });
    expect(r.errors).toBe(0);
    expect(r.statusCodes['200']).toBe(r.requests);
    expect(r.requests).toBeGreaterThan(50);
    // IP addresses get no SNI (RFC 6066 forbids it).
    expect(sni.every((s) => !s)).toBe(true);
  });

  it('rejects the self-signed certificate by default, as a tls error, without spinning', async () => {
    const r = await new NativeLoadGenerator().run({ clients: [client()], durationMs: 500, requestTimeoutMs: 5000 });
    expect(r.statusCodes).toEqual({});
    expect(r.errorKinds.tls).toBe(r.requests);
    expect(r.requests).toBeGreaterThan(0);
    expect(r.requests).toBeLessThan(50);
    expect(r.errorSamples.tls?.[0]?.message).toMatch(/self[- ]signed/i);
  });

  it('lets a client override the plan', async () => {
    const r = await new NativeLoadGenerator().run({
      clients: [client({ insecureTls: true, rps: 50 })],
      durationMs: 400,
      requestTimeoutMs: 5000,
      insecureTls: false,
    });
    expect(r.errors).toBe(0);
    expect(r.requests).toBeGreaterThanOrEqual(19);
  });
});
