import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * The TypeScript import graph of packages/core/src, read with one regular expression over the
 * `import`/`export ... from` and `import()` specifiers (type-only imports included: a type import
 * is still a dependency of the design). Relative `.js` specifiers resolve to their `.ts` sources.
 */
const SPECIFIER = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|(?:^|\n)\s*import\s+['"]([^'"]+)['"]/g;

export const CORE_SRC = resolve(import.meta.dirname, '../../packages/core/src');

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(SPECIFIER)].map((m) => (m[1] ?? m[2] ?? m[3])!);
}

function resolveRelative(from: string, spec: string): string {
  return resolve(dirname(from), spec).replace(/\.js$/, '.ts');
}

/** Every non-test .ts file under `dir`. */
export function sourceFiles(dir: string = CORE_SRC): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The packages (bare specifiers) a file reaches through its relative imports, transitively. */
export function reachablePackages(entry: string): Map<string, string> {
  const packages = new Map<string, string>();
  const seen = new Set<string>();
  const stack = [entry];
  while (stack.length > 0) {
    const file = stack.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const spec of importsOf(file)) {
      if (spec.startsWith('.')) stack.push(resolveRelative(file, spec));
      else if (!spec.startsWith('node:') && !packages.has(spec)) packages.set(spec, relative(CORE_SRC, file));
    }
  }
  return packages;
}

/**
 * The unit of the layering rule: a folder of src/ (`smp`, `report`, ...), or a file at the top of
 * src/ on its own (`errors.ts`, `wait.ts`). The barrel src/index.ts is a unit too: it re-exports
 * every folder, so a module that imports it depends on all of them, and a cycle through the
 * barrel is a cycle.
 */
function unitOf(file: string): string {
  const parts = relative(CORE_SRC, file).split('/');
  return parts.length === 1 ? parts[0]! : `${parts[0]}/`;
}

/** unit -> units it imports, each with one example import for the message. */
export function unitGraph(files: string[] = sourceFiles()): Map<string, Map<string, string>> {
  const graph = new Map<string, Map<string, string>>();
  for (const file of files) {
    const from = unitOf(file);
    const edges = graph.get(from) ?? new Map<string, string>();
    graph.set(from, edges);
    for (const spec of importsOf(file)) {
      if (!spec.startsWith('.')) continue;
      const to = unitOf(resolveRelative(file, spec));
      if (to !== from && !edges.has(to)) edges.set(to, `${relative(CORE_SRC, file)} imports ${spec}`);
    }
  }
  return graph;
}

/** Every cycle between units, as the list of example imports that close it (empty: none). */
export function unitCycles(graph: Map<string, Map<string, string>>): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (unit: string) => {
    state.set(unit, 'open');
    path.push(unit);
    for (const next of graph.get(unit)?.keys() ?? []) {
      if (state.get(next) === 'open') {
        const loop = [...path.slice(path.indexOf(next)), next];
        cycles.push(loop.slice(1).map((to, i) => graph.get(loop[i]!)!.get(to)!));
      } else if (!state.has(next)) visit(next);
    }
    path.pop();
    state.set(unit, 'done');
  };
  for (const unit of [...graph.keys()].sort()) if (!state.has(unit)) visit(unit);
  return cycles;
}
