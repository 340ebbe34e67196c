import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CORE_SRC, reachablePackages, sourceFiles, unitCycles, unitGraph } from '../support/import-graph.js';

// docs/architecture.md, "Layers": the rules these tests hold the code to.
describe('the core import graph', () => {
  it('has no cycle between the folders (and top-level files) of packages/core/src', () => {
    expect(unitCycles(unitGraph())).toEqual([]);
  });

  it('finds a cycle when one is added', () => {
    const probe = join(CORE_SRC, 'report', '__cycle-probe.ts');
    writeFileSync(probe, "import { runSmpFlow } from '../pipeline/smp.js';\nexport const x = runSmpFlow;\n");
    try {
      const cycles = unitCycles(unitGraph(sourceFiles()));
      expect(cycles.length).toBeGreaterThan(0);
      expect(cycles.flat().join('\n')).toContain('report/__cycle-probe.ts imports ../pipeline/smp.js');
    } finally {
      rmSync(probe);
    }
  });

  it('finds a cycle that closes through the src/index.ts barrel', () => {
    const probe = join(CORE_SRC, 'smp', '__barrel-probe.ts');
    writeFileSync(probe, "import { DEFAULTS } from '../index.js';\nexport const x = DEFAULTS;\n");
    try {
      const cycles = unitCycles(unitGraph(sourceFiles()));
      expect(cycles.flat().join('\n')).toContain('smp/__barrel-probe.ts imports ../index.js');
    } finally {
      rmSync(probe);
    }
  });

  it('keeps @actions/* inside src/github/', () => {
    const outside = sourceFiles().filter((f) => !f.startsWith(join(CORE_SRC, 'github') + '/'));
    const offenders = outside.flatMap((f) => [...reachablePackages(f)].filter(([p, via]) => p.startsWith('@actions/') && via === f.slice(CORE_SRC.length + 1)).map(([p, via]) => `${via}: ${p}`));
    expect(offenders).toEqual([]);
  });

  it('never writes process.env or replaces process.stdout (outside src/github/ too)', () => {
    const writes = /process\.env(\.\w+|\[[^\]]+\])\s*=(?!=)|delete\s+process\.env|process\.std(out|err)\.write\s*=(?!=)/;
    const offenders = sourceFiles().filter((f) => writes.test(readFileSync(f, 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('gives the CLI no GitHub Actions package, directly or through the modules it imports', () => {
    const packages = reachablePackages(join(CORE_SRC, 'cli', 'main.ts'));
    const actions = [...packages].filter(([p]) => p.startsWith('@actions/')).map(([p, via]) => `${p} (imported by ${via})`);
    expect(actions).toEqual([]);
    // The walk does reach the packages the CLI really uses, so an empty list above means something.
    expect([...packages.keys()]).toEqual(expect.arrayContaining(['@kubernetes/client-node', 'undici', 'js-yaml']));
  });
});
