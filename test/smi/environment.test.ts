import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../packages/core/src/cli/main.js';
import { cliIO } from '../support/cli-io.js';
import { startFakeClusterWithMesh } from '../support/fake-cluster/index.mjs';
import { requireMesh } from '../../packages/core/src/mesh/registry.js';
import { deployment, SPLIT_APPS } from '../../packages/core/src/smi/workloads.js';
import { controlPlane, isInjected } from '../support/fake-cluster/mesh/control-plane.mjs';
import type { FakeCluster } from './helpers.js';

/**
 * What the environment, not the mesh, decides: an image the cluster cannot pull is an infra
 * failure naming the image (exit 3), never a score; a mesh that serves no SMI API at all is a test
 * result (exit 1) whose reason says so; and Consul's injection marker goes where Consul reads it.
 */

async function run(cluster: FakeCluster, args: string[]) {
  const dir = mkdtempSync(join(tmpdir(), 'meshspec-env-'));
  const kubeconfig = await cluster.writeKubeconfig(join(dir, 'kubeconfig'));
  const t = cliIO({ cwd: dir, env: { HOME: dir } });
  const code = await runCli(['smi', 'run', '--mesh-deployed', '--kubeconfig', kubeconfig, '--out', join(dir, 'out'), '--step-timeout', '10s', ...args], t.io);
  return { code, t, result: JSON.parse(readFileSync(join(dir, 'out', 'smi-result.json'), 'utf8')) };
}

describe('the environment, not the mesh', () => {
  it('an image the cluster cannot pull fails as infra, naming the image, not as a score', { timeout: 60_000 }, async () => {
    const image = 'registry.example/learn-layer5:missing';
    const cluster = (await startFakeClusterWithMesh({ profile: 'osm', seed: 1, meshOptions: { unpullableImages: [image] } })) as FakeCluster;
    try {
      const { code, t, result } = await run(cluster, ['--mesh', 'osm', '--specs', 'traffic-access', '--sample-app-image', image]);
      expect(code, t.all()).toBe(3);
      expect(t.stderr()).toContain(`the cluster cannot pull the sample app image ${image}`);
      expect(t.stderr()).toMatch(/ImagePullBackOff/);
      expect(t.stderr()).not.toMatch(/not conformant/);
      expect(result.meshspec.infra_errors).toEqual([expect.stringContaining(image)]);
      // The step was stopped at once, not after the step timeout.
      expect(result.meshspec.specs[0].steps[1]).toMatchObject({ name: 'install', status: 'failed' });
      expect(result.meshspec.specs[0].steps[1].duration_s).toBeLessThan(8);
    } finally {
      await cluster.close();
    }
  });

  it('a mesh that serves no SMI API fails each spec at step 1 as a test result (exit 1)', { timeout: 30_000 }, async () => {
    const cluster = (await startFakeClusterWithMesh({ profile: 'kuma', seed: 1 })) as FakeCluster;
    try {
      const { code, t, result } = await run(cluster, ['--mesh', 'kuma', '--specs', 'traffic-access,traffic-spec,traffic-split']);
      expect(code, t.all()).toBe(1);
      expect(result.more_details.map((d: any) => [d.smi_specification, d.reason])).toEqual([
        ['traffic-access', 'failed in step 1-crd'],
        ['traffic-spec', 'failed in step 1-crd'],
        ['traffic-split', 'failed in step 1-crd'],
      ]);
      expect(result.more_details.map((d: any) => d.result)).toEqual([
        expect.stringMatching(/^the mesh serves no access\.smi-spec\.io API: /),
        expect.stringMatching(/^the mesh serves no specs\.smi-spec\.io API: /),
        expect.stringMatching(/^the mesh serves no split\.smi-spec\.io API: /),
      ]);
      expect(result.meshspec.infra_errors).toEqual([]);
    } finally {
      await cluster.close();
    }
  });

  it("Consul's connect-inject marker goes on each pod template, where consul-k8s reads it, not on the namespace", () => {
    const consul = requireMesh('consul', 'test');
    const d = deployment(SPLIT_APPS[1]!, { namespace: 'n', mesh: consul }) as any;
    expect(d.spec.template.metadata.annotations).toEqual({ 'consul.hashicorp.com/connect-inject': 'true' });
    expect(consul.injection.annotations).toBeUndefined();
    expect(consul.injection.labels).toBeUndefined();
    // Other meshes mark the namespace and leave the pod template alone.
    expect((deployment(SPLIT_APPS[1]!, { namespace: 'n', mesh: requireMesh('osm', 'test') }) as any).spec.template.metadata.annotations).toBeUndefined();
    // The simulated injector reads the pod, never the namespace (consul-k8s v2.0.3).
    const marker = { 'consul.hashicorp.com/connect-inject': 'true' };
    expect(isInjected(controlPlane('consul'), { metadata: { annotations: marker } }, { metadata: {} })).toBe(true);
    expect(isInjected(controlPlane('consul'), { metadata: {} }, { metadata: { annotations: marker } })).toBe(false);
  });
});
