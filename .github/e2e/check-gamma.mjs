#!/usr/bin/env node
// Compares a GAMMA run (gamma-result.json) with the `gamma` rows of the expectations table
// (smi-expectations.json beside this file, shared with the SMI checks): per profile, the core and
// extended result and counts, exactly. Used by .github/workflows/e2e.yml on the real run and by
// test/gamma/expectations.test.ts.
//
//   node .github/e2e/check-gamma.mjs <gamma-result.json> <mesh>
//
// Prints one line per difference with both values: `::error` on a certain row, `::warning` on an
// uncertain one. Exit 1 when a certain row differs (or the result is unreadable), else 0.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const EXPECTATIONS_FILE = join(HERE, 'smi-expectations.json');

/** @returns {any} the `gamma` part of the table */
export function loadGammaExpectations(file = EXPECTATIONS_FILE) {
  const table = JSON.parse(readFileSync(file, 'utf8'));
  if (!table.gamma) throw new Error(`${file} has no gamma rows`);
  return table.gamma;
}

/**
 * Every difference between a run and the rows for a mesh.
 * @param {any} gamma  the table's `gamma` object
 * @param {string} mesh
 * @param {any} result  the parsed gamma-result.json
 * @returns {{ certain: boolean, what: string, expected: unknown, got: unknown }[]}
 */
export function gammaDifferences(gamma, mesh, result) {
  const row = gamma.meshes?.[mesh];
  if (!row) throw new Error(`no GAMMA expectations for mesh "${mesh}"; the table has ${Object.keys(gamma.meshes ?? {}).join(', ')}`);
  const out = [];
  const check = (/** @type {boolean} */ certain, /** @type {string} */ what, /** @type {unknown} */ expected, /** @type {unknown} */ got) => {
    if (JSON.stringify(expected) !== JSON.stringify(got)) out.push({ certain, what, expected, got });
  };
  check(true, 'gateway_api_version', gamma.gateway_api_version, result?.gateway_api_version);
  check(true, 'gateway_api_channel', gamma.gateway_api_channel, result?.gateway_api_channel);
  const profiles = /** @type {any[]} */ (result?.profiles ?? []);
  for (const [name, want] of Object.entries(row.profiles)) {
    const w = /** @type {any} */ (want);
    const got = profiles.find((p) => p.name === name);
    if (!got) {
      check(w.certain, name, 'in the report', 'absent');
      continue;
    }
    for (const level of ['core', 'extended']) {
      const expected = w[level];
      const actual = got[level];
      if (expected === null || actual === null) {
        check(w.certain, `${name} ${level}`, expected, actual === null ? null : 'present');
        continue;
      }
      for (const k of ['result', 'passed', 'failed', 'skipped']) check(w.certain, `${name} ${level} ${k}`, expected[k], actual?.[k]);
    }
  }
  for (const p of profiles) if (!(p.name in row.profiles)) check(true, p.name, 'not requested', 'in the report');
  return out;
}

/** @param {string} mesh @param {{ certain: boolean, what: string, expected: unknown, got: unknown }} d */
export function gammaAnnotation(mesh, d) {
  const level = d.certain ? 'error' : 'warning';
  return `::${level} title=GAMMA expectation (${mesh})::${d.what}: expected ${JSON.stringify(d.expected)}, got ${JSON.stringify(d.got)} (${d.certain ? 'certain' : 'uncertain'} row of .github/e2e/${EXPECTATIONS_FILE.split('/').pop()})`;
}

function main(argv) {
  const [file, mesh] = argv;
  if (!file || !mesh) {
    process.stderr.write('usage: check-gamma.mjs <gamma-result.json> <mesh>\n');
    return 2;
  }
  let result;
  try {
    result = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    process.stdout.write(`::error title=GAMMA expectation (${mesh})::cannot read ${file}: ${/** @type {Error} */ (error).message}\n`);
    return 1;
  }
  const diffs = gammaDifferences(loadGammaExpectations(), mesh, result);
  for (const d of diffs) process.stdout.write(`${gammaAnnotation(mesh, d)}\n`);
  if (diffs.length === 0) process.stdout.write(`${mesh}: every GAMMA expectation met\n`);
  return diffs.some((d) => d.certain) ? 1 : 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) process.exitCode = main(process.argv.slice(2));
