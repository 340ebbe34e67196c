/**
 * `meshspec smp run` with internal: true clients: refused inputs (exit 2, before any pod), and a
 * whole run on the fake cluster through --kubeconfig, with the load namespace created and removed.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../packages/core/src/cli/main.js';
import { startFakeCluster } from '../support/fake-cluster/index.mjs';
import { cliIO } from '../support/cli-io.js';
import { compileSchemaFile, errorsOf } from '../support/schemas.js';
import { ensureWorkerBundle } from '../support/worker-bundle.js';
import type { Cluster } from '../fake-cluster/clients.js';
import { httpTarget, type Target } from '../loadgen/servers.js';
import { kubeFor } from './helpers.js';

let dir: string;
let target: Target;
let hits = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'meshspec-incluster-cli-'));
  target = await httpTarget((_q, r) => {
    hits++;
    r.end('ok');
  });
});
afterAll(() => target?.close());

function profile(name: string, clients: Array<{ internal?: boolean; connections: number; rps: number }>): string {
  const body = clients.map((c) => `    - internal: ${c.internal ?? true}\n      connections: ${c.connections}\n      rps: ${c.rps}\n      endpoint_urls: ['${target.url}/']\n`).join('');
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, `test:\n  name: ${name}\n  duration: 2s\n  clients:\n${body}`);
  return file;
}

async function cli(args: string[], env: NodeJS.ProcessEnv = { HOME: dir }) {
  const t = cliIO({ cwd: dir, env });
  const code = await runCli(['smp', 'run', ...args], t.io);
  return { code, ...t };
}

describe('smp run with internal: true clients: refused before any load', () => {
  it('refuses a client with fewer connections than --pods, naming the client and the flag', async () => {
    const before = hits;
    const file = profile('few', [{ connections: 8, rps: 80 }, { connections: 3, rps: 30 }]);
    const r = await cli([file, '--pods', '4']);
    expect(r.code).toBe(2);
    expect(r.all()).toMatch(/few\.yaml: \$\.test\.clients\[1\]: 3 connections cannot be shared by 4 pods \(--pods 4\); give it at least 4 connections or lower --pods 4 to 3/);
    expect(hits).toBe(before);
  });

  it('needs a cluster: without a kubeconfig it names the paths looked at (exit 2)', async () => {
    const r = await cli([profile('nocluster', [{ connections: 2, rps: 20 }])]);
    expect(r.code).toBe(2);
    expect(r.all()).toContain(`its clients are internal: true, so the load runs as pods in a cluster, and no kubeconfig: ${join(dir, '.kube', 'config')} does not exist and KUBECONFIG is not set`);
  });

  it('refuses --pods for a profile that loads from this machine', async () => {
    const r = await cli([profile('runner', [{ internal: false, connections: 2, rps: 20 }]), '--pods', '2']);
    expect(r.code).toBe(2);
    expect(r.all()).toMatch(/--pods: 2 pods apply only to clients with internal: true/);
  });

  it('refuses a profile mixing internal and runner clients, saying why', async () => {
    const r = await cli([profile('mixed', [{ connections: 2, rps: 20 }, { internal: false, connections: 2, rps: 20 }])]);
    expect(r.code).toBe(2);
    expect(r.all()).toMatch(/\$\.test\.clients\[1\]\.internal: 1 of 2 clients are internal: true; a run loads either from inside the cluster/);
  });
});

describe('smp run with internal: true clients on the fake cluster', () => {
  let cluster: Cluster;
  beforeAll(async () => {
    ensureWorkerBundle();
    cluster = (await startFakeCluster()) as Cluster;
  });
  afterAll(() => cluster?.close());

  it('loads from 2 pods, writes stats.load_source and the summary line, and removes the namespace it created', async () => {
    const kubeconfig = join(dir, 'kubeconfig');
    await cluster.writeKubeconfig(kubeconfig);
    const out = join(dir, 'out');
    const r = await cli([profile('pods', [{ connections: 4, rps: 100 }]), '--pods', '2', '--kubeconfig', kubeconfig, '--out', out]);
    expect(r.code, r.all()).toBe(0);
    const result = JSON.parse(readFileSync(join(out, 'smp-result.json'), 'utf8'));
    const validate = compileSchemaFile('smp-result.schema.json');
    expect(validate(result), errorsOf(validate).join('\n')).toBe(true);
    expect(result.stats.load_source).toMatchObject({ kind: 'pods', nodes: ['fake-node'] });
    expect(result.stats.load_source.pods).toHaveLength(2);
    expect(result.stats.partial).toBeUndefined();
    expect(result.stats.intended).toBe(200);
    expect(result.env.kubernetes_version).toBe('v1.30.0');
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toMatch(/Load from 2 pods on 1 node \(fake-node\), image `[^`]+@sha256:[0-9a-f]{64}`; each pod started within \d+ ms of the common start time\./);
    expect(r.logger.text()).toMatch(/created namespace meshspec-load for the load pods/);
    const ns = await kubeFor(cluster).read({ apiVersion: 'v1', kind: 'Namespace', name: 'meshspec-load' });
    expect(ns === undefined || ns.metadata?.deletionTimestamp !== undefined).toBe(true);
  });
});
