// Keeps test/fixtures/README.md honest: every file it lists with a blob id must hash to that id
// (the id `git hash-object` prints), so a fixture cannot drift from its recorded origin unnoticed.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixturePath } from './support/fixtures.mjs';

/** The git blob id of some bytes: sha1 of "blob <length>\0<bytes>". */
function gitBlobId(bytes: Buffer): string {
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

interface Claim {
  file: string;
  blob: string;
}

/**
 * The (file, blob) pairs of the README's tables. A section `## folder/ — ...` holds its files; a
 * table either has `file` and `blob` columns, or (mesh-crds/) a `folder` column and a cell of
 * "`origin/path.yaml` <blob>" pairs whose base names are the files.
 */
function claims(readme: string): Claim[] {
  const out: Claim[] = [];
  let section = '';
  let header: string[] = [];
  for (const line of readme.split('\n')) {
    const heading = /^## ([\w.-]+)\/ /.exec(line);
    if (heading) {
      section = heading[1];
      header = [];
      continue;
    }
    if (!line.startsWith('|')) {
      header = [];
      continue;
    }
    const cells = line.split('|').slice(1, -1).map((c) => c.trim());
    if (header.length === 0) {
      header = cells;
      continue;
    }
    if (cells.every((c) => /^-+$/.test(c))) continue;
    const fileCol = header.indexOf('file');
    const blobCol = header.indexOf('blob');
    if (fileCol >= 0 && blobCol >= 0) {
      const blob = /`([0-9a-f]{40})`/.exec(cells[blobCol])?.[1];
      const file = /`([^`]+)`/.exec(cells[fileCol])?.[1];
      if (blob && file) out.push({ file: `${section}/${file}`, blob });
    }
    const folderCol = header.indexOf('folder');
    if (folderCol >= 0) {
      const folder = /`([^`]+)\/`/.exec(cells[folderCol])?.[1];
      for (const cell of cells) {
        for (const m of cell.matchAll(/`([^`]+)` ([0-9a-f]{40})/g)) out.push({ file: `${section}/${folder}/${m[1].split('/').pop()}`, blob: m[2] });
      }
    }
  }
  return out;
}

describe('test/fixtures/README.md', () => {
  const readme = readFileSync(fixturePath('README.md'), 'utf8');
  const listed = claims(readme);

  it('lists the blob of the copied files', () => {
    // The tables name at least the SchemaStore, SMI CRD, SMI spec, SMP, fortio, mesh CRD and GAMMA files.
    expect(listed.length).toBeGreaterThanOrEqual(29);
    for (const f of ['schemastore/github-action.json', 'smi-crds/split.yaml', 'smp/meshery-smp-action-load-test.yaml', 'mesh-crds/osm-v1.2.4/smi_traffic_split.yaml']) {
      expect(listed.map((c) => c.file)).toContain(f);
    }
  });

  it.each(listed.map((c) => [c.file, c.blob]))('%s has blob %s', (file, blob) => {
    const path = fixturePath(file);
    expect(existsSync(path), `${file} is listed in the README but missing`).toBe(true);
    expect(gitBlobId(readFileSync(path))).toBe(blob);
  });

  it('carries the licence and the NOTICE the originals require', () => {
    expect(readFileSync(fixturePath('LICENSE-Apache-2.0.txt'), 'utf8')).toContain('Apache License');
    expect(readFileSync(fixturePath('schemastore', 'NOTICE'), 'utf8').length).toBeGreaterThan(0);
  });
});
