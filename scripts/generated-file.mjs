// One way to write a generated source file: write it, or with --check fail when the committed copy
// differs (CI runs the --check forms from .ci/run, so a stale generated file cannot be committed).
import { readFileSync, writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');

/** @param {string} target absolute path @param {string} text @param {string} howToFix */
export function writeOrCheck(target, text, howToFix) {
  if (!process.argv.includes('--check')) {
    writeFileSync(target, text);
    return;
  }
  let current = '';
  try { current = readFileSync(target, 'utf8'); } catch {}
  if (current !== text) {
    console.error(`${relative(root, target)} is stale: ${howToFix}`);
    process.exit(1);
  }
}
