#!/usr/bin/env node
// Standalone fake cluster, for pointing the CLI (or kubectl, for reads) at it:
//   node test/support/fake-cluster/serve.mjs --mesh <faithful|switch> --kubeconfig <path> [--control-plane <mesh>]
//   node test/support/fake-cluster/serve.mjs --list       prints the mesh switch names, one a line
// Writes the kubeconfig, prints "ready <url>" on stdout, and serves until SIGINT/SIGTERM.
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { startFakeClusterWithMesh } from './index.mjs';

const usage = 'usage: serve.mjs --mesh <faithful|switch-name> --kubeconfig <path> [--control-plane <mesh>] | --list';

async function main() {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        mesh: { type: 'string', default: 'faithful' },
        kubeconfig: { type: 'string' },
        'control-plane': { type: 'string', default: 'osm' },
        list: { type: 'boolean', default: false },
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
  if (values.list) {
    const { SWITCHES } = await import('./mesh/index.mjs');
    process.stdout.write(['faithful', ...SWITCHES.filter((s) => s !== 'faithful')].map((s) => `${s}\n`).join(''));
    return 0;
  }
  if (!values.kubeconfig) {
    process.stderr.write(`--kubeconfig is required\n${usage}\n`);
    return 2;
  }
  let cluster;
  try {
    cluster = await startFakeClusterWithMesh({
      mesh: values.mesh,
      controlPlane: values['control-plane'],
      requestLog: values.verbose ? (line) => process.stderr.write(`${line}\n`) : undefined,
    });
  } catch (err) {
    process.stderr.write(`${/** @type {Error} */ (err).message}\n`);
    return 2;
  }
  const path = await cluster.writeKubeconfig(resolve(values.kubeconfig));
  process.stdout.write(`ready ${cluster.url} kubeconfig=${path} mesh=${values.mesh}\n`);
  await new Promise((done) => {
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  await cluster.close();
  return 0;
}

process.exitCode = await main();
