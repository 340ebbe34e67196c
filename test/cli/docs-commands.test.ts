// Every `meshspec …` command line shown in README.md and docs/*.md must match the CLI: the command
// exists (its --help exits 0), every flag shown is one it takes, and a positional argument shown
// (e.g. `smp run <profile>`) is the one its usage line names. So the docs and the CLI cannot drift.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findCommand, runCli } from '../../packages/core/src/cli/main.js';
import { cliIO } from '../support/cli-io.js';

const root = resolve(import.meta.dirname, '../..');

interface Shown {
  doc: string;
  line: number;
  text: string;
}

/** The command lines inside the fenced code blocks of a markdown file, continuations joined. */
function commandLines(doc: string): Shown[] {
  const lines = readFileSync(join(root, doc), 'utf8').split('\n');
  const out: Shown[] = [];
  let fenced = false;
  let current: Shown | undefined;
  lines.forEach((raw, i) => {
    if (raw.startsWith('```')) {
      fenced = !fenced;
      current = undefined;
      return;
    }
    if (!fenced) return;
    // Descriptions sit after a run of spaces or a # comment; they are not part of the command.
    const line = raw.replace(/\s#.*$/, '').replace(/\S\s{3,}.*$/, (m) => m[0]);
    const start = /(?:^|&&\s*|^npx\s+)(?:npx\s+)?meshspec\s+(.*)$/.exec(line.trim());
    if (start && /^(npm ci && )?(npx )?meshspec /.test(line.trim())) {
      current = { doc, line: i + 1, text: start[1]!.replace(/\\$/, '').trim() };
      out.push(current);
    } else if (current && /^\s+\S/.test(line)) {
      current.text += ` ${line.trim().replace(/\\$/, '').trim()}`;
    } else {
      current = undefined;
    }
  });
  return out;
}

/** `cluster up|down ...` stands for two commands. */
function expand(text: string): string[][] {
  const words = text.split(/\s+/);
  const alt = words.findIndex((w, i) => i < 3 && /^[a-z]+(\|[a-z]+)+$/.test(w));
  if (alt < 0) return [words];
  return words[alt]!.split('|').map((w) => [...words.slice(0, alt), w, ...words.slice(alt + 1)]);
}

const docs = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
const shown = docs.flatMap(commandLines).flatMap((s) => expand(s.text).map((words) => ({ ...s, words })));

describe('meshspec command lines in the docs', () => {
  it('finds the command lines (README and docs)', () => {
    expect(shown.filter((s) => s.doc === 'README.md').length).toBeGreaterThanOrEqual(8);
    expect(shown.some((s) => s.words.slice(0, 3).join(' ') === 'smp run <profile>')).toBe(true);
  });

  it.each(shown.map((s) => [`${s.doc}:${s.line}`, s.words.join(' '), s.words] as const))('%s: meshspec %s', async (_where, _text, words) => {
    const { command, rest } = findCommand(words);
    expect(command, `no command "meshspec ${words.slice(0, 2).join(' ')}"`).toBeDefined();
    const t = cliIO({ cwd: root });
    expect(await runCli([...command!.path, '--help'], t.io)).toBe(0);
    const help = t.stdout();
    for (const flag of rest.join(' ').match(/--[a-z][a-z0-9-]*/g) ?? []) expect(help, `meshspec ${command!.path.join(' ')} has no ${flag}`).toContain(flag);
    // A positional placeholder right after the command (`<profile>`, `NAME`) is in the usage line.
    const first = rest[0];
    if (first && (/^<[a-z-]+>(\.\.\.)?$/.test(first) || /^[A-Z]+$/.test(first))) expect(help.split('\n')[0]).toContain(first);
  });
});
