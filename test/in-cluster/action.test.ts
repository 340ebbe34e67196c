/**
 * smp-action's committed bundle with internal: true clients against the fake cluster: the worker
 * bundle is found beside dist/index.js (smp-action/dist/worker.cjs, copied there by the build),
 * load_pods splits the load, and the result says where it came from.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runActionBundle } from '../support/action-runner.mjs';
import { startFakeCluster } from '../support/fake-cluster/index.mjs';
import type { Cluster } from '../fake-cluster/clients.js';
import { httpTarget, type Target } from '../loadgen/servers.js';
import { until, workerPid } from './helpers.js';

const bundle = resolve(import.meta.dirname, '../../smp-action/dist/index.js');
let cluster: Cluster;
let target: Target;
let hits = 0;
let kubeconfig: string;

beforeAll(async () => {
  cluster = (await startFakeCluster()) as Cluster;
  kubeconfig = join(mkdtempSync(join(tmpdir(), 'meshspec-action-incluster-')), 'kubeconfig');
  await cluster.writeKubeconfig(kubeconfig);
  target = await httpTarget((_q, r) => {
    hits++;
    r.end('ok');
  });
});
afterAll(async () => {
  await target?.close();
  await cluster?.close();
});

describe('smp-action with internal: true clients', () => {
  it('loads from load_pods pods of a Job and writes stats.load_source', async () => {
    const ws = mkdtempSync(join(tmpdir(), 'meshspec-ws-incluster-'));
    writeFileSync(join(ws, 'in-cluster.yaml'), `test:\n  name: in-cluster\n  duration: 2s\n  clients:\n    - internal: true\n      connections: 4\n      rps: 100\n      endpoint_urls: ['${target.url}/']\n`);
    const r = await runActionBundle({
      bundle,
      workspace: ws,
      inputs: { profile_filename: 'in-cluster.yaml', cluster: 'existing', kubeconfig, load_pods: '2', load_start_lead: '2s', upload_artifact: 'false' },
      timeoutMs: 60_000,
    });
    expect(r.outputs.failure_kind, `${r.stdout}\n${r.stderr}`).toBe('none');
    const result = JSON.parse(readFileSync(r.outputs.result_file!, 'utf8'));
    expect(result.stats.load_source.kind).toBe('pods');
    expect(result.stats.load_source.pods.map((p: { outcome: string }) => p.outcome)).toEqual(['succeeded', 'succeeded']);
    expect(result.stats.intended).toBe(200);
    expect(r.summary).toMatch(/Load from 2 pods on 1 node \(fake-node\)/);
  });

  it('a load pod killed mid-run: failure_kind infra, and the partial result is uploaded all the same', async () => {
    const ws = mkdtempSync(join(tmpdir(), 'meshspec-ws-incluster-'));
    writeFileSync(join(ws, 'killed.yaml'), `test:\n  name: killed\n  duration: 4s\n  clients:\n    - internal: true\n      connections: 4\n      rps: 200\n      endpoint_urls: ['${target.url}/']\n`);
    const before = hits;
    const running = runActionBundle({
      bundle,
      workspace: ws,
      // upload_artifact is on (the default); without the Actions runtime here the upload says so.
      inputs: { profile_filename: 'killed.yaml', cluster: 'existing', kubeconfig, load_pods: '2', load_start_lead: '2s' },
      timeoutMs: 60_000,
    });
    const pid = await until('pod 1 running', () => workerPid(1, target.port));
    await until('load started', () => (hits - before > 100 ? true : undefined));
    process.kill(pid, 'SIGKILL');
    const r = await running;
    expect(r.outputs.failure_kind, `${r.stdout}\n${r.stderr}`).toBe('infra');
    expect(r.stdout).toMatch(/the partial result \(stats\.partial\) is in /);
    // backoffLimitPerIndex: the other pod ran to the end of its window.
    expect(r.stdout).toMatch(/1 of 2 load pods in meshspec-load failed .*the result holds the 1 that finished, marked partial/);
    expect(r.stdout).toMatch(/::notice::the artifact was not uploaded: the Actions runtime is not available here .*the files stay in .*meshspec-results/);
    // The cluster's state when the pod failed, as the SMI and GAMMA actions collect it.
    // (The load namespace, created by the run, is gone with its events by then: the file is there, maybe empty.)
    expect(existsSync(join(ws, 'meshspec-results', 'diagnostics', 'events.txt'))).toBe(true);
    expect(r.stdout).toContain('::group::Diagnostics');
  });

  it('refuses load_pods above a client\'s connections before any Job (failure_kind input)', async () => {
    const ws = mkdtempSync(join(tmpdir(), 'meshspec-ws-incluster-'));
    writeFileSync(join(ws, 'few.yaml'), `test:\n  name: few\n  duration: 1s\n  clients:\n    - internal: true\n      connections: 2\n      rps: 100\n      endpoint_urls: ['${target.url}/']\n`);
    const r = await runActionBundle({ bundle, workspace: ws, inputs: { profile_filename: 'few.yaml', cluster: 'existing', kubeconfig, load_pods: '3', upload_artifact: 'false' } });
    expect(r.outputs.failure_kind).toBe('input');
    expect(r.stdout).toMatch(/few\.yaml: \$\.test\.clients\[0\]: 2 connections cannot be shared by 3 pods \(input load_pods 3\)/);
  });
});
