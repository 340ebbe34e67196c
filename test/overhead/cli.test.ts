import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../packages/core/src/cli/main.js';
import { cliIO } from '../support/cli-io.js';

/** What `smp run --compare-without-mesh` refuses before it looks for a cluster (exit 2, no kubeconfig needed). */

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

async function run(profile: string, args: string[], files: Record<string, string> = {}) {
  dir = await mkdtemp(join(tmpdir(), 'overhead-cli-'));
  await writeFile(join(dir, 'p.yaml'), profile);
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  // No kubeconfig anywhere: a refusal must come before the cluster is looked for.
  const t = cliIO({ cwd: dir, env: { HOME: dir } });
  const code = await runCli(['smp', 'run', 'p.yaml', ...args], t.io);
  return { code, stderr: t.stderr(), all: t.all() };
}

const profile = (o: { internal?: boolean; url?: string; mesh?: string } = {}) => `
test:
  name: overhead
  duration: 2s
  clients:
    - internal: ${o.internal ?? true}
      connections: 2
      rps: 10
      endpoint_urls: ['${o.url ?? 'http://sample-app:9091/echo'}']
mesh:
  type: ${o.mesh ?? 'LINKERD'}
`;

describe('smp run --compare-without-mesh refuses, before any cluster', () => {
  it('load from the runner', async () => {
    const r = await run(profile({ internal: false }), ['--compare-without-mesh']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--compare-without-mesh: .*p\.yaml: clients\[0\] loads from the runner, which reaches an in-cluster service only through a port-forward.*Set internal: true on the clients/);
  });

  it('a namespace-qualified URL, naming the client and URL', async () => {
    const r = await run(profile({ url: 'http://sample-app.shop:9091/echo' }), ['--compare-without-mesh']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/clients\[0\]\.endpoint_urls\[0\] \(http:\/\/sample-app\.shop:9091\/echo\): "sample-app\.shop" is namespace-qualified/);
  });

  it('a mesh without sidecars to set apart, and no mesh at all', async () => {
    expect((await run(profile({ mesh: 'TRAEFIK_MESH' }), ['--compare-without-mesh'])).stderr).toMatch(/--compare-without-mesh: Traefik Mesh injects no sidecar/);
    expect((await run(profile({ mesh: 'INVALID_MESH' }), ['--compare-without-mesh'])).stderr).toMatch(/--compare-without-mesh: no mesh is named/);
  });

  it('a cluster-scoped kind in the service manifest, naming the file and document', async () => {
    const manifest = 'apiVersion: v1\nkind: Service\nmetadata: {name: web}\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: web}\n';
    const r = await run(profile(), ['--compare-without-mesh', '--service-manifest', 'svc.yaml'], { 'svc.yaml': manifest });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--service-manifest: .*svc\.yaml: document 1: ClusterRole web is cluster-scoped/);
  });

  it('a manifest that cannot be read, and one without a comparison', async () => {
    expect((await run(profile(), ['--compare-without-mesh', '--service-manifest', 'none.yaml'])).stderr).toMatch(/--service-manifest: cannot read .*none\.yaml: ENOENT/);
    const r = await run(profile(), ['--service-manifest', 'svc.yaml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--service-manifest: the service is deployed only for a comparison; add --compare-without-mesh/);
  });
});
