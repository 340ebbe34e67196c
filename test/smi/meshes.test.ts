import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { differences, loadExpectations } from '../../.github/e2e/check-smi.mjs';
import { runCli } from '../../packages/core/src/cli/main.js';
import { cliIO } from '../support/cli-io.js';
import { startFakeClusterWithMesh } from '../support/fake-cluster/index.mjs';
import type { FakeCluster } from './helpers.js';

/**
 * The per-mesh simulations against the table of expectations (.github/e2e/smi-expectations.json),
 * the same table e2e.yml checks the real meshes against: `meshspec smi run --mesh <m>
 * --mesh-deployed` against the fake cluster with `profile: <m>` must give exactly the table's
 * figures, api versions included, under random balancing, for every seed. The seeds run at once,
 * each in its own cluster: most of a run is waiting on the mesh.
 */

const SEEDS = [1, 2, 3, 4, 5];
const table = loadExpectations();

/** Runs the CLI as a user would against one simulated mesh; returns the exit code and the result. */
export async function runMesh(options: { profile?: string; mesh: string; switchName?: string; seed: number; specs: string[]; stepTimeout: string }) {
  const cluster = (await startFakeClusterWithMesh({ profile: options.profile, mesh: options.switchName ?? 'faithful', balancing: 'random', seed: options.seed })) as FakeCluster;
  try {
    const dir = mkdtempSync(join(tmpdir(), `meshspec-${options.profile ?? 'generic'}-${options.seed}-`));
    const kubeconfig = await cluster.writeKubeconfig(join(dir, 'kubeconfig'));
    const t = cliIO({ cwd: dir, env: { HOME: dir } });
    const code = await runCli(
      ['smi', 'run', '--mesh', options.mesh, '--mesh-deployed', '--kubeconfig', kubeconfig, '--out', join(dir, 'out'), '--specs', options.specs.join(','), '--step-timeout', options.stepTimeout],
      t.io,
    );
    let result: any;
    try {
      result = JSON.parse(readFileSync(join(dir, 'out', 'smi-result.json'), 'utf8'));
    } catch {
      result = undefined;
    }
    return { code, result, text: t.all() };
  } finally {
    await cluster.close();
  }
}

describe('each mesh profile scores exactly what the table of expectations says', () => {
  for (const mesh of Object.keys(table.meshes)) {
    const row = table.meshes[mesh];
    it(`${mesh} ${row.version}: ${row.cases_passed}/${row.cases_total} (${row.passing_percentage}%), seeds ${SEEDS.join(', ')}`, { timeout: 120_000 }, async () => {
      const runs = await Promise.all(SEEDS.map((seed) => runMesh({ profile: mesh, mesh, seed, specs: table.specs, stepTimeout: '20s' })));
      runs.forEach((r, i) => {
        expect(r.result, `seed ${SEEDS[i]}: no smi-result.json\n${r.text}`).toBeDefined();
        expect(differences(table, mesh, r.result), `seed ${SEEDS[i]}\n${r.text}`).toEqual([]);
        expect(r.code, `seed ${SEEDS[i]}`).toBe(row.status === 'conformant' ? 0 : 1);
      });
    });
  }
});
