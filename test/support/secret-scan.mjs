// Searches everything an action run leaves behind for secret strings: stdout (except the runner's
// own ::add-mask:: command lines), stderr, the job summary, the outputs and state files, and every
// file in the output directory. Returns the places where a secret was found.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** @param {string} dir @returns {string[]} */
function filesUnder(dir) {
  /** @type {string[]} */
  const out = [];
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...filesUnder(p));
    else if (statSync(p).isFile()) out.push(p);
  }
  return out;
}

/**
 * @param {{ stdout: string, stderr: string, summary: string, stateText: string, dir: string, post?: { stdout: string, stderr: string } }} run
 * @param {string} outDir
 * @param {Record<string, string>} secrets name -> value
 * @returns {string[]} "<secret name> in <place>"
 */
export function findSecrets(run, outDir, secrets) {
  /** @type {[string, string][]} */
  const places = [
    ['stdout', run.stdout.split('\n').filter((l) => !l.startsWith('::add-mask::')).join('\n')],
    ['stderr', run.stderr],
    ['job summary', run.summary],
    ['outputs file', readFileSync(join(run.dir, 'output'), 'utf8')],
    ['state file', run.stateText],
  ];
  if (run.post) places.push(['post stdout', run.post.stdout.split('\n').filter((l) => !l.startsWith('::add-mask::')).join('\n')], ['post stderr', run.post.stderr]);
  for (const f of filesUnder(outDir)) places.push([f, readFileSync(f, 'utf8')]);
  /** @type {string[]} */
  const found = [];
  for (const [name, value] of Object.entries(secrets)) {
    if (!value) continue;
    for (const [where, text] of places) if (text.includes(value)) found.push(`${name} in ${where}`);
  }
  return found;
}
