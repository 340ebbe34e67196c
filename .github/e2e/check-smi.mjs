#!/usr/bin/env node
// Compares an SMI run (smi-result.json) with the table of expectations (smi-expectations.json
// beside this file): exact figures, never ranges. Used by .github/workflows/e2e.yml on the real run
// and by test/smi/meshes.test.ts on the per-mesh simulations, so both hold the same table.
//
//   node .github/e2e/check-smi.mjs <smi-result.json> <mesh>
//
// Prints one line per difference: `::error` when the row is certain, `::warning` (with both values)
// when it is not. Exit 1 when a certain row differs (or the result is unreadable), else 0.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const EXPECTATIONS_FILE = join(HERE, 'smi-expectations.json');

/** @returns {any} the parsed table */
export function loadExpectations(file = EXPECTATIONS_FILE) {
  return JSON.parse(readFileSync(file, 'utf8'));
}

/**
 * Every difference between a run and the table's row for a mesh.
 * @param {any} table  the parsed smi-expectations.json
 * @param {string} mesh  a key of table.meshes
 * @param {any} result  the parsed smi-result.json
 * @returns {{ certain: boolean, what: string, expected: unknown, got: unknown }[]}
 */
export function differences(table, mesh, result) {
  const row = table.meshes?.[mesh];
  if (!row) throw new Error(`no expectations for mesh "${mesh}" in the table; it has ${Object.keys(table.meshes ?? {}).join(', ')}`);
  const out = [];
  const rowsCertain = Object.values(row.specs).every((s) => /** @type {any} */ (s).certain);
  const check = (/** @type {boolean} */ certain, /** @type {string} */ what, /** @type {unknown} */ expected, /** @type {unknown} */ got) => {
    if (JSON.stringify(expected) !== JSON.stringify(got)) out.push({ certain, what, expected, got });
  };
  const m = result?.meshspec ?? {};
  check(rowsCertain, 'status', row.status, m.conformant === undefined ? undefined : m.conformant ? 'conformant' : 'not-conformant');
  check(rowsCertain, 'cases_passed', String(row.cases_passed), result?.cases_passed);
  check(true, 'cases_total', row.cases_total, m.cases_total);
  check(rowsCertain, 'passing_percentage', row.passing_percentage, result?.passing_percentage);
  check(row.api_versions_certain, 'api_versions', sortKeys(row.api_versions), sortKeys(m.api_versions ?? {}));
  const specs = /** @type {any[]} */ (m.specs ?? []);
  for (const [name, want] of Object.entries(row.specs)) {
    const got = specs.find((s) => s.smi_specification === name);
    const detail = (result?.more_details ?? []).find((/** @type {any} */ d) => d.smi_specification === name);
    if (!got || !detail) {
      check(true, `${name}`, 'run', 'not run');
      continue;
    }
    const w = /** @type {any} */ (want);
    check(w.certain, `${name} status`, w.status, detail.status);
    check(w.certain, `${name} steps passed`, w.passed, got.steps_passed);
    check(w.certain, `${name} api_version`, w.api_version, got.api_version);
  }
  for (const s of specs) if (!(s.smi_specification in row.specs)) check(true, `${s.smi_specification}`, 'not run', 'run');
  return out;
}

/** @param {Record<string, unknown>} o */
function sortKeys(o) {
  return Object.fromEntries(Object.entries(o ?? {}).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** The workflow command for one difference. @param {string} mesh @param {{ certain: boolean, what: string, expected: unknown, got: unknown }} d */
function annotation(mesh, d) {
  const level = d.certain ? 'error' : 'warning';
  const kind = d.certain ? 'certain' : 'uncertain';
  return `::${level} title=SMI expectation (${mesh})::${d.what}: expected ${JSON.stringify(d.expected)}, got ${JSON.stringify(d.got)} (${kind} row of .github/e2e/smi-expectations.json)`;
}

function main(argv) {
  const [file, mesh] = argv;
  if (!file || !mesh) {
    process.stderr.write('usage: check-smi.mjs <smi-result.json> <mesh>\n');
    return 2;
  }
  let result;
  try {
    result = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    process.stdout.write(`::error title=SMI expectation (${mesh})::cannot read ${file}: ${/** @type {Error} */ (error).message}\n`);
    return 1;
  }
  const diffs = differences(loadExpectations(), mesh, result);
  for (const d of diffs) process.stdout.write(`${annotation(mesh, d)}\n`);
  if (diffs.length === 0) process.stdout.write(`${mesh}: the run matches the table exactly (${result.cases_passed}/${result.meshspec?.cases_total}, ${result.passing_percentage}%)\n`);
  return diffs.some((d) => d.certain) ? 1 : 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) process.exitCode = main(process.argv.slice(2));
