// stream-handle.ts writes into the socket's stream handle with a calling convention that differs
// between Node versions (Node 20 and 24.19: a WriteWrap per write; Node 24.22: null and a returned
// request), so its scenarios run here on Node 20 and in a child on Node 24.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as streamHandle from '../../packages/core/src/smp/loadgen/stream-handle.js';
import { directWrites } from '../../packages/core/src/smp/loadgen/stream-handle.js';
import { nodeBinaries } from '../support/action-runner.mjs';
import { requires } from '../support/requires.mjs';
import { runScenarios } from './stream-handle-scenarios.mjs';

type Results = Awaited<ReturnType<typeof runScenarios>>;

function check(r: Results): void {
  // The Node versions we run on must all take the direct path: 'off' would silently lose it.
  expect(r.directWrites, `direct writes on ${r.node}`).not.toBe('off');
  expect(r.small).toEqual({ fallbackCalls: 0, bytes: 500 * 120, same: true });
  expect(r.async.queuedAfterBig, 'the 32 MiB write went asynchronous').toBeGreaterThan(0);
  expect(r.async).toMatchObject({ fallbackCalls: 0, errors: [], same: true });
  expect(r.async.bytes).toBe(r.async.expected);
  expect(r.closedPeer.destroyed).toBe(true);
  expect(r.closedPeer.errors.length).toBeGreaterThan(0);
  expect(['EPIPE', 'ECONNRESET']).toContain(r.closedPeer.errors[0]!.code);
  expect(r.closedPeer.errors[0]!.syscall).toBe('write');
  expect(r.connecting).toEqual({ fallbackCalls: 1, same: true });
  expect(r.reads).toEqual([
    { direct: true, viaCallback: 0, viaDirect: 300_000, same: true, ended: true },
    { direct: true, viaCallback: 0, viaDirect: 200_000, same: true, ended: true },
  ]);
  expect(r.readReset.direct).toBe(true);
  expect(r.readReset.errors).toEqual([{ code: 'ECONNRESET', syscall: 'read' }]);
  expect(r.tlsReads).toEqual({ direct: true, viaCallback: 0, viaDirect: 150_000, same: true, ended: true, fallbackCalls: 1 });
}

describe('stream-handle: reads and writes straight on the socket handle', () => {
  it(`on this Node (${process.version})`, async () => {
    expect(['wrap', 'null'], 'Node 20 takes a WriteWrap per write').toContain(directWrites);
    check(await runScenarios(streamHandle));
  }, 60_000);

  const node24 = nodeBinaries().find((n) => n.label === 'node24')!;
  it('on Node 24 (the runners’ and the load pods’ runtime)', (ctx) => {
    requires(ctx, node24.skipReason);
    const r = spawnSync(node24.path!, [join(import.meta.dirname, 'stream-handle-scenarios.mjs')], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    const results = JSON.parse(r.stdout.trim().split('\n').pop()!) as Results;
    expect(results.node).toMatch(/^v24\./);
    check(results);
  }, 70_000);

  it('leaves TLS writes to Node (socket.write)', async () => {
    const { writeRequest } = streamHandle;
    let calls = 0;
    const fake = { _handle: {}, connecting: false, writableLength: 0, encrypted: true, write: () => calls++ };
    writeRequest(fake as never, Buffer.from('x'));
    expect(calls).toBe(1);
  });
});
