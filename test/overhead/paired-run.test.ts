import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryLogger } from '../../packages/core/src/log.js';
import { requireMesh } from '../../packages/core/src/mesh/registry.js';
import { runSmpProfile, WITHOUT_MESH_FILE, type OverheadRun } from '../../packages/core/src/pipeline/smp.js';
import type { LoadGenerator, LoadPlan } from '../../packages/core/src/smp/loadgen/types.js';
import { smpOutputs } from '../../packages/core/src/smp/outputs.js';
import type { SmpProfile } from '../../packages/core/src/smp/profile.js';
import type { SmpResult } from '../../packages/core/src/smp/result.js';
import { makeRun } from '../support/load-run.js';
import { compileSchemaFile, errorsOf } from '../support/schemas.js';

/**
 * The comparison's measuring half (pipeline/smp.ts with `overhead`), with generators that return
 * known windows: the order of the pairs, each side merged on its own, the files, the outputs and the
 * summary. The deployment half runs against the fake cluster in test/overhead/fake-cluster.test.ts.
 */

const linkerd = requireMesh('linkerd', 'test');
const profile: SmpProfile = {
  source: 'overhead.yaml', smp_version: 'v0.0.1', name: 'overhead', labels: {}, duration: '1s', durationMs: 1000,
  clients: [{ internal: true, load_generator: 'native', protocol: 1, connections: 2, rps: 100, headers: {}, cookies: {}, body: '', content_type: '', endpoint_urls: ['http://sample-app:9091/echo'] }],
  mesh: { type: 5, info: linkerd, labels: {}, annotations: {} },
};

/** Each measured window is the side's next one (a warm-up, shorter, takes none): 100 requests at the given µs latencies. */
function scripted(side: string, windows: number[][], log: string[]): LoadGenerator {
  let i = 0;
  return {
    id: 'native',
    async run(plan: LoadPlan) {
      log.push(`${side}:${plan.durationMs}`);
      const us = plan.durationMs === profile.durationMs ? windows[Math.min(i++, windows.length - 1)]! : [500_000];
      return makeRun({ correctedUs: Array.from({ length: 100 }, (_, k) => us[k % us.length]!), durationS: 1 });
    },
  };
}

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

async function run(repeat: number, resources: Awaited<ReturnType<OverheadRun['sampler']['stop']>>, warmupMs = 0) {
  dir = await mkdtemp(join(tmpdir(), 'overhead-'));
  const log: string[] = [];
  const windows: string[] = [];
  const overhead: OverheadRun = {
    // plain: 1 ms then 3 ms; meshed: 11 ms then 13 ms (10 ms more in every window).
    generators: { plain: scripted('plain', [[1000], [3000]], log), meshed: scripted('meshed', [[11000], [13000]], log) },
    mesh: linkerd,
    namespaces: { plain: 'meshspec-overhead-plain', meshed: 'meshspec-overhead-meshed' },
    sampler: { window: (on) => windows.push(on ? 'on' : 'off'), stop: async () => resources },
  };
  const outcome = await runSmpProfile({ profile, outDir: dir, thresholds: [], requestTimeoutMs: 1000, logger: new MemoryLogger(), noise: { warmupMs, repeat }, overhead });
  return { outcome, log, windows };
}

