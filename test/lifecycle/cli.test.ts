// `meshspec cluster up|down` and `meshspec mesh install` through the CLI dispatcher, with the stubs.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../packages/core/src/cli/main.js';
import { installableMeshes } from '../../packages/core/src/mesh/ensure.js';
import { MESHES } from '../../packages/core/src/mesh/registry.js';
import { cliIO } from '../support/cli-io.js';
import { startBed, type Bed } from './fixture.js';

let bed: Bed | undefined;
afterEach(async () => {
  await bed?.close();
  bed = undefined;
});

function io(b: Bed, env: NodeJS.ProcessEnv = {}) {
  // The CLI uses the tool cache under RUNNER_TOOL_CACHE when set, as on a runner.
  const t = cliIO({ cwd: b.dir, env: { ...b.env, RUNNER_TOOL_CACHE: b.toolCache.root, RUNNER_TEMP: join(b.dir, 'tmp'), ...env } });
  return { io: t.io, logger: t.logger, out: t.stdout, err: t.stderr };
}

describe('meshspec cluster up|down', () => {
  it('starts the verified minikube, prints the kubeconfig and context, and down deletes only our profile', async () => {
    bed = await startBed();
    const up = io(bed);
    const code = await runCli(['cluster', 'up', '--mirror', bed.mirror, '--kubeconfig', bed.kubeconfig, '--kubernetes-version', 'v1.28.15', '--cpus', '2', '--memory', '4g'], up.io);
    expect([code, up.err()]).toEqual([0, '']);
    expect(up.out()).toBe(`kubeconfig: ${bed.kubeconfig}\ncontext: meshspec\n`);
    expect(bed.argvs()).toEqual([
      ['minikube', 'status', '--profile=meshspec', '--output=json'],
      ['minikube', 'start', '--profile=meshspec', '--driver=docker', '--kubernetes-version=v1.28.15', '--cpus=2', '--memory=4g', '--wait=all', '--wait-timeout=6m'],
    ]);
    expect(up.logger.timings.map((t) => t.name)).toEqual(['cluster']);

    bed.clearLog();
    const down = io(bed);
    expect(await runCli(['cluster', 'down', '--mirror', bed.mirror, '--kubeconfig', bed.kubeconfig], down.io)).toBe(0);
    expect(bed.argvs()).toEqual([['minikube', 'delete', '--profile=meshspec']]);
    expect(bed.server.count('/kubernetes/minikube/releases/download/v1.38.1/minikube-linux-amd64')).toBe(1);
  });

  it('a start that fails twice exits 3, writes diagnostics and deletes the half-made profile', async () => {
    bed = await startBed();
    const up = io(bed, { MESHSPEC_STUB_FAIL_ALWAYS: '1', MESHSPEC_DOWNLOAD_MIRROR: bed.mirror });
    const code = await runCli(['cluster', 'up', '--kubeconfig', bed.kubeconfig, '--out', join(bed.dir, 'out')], up.io);
    expect(code).toBe(3);
    expect(up.err()).toContain('X Exiting due to GUEST_PROVISION');
    expect(up.err()).toContain('meshspec cluster up: minikube start failed twice');
    expect(readFileSync(join(bed.dir, 'out', 'diagnostics', 'minikube-logs.txt'), 'utf8')).toContain('==> Audit <==');
    expect(bed.argvs().map((a) => a.slice(0, 2))).toEqual([
      ['minikube', 'status'],
      ['minikube', 'start'],
      ['minikube', 'delete'],
      ['minikube', 'start'],
      ['minikube', 'logs'],
      ['minikube', 'delete'],
    ]);
  });

  it('bad input exits 2 and names the flag', async () => {
    bed = await startBed();
    const up = io(bed);
    expect(await runCli(['cluster', 'up', '--kubernetes-version', 'latest', '--mirror', bed.mirror, '--kubeconfig', bed.kubeconfig], up.io)).toBe(2);
    expect(up.err()).toContain('kubernetes_version: "latest" is not valid; expected something like v1.35.1');
    const bad = io(bed);
    expect(await runCli(['cluster', 'up', '--mirror', 'ftp://x'], bad.io)).toBe(2);
    expect(bad.err()).toContain('download_mirror: "ftp://x" must use https');
  });
});

describe('meshspec mesh install', () => {
  it('installs into the kubeconfig current context and says what it installed', async () => {
    bed = await startBed();
    const run = io(bed);
    expect(await runCli(['mesh', 'install', 'open_service_mesh', '--mirror', bed.mirror, '--kubeconfig', bed.fakeKubeconfig], run.io)).toBe(0);
    expect(run.out()).toBe('osm v1.2.4 installed\n');
    expect(bed.argvs()).toEqual([['osm', 'install', '--mesh-name=osm', '--osm-namespace=osm-system', '--set=osm.enablePermissiveTrafficPolicy=false']]);
  });

  it('an unknown mesh exits 2 with the names of the meshes it can install, and only those', async () => {
    bed = await startBed();
    const run = io(bed);
    expect(await runCli(['mesh', 'install', 'nope', '--kubeconfig', bed.fakeKubeconfig], run.io)).toBe(2);
    expect(run.err()).toMatch(/meshspec mesh install: mesh: unknown service mesh "nope". meshspec installs: /);
    const named = /meshspec installs: (.*)/.exec(run.err())![1]!.split(', ').map((n) => n.replace(/ \(\d+\)$/, ''));
    expect(named).toEqual(installableMeshes());
    expect(named.length).toBeLessThan(MESHES.filter((m) => m.id !== 'none').length);
    expect(run.err()).not.toMatch(/app_mesh|nginx_service_mesh/);
    expect(bed.argvs()).toEqual([]);
  });

  it('a known mesh meshspec cannot install exits 2 with the installable names, before reading the kubeconfig', async () => {
    bed = await startBed();
    const run = io(bed);
    expect(await runCli(['mesh', 'install', 'app_mesh', '--kubeconfig', '/nonexistent/kubeconfig'], run.io)).toBe(2);
    expect(run.err()).toMatch(/meshspec mesh install: mesh: meshspec cannot install AWS App Mesh; install it yourself\. meshspec installs: consul \(2\), .*osm \(10\)\n/);
    expect(run.err()).not.toMatch(/kubeconfig/);
  });

  it('--help lists the pinned versions', async () => {
    bed = await startBed();
    const run = io(bed);
    expect(await runCli(['mesh', 'install', '--help'], run.io)).toBe(0);
    expect(run.out()).toMatch(/linkerd\s+edge-26\.8\.3\s+Kubernetes v1\.35\.1/);
  });
});
