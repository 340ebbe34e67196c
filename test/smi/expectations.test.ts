import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { loadExpectations } from '../../.github/e2e/check-smi.mjs';
import { MESHES } from '../../packages/core/src/mesh/registry.js';
import { SMI_TEST_CASES } from '../../packages/core/src/smi/suite.js';

/**
 * The table of expectations itself: valid, its totals follow from its rows, and the checker that
 * e2e.yml runs fails a certain difference, warns about an uncertain one, and never widens a figure.
 */

const root = resolve(import.meta.dirname, '../..');
const table = loadExpectations();
const checker = join(root, '.github/e2e/check-smi.mjs');

/** A smi-result.json with exactly a table row's figures (only the fields the checker reads). */
function resultOf(mesh: string): any {
  const row = table.meshes[mesh];
  const specs = Object.entries(row.specs).map(([name, s]: [string, any]) => ({ smi_specification: name, steps_passed: s.passed, api_version: s.api_version }));
  return {
    cases_passed: String(row.cases_passed),
    passing_percentage: row.passing_percentage,
    more_details: Object.entries(row.specs).map(([name, s]: [string, any]) => ({ smi_specification: name, status: s.status })),
    meshspec: { conformant: row.status === 'conformant', cases_total: row.cases_total, api_versions: row.api_versions, specs },
  };
}

function check(result: unknown, mesh: string) {
  const file = join(mkdtempSync(join(tmpdir(), 'meshspec-check-')), 'smi-result.json');
  writeFileSync(file, JSON.stringify(result));
  const r = spawnSync(process.execPath, [checker, file, mesh], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout };
}

describe('the table of expectations', () => {
  it('validates against its schema', () => {
    const validate = new Ajv2020({ allErrors: true, strict: true }).compile(JSON.parse(readFileSync(join(root, '.github/e2e/smi-expectations.schema.json'), 'utf8')));
    expect(validate(table), JSON.stringify(validate.errors, null, 2)).toBe(true);
  });

  it("states each mesh's totals as its spec rows add them up, at the registry's pinned version", () => {
    const steps = Object.fromEntries(SMI_TEST_CASES.map((c) => [c.spec, c.steps.length]));
    for (const [mesh, row] of Object.entries<any>(table.meshes)) {
      const rows = Object.values<any>(row.specs);
      expect(Object.keys(row.specs), mesh).toEqual(table.specs);
      const passed = rows.reduce((n, s) => n + s.passed, 0);
      const total = table.specs.reduce((n: number, s: string) => n + steps[s]!, 0);
      expect(row, mesh).toMatchObject({
        cases_passed: passed,
        cases_total: total,
        passing_percentage: ((passed * 100) / total).toFixed(2),
        status: rows.every((s) => s.status === 'PASSED') ? 'conformant' : 'not-conformant',
        version: MESHES.find((m) => m.id === mesh)!.defaultVersion,
      });
      for (const [spec, s] of Object.entries<any>(row.specs)) {
        expect(s.status === 'PASSED', `${mesh} ${spec}`).toBe(s.passed === steps[spec]);
        // The reported kind's version is among the versions the run tested.
        if (s.api_version) expect(Object.values(row.api_versions), `${mesh} ${spec}`).toContain(s.api_version);
      }
    }
  });
});

describe('check-smi.mjs, as e2e.yml runs it', () => {
  it('passes a run with exactly the figures of the table', () => {
    for (const mesh of Object.keys(table.meshes)) expect(check(resultOf(mesh), mesh), mesh).toMatchObject({ code: 0, out: expect.stringContaining('matches the table exactly') });
  });

  it('fails a difference on a certain row with an ::error, naming both values', () => {
    const r = resultOf('istio');
    r.more_details[0].status = 'PASSED';
    r.meshspec.specs[0].steps_passed = 7;
    const { code, out } = check(r, 'istio');
    expect(code).toBe(1);
    expect(out).toContain('::error title=SMI expectation (istio)::traffic-access steps passed: expected 0, got 7 (certain row of .github/e2e/smi-expectations.json)');
  });

  it('warns about a difference on an uncertain row, with both values, and does not fail', () => {
    const r = resultOf('osm');
    r.meshspec.specs[0].steps_passed = 4;
    r.more_details[0].status = 'FAILED';
    r.cases_passed = '21';
    r.passing_percentage = '87.50';
    r.meshspec.conformant = false;
    const { code, out } = check(r, 'osm');
    expect(code).toBe(0);
    expect(out).toContain('::warning title=SMI expectation (osm)::traffic-access steps passed: expected 7, got 4 (uncertain row');
    expect(out).toContain('::warning title=SMI expectation (osm)::passing_percentage: expected "100.00", got "87.50"');
    expect(out).not.toContain('::error');
  });

  it('never accepts a neighbouring figure: 45.84 is not 45.83', () => {
    const r = resultOf('linkerd');
    r.passing_percentage = '45.84';
    expect(check(r, 'linkerd').out).toContain('passing_percentage: expected "45.83", got "45.84"');
  });

  it('fails a run whose result cannot be read', () => {
    const r = spawnSync(process.execPath, [checker, join(tmpdir(), 'no-such-result.json'), 'osm'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^::error title=SMI expectation \(osm\)::cannot read /);
  });
});
