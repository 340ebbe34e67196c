import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MeshspecError } from '../errors.js';
import { SecretScrubber } from '../redact.js';
import { writeResultFiles } from './files.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'meshspec-files-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('writeResultFiles', () => {
  it('creates the directory, writes pretty JSON with a trailing newline and text as it is, and returns the paths', async () => {
    const out = path.join(dir, 'nested', 'results');
    const paths = await writeResultFiles(out, { 'smp-result.json': { a: 1, b: [1, 2] }, 'summary.md': '# hi\n', 'diagnostics/events.txt': 'e' });
    expect(paths).toEqual({
      'smp-result.json': path.join(out, 'smp-result.json'),
      'summary.md': path.join(out, 'summary.md'),
      'diagnostics/events.txt': path.join(out, 'diagnostics', 'events.txt'),
    });
    expect(await readFile(paths['smp-result.json']!, 'utf8')).toBe('{\n  "a": 1,\n  "b": [\n    1,\n    2\n  ]\n}\n');
    expect(await readFile(paths['summary.md']!, 'utf8')).toBe('# hi\n');
    expect(await readFile(paths['diagnostics/events.txt']!, 'utf8')).toBe('e');
  });

  it('replaces an existing file and leaves no temporary files behind', async () => {
    await writeFile(path.join(dir, 'fortio.json'), 'old');
    await writeResultFiles(dir, { 'fortio.json': { v: 2 } });
    expect(JSON.parse(await readFile(path.join(dir, 'fortio.json'), 'utf8'))).toEqual({ v: 2 });
    expect(await readdir(dir)).toEqual(['fortio.json']);
  });

  it('scrubs secrets from text and from JSON, including ones JSON would escape', async () => {
    const scrubber = new SecretScrubber();
    scrubber.add('tok"en-123');
    scrubber.add('s3cr3t-value');
    const paths = await writeResultFiles(
      dir,
      { 'r.json': { header: 'Bearer tok"en-123', nested: [{ 's3cr3t-value': 1 }] }, 'summary.md': 'token s3cr3t-value here' },
      { scrub: scrubber },
    );
    const json = await readFile(paths['r.json']!, 'utf8');
    expect(json).not.toContain('tok');
    expect(json).not.toContain('s3cr3t');
    expect(JSON.parse(json)).toEqual({ header: 'Bearer [redacted]', nested: [{ '[redacted]': 1 }] });
    expect(await readFile(paths['summary.md']!, 'utf8')).toBe('token [redacted] here');
    // A plain function works too.
    const p2 = await writeResultFiles(dir, { 'x.txt': 'abc' }, { scrub: (t) => t.toUpperCase() });
    expect(await readFile(p2['x.txt']!, 'utf8')).toBe('ABC');
  });

  it('refuses names outside the output directory before writing anything', async () => {
    await expect(writeResultFiles(dir, { 'ok.json': {}, '../escape.json': {} })).rejects.toThrow(/inside the output directory/);
    await expect(writeResultFiles(dir, { [path.join(dir, 'abs.json')]: {} })).rejects.toThrow(/relative path/);
    expect(await readdir(dir)).toEqual([]);
  });

  it('reports a failed write as an infrastructure error that says what to do', async () => {
    // A file where a folder should be makes the write fail, as root too.
    await writeFile(path.join(dir, 'blocker'), 'not a dir');
    const err = await writeResultFiles(dir, { 'blocker/a.json': {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MeshspecError);
    expect((err as MeshspecError).kind).toBe('infra');
    expect((err as Error).message).toMatch(/could not write .*blocker.*writable.*--out/);
    expect(await readdir(dir)).toEqual(['blocker']);
  });
});
