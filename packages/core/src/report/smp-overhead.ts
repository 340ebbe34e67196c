import type { Delta, Footprint, MeshOverhead } from '../smp/overhead/figures.js';
import { escapeMd, formatCount, formatMs, formatNumber } from './format.js';

/**
 * The mesh overhead section of summary.md: both runs side by side in one table (metric | without
 * mesh | with mesh | overhead), then the mesh's own CPU and memory when metrics-server answered.
 */
export function renderOverheadMarkdown(o: MeshOverhead): string[] {
  const p = o.without_mesh;
  const m = o.with_mesh;
  const signed = (v: number, text: string) => (v > 0 ? `+${text}` : text);
  const change = (d: Delta, unit: 'ms' | 'qps') => {
    if (d.change === null) return 'n/a';
    const abs = unit === 'ms' ? `${signed(d.change, formatMs(d.change))} ms` : `${signed(d.change, formatNumber(d.change, 1))} requests/s`;
    return d.percent === null ? abs : `${abs} (${signed(d.percent, formatNumber(d.percent, 1))}%)`;
  };
  const out = [
    `### Mesh overhead: ${escapeMd(o.mesh)}`,
    '',
    `The same load against two copies of the service: \`${escapeMd(o.namespaces.plain)}\` without the mesh and \`${escapeMd(o.namespaces.meshed)}\` with it, ` +
      `in ${o.pairs} interleaved pair${o.pairs === 1 ? '' : 's'} of windows. The run with the mesh is the result above; the other is in ${escapeMd(p.result_file)}.`,
    '',
    '| Metric | Without mesh | With mesh | Overhead |',
    '|---|---:|---:|---:|',
    `| p50 (ms) | ${formatMs(p.p50_ms)} | ${formatMs(m.p50_ms)} | ${change(o.deltas.p50_ms, 'ms')} |`,
    `| p90 (ms) | ${formatMs(p.p90_ms)} | ${formatMs(m.p90_ms)} | ${change(o.deltas.p90_ms, 'ms')} |`,
    `| p99 (ms) | ${formatMs(p.p99_ms)} | ${formatMs(m.p99_ms)} | ${change(o.deltas.p99_ms, 'ms')} |`,
    `| actual_qps | ${formatNumber(p.actual_qps, 1)} | ${formatNumber(m.actual_qps, 1)} | ${change(o.deltas.actual_qps, 'qps')} |`,
    `| Requests (failed) | ${formatCount(p.requests)} (${formatCount(p.errors)}) | ${formatCount(m.requests)} (${formatCount(m.errors)}) | |`,
    '',
  ];
  if (o.resources) {
    const row = (what: string, f: Footprint | null) =>
      f ? `| ${what} | ${formatNumber(f.cpu_millicores.mean, 1)} | ${formatNumber(f.cpu_millicores.max, 1)} | ${formatNumber(f.memory_mib.mean, 1)} | ${formatNumber(f.memory_mib.max, 1)} |` : `| ${what} | n/a | n/a | n/a | n/a |`;
    out.push(
      `The mesh's own footprint during the runs with the mesh (metrics-server, ${o.resources.samples} sample${o.resources.samples === 1 ? '' : 's'}, summed over the containers):`,
      '',
      '| | CPU mean (millicores) | CPU max | Memory mean (MiB) | Memory max |',
      '|---|---:|---:|---:|---:|',
      row(`Sidecars (${o.resources.sidecars?.count ?? 0})`, o.resources.sidecars),
      row(`Control plane${o.resources.control_plane ? ` (${escapeMd(o.resources.control_plane.namespace)}, ${o.resources.control_plane.count} pods)` : ''}`, o.resources.control_plane),
      '',
    );
  } else out.push(`No sidecar or control-plane CPU and memory: ${escapeMd(o.resources_unavailable ?? 'metrics-server did not answer')}.`, '');
  return out;
}
