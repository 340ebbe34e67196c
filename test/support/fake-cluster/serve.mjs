#!/usr/bin/env node
// Standalone fake cluster, for pointing the CLI (or kubectl, for reads) at it:
//   node test/support/fake-cluster/serve.mjs --kubeconfig <path> [--mesh-profile <mesh>] [--mesh <faithful|switch>]
//                                            [--balancing random|round-robin] [--seed N] [--sidecar-delay-ms N] [--verbose]
//   node test/support/fake-cluster/serve.mjs --list            prints the mesh switch names, one a line
//   node test/support/fake-cluster/serve.mjs --list-profiles   prints the mesh profile names, one a line
// Without --mesh-profile the mesh is the generic simulation (the spec's own semantics, smi-sdk-go's
// CRDs) with OSM's control plane. `--control-plane <mesh>` is an alias of `--mesh-profile`.
// Balancing is a seeded weighted draw per call unless --balancing round-robin; without --seed the
// seed is random, and the ready line reports it so that a run can be repeated.
// Writes the kubeconfig, prints "ready <url> ..." on stdout, and serves until SIGINT/SIGTERM.
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { startFakeClusterWithMesh } from './index.mjs';

const usage =
  'usage: serve.mjs --kubeconfig <path> [--mesh-profile <name>] [--mesh <faithful|switch>] [--balancing random|round-robin] [--seed N] [--sidecar-delay-ms N] [--verbose] | --list | --list-profiles';

async function main() {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        mesh: { type: 'string', default: 'faithful' },
        'mesh-profile': { type: 'string' },
        'control-plane': { type: 'string' },
        balancing: { type: 'string', default: 'random' },
        seed: { type: 'string' },
        'sidecar-delay-ms': { type: 'string', default: '0' },
        kubeconfig: { type: 'string' },
        list: { type: 'boolean', default: false },
        'list-profiles': { type: 'boolean', default: false },
        verbose: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }));
  } catch (err) {
    process.stderr.write(`${/** @type {Error} */ (err).message}\n${usage}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  const { SWITCHES, PROFILE_NAMES } = await import('./mesh/index.mjs');
  if (values.list) {
    process.stdout.write(['faithful', ...SWITCHES].map((s) => `${s}\n`).join(''));
    return 0;
  }
  if (values['list-profiles']) {
    process.stdout.write(PROFILE_NAMES.map((s) => `${s}\n`).join(''));
    return 0;
  }
  if (!values.kubeconfig) {
    process.stderr.write(`--kubeconfig is required\n${usage}\n`);
    return 2;
  }
  const profile = values['mesh-profile'] ?? values['control-plane'];
  if (values['mesh-profile'] && values['control-plane'] && values['mesh-profile'] !== values['control-plane']) {
    process.stderr.write(`--control-plane is an alias of --mesh-profile; they disagree (${values['control-plane']} vs ${values['mesh-profile']})\n`);
    return 2;
  }
  if (profile !== undefined && !PROFILE_NAMES.includes(profile)) {
    process.stderr.write(`unknown mesh profile "${profile}"; use one of: ${PROFILE_NAMES.join(', ')}\n`);
    return 2;
  }
  if (values.balancing !== 'random' && values.balancing !== 'round-robin') {
    process.stderr.write(`--balancing: use random or round-robin, not "${values.balancing}"\n`);
    return 2;
  }
  if (values.seed !== undefined && !/^\d{1,10}$/.test(values.seed)) {
    process.stderr.write(`--seed: a whole number, not "${values.seed}"\n`);
    return 2;
  }
  const delay = values['sidecar-delay-ms'];
  if (!/^\d+(\.\d+)?$/.test(delay)) {
    process.stderr.write(`--sidecar-delay-ms: a number of milliseconds >= 0, not "${delay}"\n`);
    return 2;
  }
  let cluster;
  try {
    cluster = await startFakeClusterWithMesh({
      mesh: values.mesh,
      profile,
      balancing: /** @type {'random' | 'round-robin'} */ (values.balancing),
      seed: values.seed === undefined ? undefined : Number(values.seed),
      sidecarDelayMs: Number(delay),
      requestLog: values.verbose ? (line) => process.stderr.write(`${line}\n`) : undefined,
    });
  } catch (err) {
    process.stderr.write(`${/** @type {Error} */ (err).message}\n`);
    return 2;
  }
  const path = await cluster.writeKubeconfig(resolve(values.kubeconfig));
  const sim = cluster.simulation;
  process.stdout.write(
    `ready ${cluster.url} kubeconfig=${path} mesh=${values.mesh} profile=${sim?.profile ?? 'generic'} balancing=${sim?.balancing} seed=${sim?.seed}${sim?.sidecarDelayMs ? ` sidecar-delay-ms=${sim.sidecarDelayMs}` : ''}\n`,
  );
  await new Promise((done) => {
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  await cluster.close();
  return 0;
}

process.exitCode = await main();
