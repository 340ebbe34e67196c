import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { ACTION_WORDING, CLI_WORDING } from './wording.js';

/** A hint that names a flag or an input nobody can set sends the user nowhere: every name must exist. */
const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');

const actionInputs = new Set(
  ['smp-action', 'smi-conformance-action', 'gamma-conformance-action'].flatMap((a) =>
    Object.keys((yaml.load(readFileSync(join(root, a, 'action.yml'), 'utf8')) as { inputs: Record<string, unknown> }).inputs),
  ),
);

const cliDir = join(root, 'packages/core/src/cli');
const cliSource = readdirSync(cliDir)
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
  .map((f) => readFileSync(join(cliDir, f), 'utf8'))
  .join('\n');
/** Flags as the CLI's option tables declare them: `'name': { type: ... }` or `name: { type: ... }`. */
const cliFlags = new Set([...cliSource.matchAll(/^\s*'?([a-z][a-z0-9-]*)'?: \{ type: '(?:string|boolean)'/gm)].map((m) => m[1]!));

describe('wording', () => {
  it('names only inputs that an action declares', () => {
    const named = Object.entries(ACTION_WORDING).map(([key, text]) => {
      // "input kubeconfig", "set mesh_deployed: true", "provider_casing: snake (or camel)", "repeat: 3"
      const m = /^(?:input |set |use )?([a-z_]+)\b/.exec(text);
      return [key, m?.[1]] as const;
    });
    for (const [key, input] of named) expect(actionInputs.has(input ?? ''), `ACTION_WORDING.${key} names ${input}`).toBe(true);
    expect(named.length).toBeGreaterThan(10);
  });

  it('names only flags that the CLI declares', () => {
    let flags = 0;
    for (const [key, text] of Object.entries(CLI_WORDING)) {
      for (const m of text.matchAll(/--([a-z][a-z0-9-]*)/g)) {
        flags++;
        expect(cliFlags.has(m[1]!), `CLI_WORDING.${key} names --${m[1]}`).toBe(true);
      }
    }
    expect(flags).toBeGreaterThan(8);
    // The hints a comparison with few pairs gives.
    expect(CLI_WORDING.repeatThree).toBe('--repeat 3');
    expect(ACTION_WORDING.repeatThree).toBe('repeat: 3');
  });
});