describe('a run compared without the mesh', () => {
  it('interleaves the pairs, samples only the meshed windows, and merges each side on its own', async () => {
    const { outcome, log, windows } = await run(2, { unavailable: 'metrics-server is not installed (discovery lists no metrics.k8s.io)' }, 200);
    expect(log).toEqual(['plain:200', 'meshed:200', 'plain:1000', 'meshed:1000', 'meshed:1000', 'plain:1000']);
    expect(windows).toEqual(['on', 'off', 'on', 'off']);
    const o = outcome.result.stats.mesh_overhead!;
    expect(o.pairs).toBe(2);
    // Each side's figures are its result's: the medians of its two windows (2 ms and 12 ms).
    expect(o.without_mesh.p50_ms).toBe(2);
    expect(o.with_mesh.p50_ms).toBe(12);
    expect(o.deltas.p50_ms).toEqual({ change: 10, percent: 500 });
    expect(o.with_mesh.requests).toBe(200);
    expect(o.resources).toBeNull();
    expect(o.resources_unavailable).toMatch(/metrics-server is not installed/);
    // The meshed run is the result; its histogram holds only meshed windows.
    expect(outcome.result.latencies_ms.min).toBeGreaterThanOrEqual(10.9);
    expect(outcome.result.latencies_ms.max).toBeLessThan(13.1); // the 500 ms warm-ups are in no figure
    expect(outcome.result.stats.requests).toBe(200);

    const plain = JSON.parse(await readFile(join(dir!, WITHOUT_MESH_FILE), 'utf8')) as SmpResult;
    expect(outcome.files.withoutMesh).toBe(join(dir!, WITHOUT_MESH_FILE));
    expect(plain.latencies_ms.max).toBeLessThan(3.1);
    expect(plain.mesh.type).toBe(0);
    expect(plain.labels['meshspec.io/overhead-side']).toBe('plain');
    expect(plain.stats.mesh_overhead).toBeUndefined();
    const validate = compileSchemaFile('smp-result.schema.json');
    for (const r of [outcome.result, plain]) expect(validate(r), errorsOf(validate).join('\n')).toBe(true);
    const written = JSON.parse(await readFile(outcome.files.result, 'utf8')) as SmpResult;
    expect(written.stats.mesh_overhead).toEqual(o);

    expect(smpOutputs(outcome.result)).toMatchObject({ overhead_p50_ms: 10, overhead_p99_ms: 10 });
  });

  it('shows both runs side by side in the summary, with the footprint when metrics-server answered', async () => {
    const { outcome } = await run(1, {
      source: 'metrics.k8s.io/v1beta1',
      samples: 4,
      sidecars: { count: 3, cpu_millicores: { mean: 12.5, max: 20 }, memory_mib: { mean: 30, max: 31.25 } },
      control_plane: { namespace: 'linkerd', count: 3, cpu_millicores: { mean: 4, max: 6 }, memory_mib: { mean: 120, max: 121 } },
    });
    const md = outcome.summaryMarkdown;
    expect(md).toContain('### Mesh overhead: Linkerd');
    expect(md).toContain('| Metric | Without mesh | With mesh | Overhead |');
    expect(md).toContain('| p50 (ms) | 1 | 11 | +10 ms (+1000%) |');
    expect(md).toContain('| actual_qps | 100 | 100 | 0 requests/s (0%) |');
    expect(md).toContain('| Sidecars (3) | 12.5 | 20 | 30 | 31.3 |');
    expect(md).toContain('| Control plane (linkerd, 3 pods) | 4 | 6 | 120 | 121 |');
    expect(md).toContain('smp-result-without-mesh.json');
    const validate = compileSchemaFile('smp-result.schema.json');
    expect(validate(outcome.result), errorsOf(validate).join('\n')).toBe(true);
  });

  it('leaves the outputs empty and the summary without the section when not compared', async () => {
    dir = await mkdtemp(join(tmpdir(), 'overhead-'));
    const outcome = await runSmpProfile({ profile: { ...profile, clients: [{ ...profile.clients[0]!, internal: false, endpoint_urls: ['http://127.0.0.1:9/'] }] }, outDir: dir, thresholds: [], requestTimeoutMs: 500, logger: new MemoryLogger() });
    expect(smpOutputs(outcome.result)).toMatchObject({ overhead_p50_ms: '', overhead_p99_ms: '' });
    expect(outcome.summaryMarkdown).not.toContain('Mesh overhead');
    expect(outcome.files.withoutMesh).toBeUndefined();
  });
});
