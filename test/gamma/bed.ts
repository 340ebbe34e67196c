// The GAMMA test bed: the lifecycle bed (release server as download mirror, fake cluster, stub
// kubectl and mesh CLIs, tool cache) plus the Gateway API v1.6.1 install manifests published as
// release assets with GitHub digests, and the stub `go` on PATH.
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ensureMesh } from '../../packages/core/src/mesh/ensure.js';
import { requireMesh } from '../../packages/core/src/mesh/registry.js';
import { runGammaConformance, type GammaRunOptions } from '../../packages/core/src/pipeline/gamma.js';
import { gatewayApiInstallYaml } from '../support/fake-cluster/index.mjs';
import { publishGithubAsset } from '../support/release-server.mjs';
import { PLATFORM, startBed, type Bed } from '../lifecycle/fixture.js';
import { fixturePath } from '../support/fixtures.mjs';

const STUBS_DIR = path.resolve(import.meta.dirname, '../support/stubs');

export const report = (name: string) => fixturePath('gamma-reports', name);

export interface GoCall {
  tool: 'go';
  argv: string[];
  cwd: string;
  self: string;
  env: Record<string, string | null>;
  goMod: string | null;
  testGo: string | null;
}

export async function startGammaBed() {
  const bed = await startBed();
  for (const channel of ['standard', 'experimental'] as const) {
    publishGithubAsset(bed.server, { repo: 'kubernetes-sigs/gateway-api', tag: 'v1.6.1', asset: `${channel}-install.yaml`, body: gatewayApiInstallYaml(channel), checksum: 'digest' });
  }
  const bin = path.join(bed.dir, 'bin');
  copyFileSync(path.join(STUBS_DIR, 'go'), path.join(bin, 'go'));
  return Object.assign(bed, {
    bin,
    goCalls(): GoCall[] {
      return bed.commands().filter((c) => c.tool === 'go') as unknown as GoCall[];
    },
    goTest(): GoCall {
      const call = this.goCalls().find((c) => c.argv[0] === 'test');
      if (!call) throw new Error(`go test never ran; go calls: ${JSON.stringify(this.goCalls().map((c) => c.argv))}\n${bed.logger.text()}`);
      return call;
    },
    /** A fake $GOROOT with bin/go (the stub) and VERSION, as actions/runner-images lays them out. */
    goroot(version: string): string {
      const root = path.join(bed.dir, `go-${version}`);
      mkdirSync(path.join(root, 'bin'), { recursive: true });
      copyFileSync(path.join(STUBS_DIR, 'go'), path.join(root, 'bin', 'go'));
      writeFileSync(path.join(root, 'VERSION'), `go${version}\ntime 2026-08-05T00:00:00Z\n`);
      return root;
    },
  });
}

export type GammaBed = Awaited<ReturnType<typeof startGammaBed>>;

export interface RunSpec {
  mesh: string;
  deployed?: boolean;
  meshVersion?: string;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  options?: Partial<GammaRunOptions>;
}

export function runOn(bed: GammaBed | Bed, spec: RunSpec) {
  const mesh = requireMesh(spec.mesh, 'service_mesh');
  const outDir = path.join(bed.dir, 'out');
  const download = { toolCache: bed.toolCache, logger: bed.logger, mirror: bed.mirror };
  const env = { ...bed.env, ...spec.env };
  return runGammaConformance({
    kubeconfigPath: bed.fakeKubeconfig,
    mesh,
    gatewayApiVersion: 'v1.6.1',
    channel: 'standard',
    installCrds: true,
    overrides: {},
    requireSuccess: false,
    outDir,
    download,
    platform: PLATFORM,
    env,
    logger: bed.logger,
    signal: spec.signal ?? new AbortController().signal,
    ensureMesh: async () => {
      const found = await ensureMesh({
        mesh: mesh.id,
        version: spec.meshVersion,
        deployed: spec.deployed ?? false,
        kubeconfig: bed.fakeKubeconfig,
        logger: bed.logger,
        download: { toolCache: bed.toolCache, mirror: bed.mirror },
        env,
        platform: PLATFORM,
        purpose: 'gamma',
        pollIntervalMs: 50,
      });
      return { version: found.version };
    },
    reproduceInputs: (version) => ({ service_mesh: mesh.id, mesh_version: version }),
    toolVersion: 'test',
    ...spec.options,
  });
}

export const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8'));
export const exists = existsSync;
