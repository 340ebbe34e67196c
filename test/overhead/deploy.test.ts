import { KubeConfig } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { KubeClient } from '../../packages/core/src/kube/client.js';
import { MemoryLogger } from '../../packages/core/src/log.js';
import { requireMesh } from '../../packages/core/src/mesh/registry.js';
import { deploySides } from '../../packages/core/src/smp/overhead/deploy.js';
import { sampleServiceManifest, serviceObjectsFor } from '../../packages/core/src/smp/overhead/service-manifest.js';
import { OVERHEAD_NAMESPACES } from '../../packages/core/src/smp/overhead/sides.js';
import { startFakeCluster } from '../support/fake-cluster/index.mjs';

/**
 * Deploying the two copies (smp/overhead/deploy.ts) on a cluster where no mesh injects anything:
 * the comparison refuses to measure a "meshed" copy without a sidecar, and leaves nothing behind.
 */

let cluster: Awaited<ReturnType<typeof startFakeCluster>> | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

const linkerd = requireMesh('linkerd', 'test');
const sides = (['plain', 'meshed'] as const).map((side) => ({ side, namespace: OVERHEAD_NAMESPACES[side], service: serviceObjectsFor(sampleServiceManifest(), side, OVERHEAD_NAMESPACES[side], linkerd, 'the sample service') }));

async function client() {
  cluster = await startFakeCluster();
  const kc = new KubeConfig();
  kc.loadFromString(cluster.kubeconfig);
  return new KubeClient(kc);
}

describe('deploying the copies', () => {
  it('marks the namespaces, and stops when the meshed copy got no sidecar, deleting both namespaces', async () => {
    const kube = await client();
    const logger = new MemoryLogger();
    const seen: Record<string, unknown> = {};
    const c = cluster!;
    // What the namespaces carried while they existed.
    const off = setInterval(() => {
      for (const ns of c.store.list({ group: '', resource: 'namespaces' }) ?? []) if (ns.metadata.name.startsWith('meshspec-overhead')) seen[ns.metadata.name] = ns.metadata;
    }, 5);
    try {
      await expect(deploySides(sides, { kube, mesh: linkerd, logger, readyTimeoutMs: 20_000 })).rejects.toThrow(
        /^pod meshspec-overhead-meshed\/sample-app-[a-z0-9-]+ got no sidecar: Linkerd did not inject the namespace marked linkerd\.io\/inject: enabled\. Check that Linkerd is installed/,
      );
    } finally {
      clearInterval(off);
    }
    expect(seen['meshspec-overhead-meshed']).toMatchObject({ annotations: { 'linkerd.io/inject': 'enabled' }, labels: { 'app.kubernetes.io/managed-by': 'meshspec', 'meshspec.io/overhead-side': 'meshed' } });
    expect(seen['meshspec-overhead-plain']).toMatchObject({ annotations: { 'linkerd.io/inject': 'disabled' } });
    for (const name of Object.values(OVERHEAD_NAMESPACES)) expect(await kube.read({ apiVersion: 'v1', kind: 'Namespace', name })).toBeUndefined();
    expect(c.store.list({ group: 'apps', resource: 'deployments' }).filter((d: any) => d.metadata.namespace.startsWith('meshspec-overhead'))).toEqual([]);
  });

  it('keeps a namespace that existed before the run, removing only the copy put into it', async () => {
    const kube = await client();
    // Created by someone else (another field manager), as a user's namespace would be.
    await kube.core.createNamespace({ body: { metadata: { name: OVERHEAD_NAMESPACES.plain, labels: { team: 'perf' } } } });
    const logger = new MemoryLogger();
    await expect(deploySides(sides, { kube, mesh: linkerd, logger, readyTimeoutMs: 20_000 })).rejects.toThrow(/got no sidecar/);
    expect(logger.text()).toContain('namespace meshspec-overhead-plain existed before this run: it is kept afterwards');
    expect((await kube.read({ apiVersion: 'v1', kind: 'Namespace', name: OVERHEAD_NAMESPACES.plain }))?.metadata?.labels).toMatchObject({ team: 'perf' });
    expect(await kube.read({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'sample-app-deployment', namespace: OVERHEAD_NAMESPACES.plain })).toBeUndefined();
    expect(await kube.read({ apiVersion: 'v1', kind: 'Namespace', name: OVERHEAD_NAMESPACES.meshed })).toBeUndefined();
  });
});
