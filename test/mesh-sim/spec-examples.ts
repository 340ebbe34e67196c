// The YAML examples of the SMI spec text (test/fixtures/smi-spec/*.md), parsed out of the markdown
// code blocks so the tests use the spec's own objects, section by section.
import { readFileSync } from 'node:fs';
import yaml from 'js-yaml';
import { fixturePath } from '../support/fixtures.mjs';

interface SpecBlock {
  /** The nearest heading above the block, without the leading #s. */
  heading: string;
  docs: any[];
}

/** Every ```yaml block of a spec file, in order, with its section heading. */
function specBlocks(file: string): SpecBlock[] {
  const lines = readFileSync(fixturePath('smi-spec', file), 'utf8').split('\n');
  const blocks: SpecBlock[] = [];
  let heading = '';
  for (let i = 0; i < lines.length; i++) {
    const h = /^#+\s+(.*)$/.exec(lines[i]);
    if (h) heading = h[1].trim();
    const open = /^(\s*)```yaml\s*$/.exec(lines[i]);
    if (!open) continue;
    const indent = open[1].length;
    const body: string[] = [];
    for (i++; i < lines.length && !/^\s*```\s*$/.test(lines[i]); i++) body.push(lines[i].slice(indent));
    const docs = yaml.loadAll(body.join('\n')).filter((d) => d && typeof d === 'object');
    blocks.push({ heading, docs });
  }
  return blocks;
}

/**
 * The objects of the n-th yaml block under a heading (all blocks when n is omitted). Objects
 * without a namespace get `default`, as `kubectl apply` in the default namespace would.
 */
export function specObjects(file: string, heading: string, n?: number): any[] {
  const under = specBlocks(file).filter((b) => b.heading === heading);
  if (under.length === 0) throw new Error(`${file}: no yaml block under heading "${heading}"`);
  if (n !== undefined && !under[n]) throw new Error(`${file}: heading "${heading}" has ${under.length} yaml blocks, not ${n + 1}`);
  const chosen = n === undefined ? under : [under[n]];
  return chosen.flatMap((b) => b.docs).map((d) => {
    const o = structuredClone(d);
    o.metadata = { namespace: 'default', ...o.metadata };
    return o;
  });
}
