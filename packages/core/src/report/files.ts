import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { infraError, inputError } from '../errors.js';

/**
 * Writes the output directory's files. Each file is written to a temporary name beside it and
 * renamed into place, so a reader (the artifact upload, a cancelled run's post step, a user) never
 * sees half a file: it sees the old one or the new one.
 */

/** A function applied to every text before it is written; the caller passes a SecretScrubber's. */
export type Scrub = ((text: string) => string) | { scrub(text: string): string };

export interface WriteOptions {
  scrub?: Scrub;
}

function scrubber(option: Scrub | undefined): (text: string) => string {
  if (!option) return (t) => t;
  return typeof option === 'function' ? option : (t) => option.scrub(t);
}

/** Scrubs every string in a JSON value (keys too), so a secret is replaced before serialisation escapes it. */
function scrubDeep(value: unknown, scrub: (t: string) => string): unknown {
  if (typeof value === 'string') return scrub(value);
  if (Array.isArray(value)) return value.map((v) => scrubDeep(v, scrub));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[scrub(k)] = scrubDeep(v, scrub);
    return out;
  }
  return value;
}

/** Text for a file: objects become pretty JSON with a trailing newline; strings are written as they are. */
function serialise(content: string | object, scrub: (t: string) => string = (t) => t): string {
  if (typeof content === 'string') return scrub(content);
  return scrub(`${JSON.stringify(scrubDeep(content, scrub), null, 2)}\n`);
}

/** A file name must stay inside the output directory: relative, no `..`. */
function targetPath(outDir: string, name: string): string {
  const dir = path.resolve(outDir);
  const target = path.resolve(dir, name);
  if (path.isAbsolute(name) || name.split(/[\\/]/).includes('..') || !target.startsWith(dir + path.sep)) {
    throw new Error(`result file name "${name}" must be a relative path inside the output directory ${dir}`);
  }
  return target;
}

/**
 * Writes every file under `outDir` (created if missing) and returns each name's absolute path.
 * Names may contain sub-folders (`diagnostics/events.txt`).
 */
export async function writeResultFiles(
  outDir: string,
  files: Record<string, string | object>,
  options: WriteOptions = {},
): Promise<Record<string, string>> {
  const scrub = scrubber(options.scrub);
  const written: Record<string, string> = {};
  // Validate every name before writing anything, so a bad name cannot leave a partial set.
  const targets = Object.keys(files).map((name) => [name, targetPath(outDir, name)] as const);
  for (const [name, target] of targets) {
    const tmp = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(tmp, serialise(files[name]!, scrub), 'utf8');
      await rename(tmp, target);
    } catch (e) {
      await rm(tmp, { force: true }).catch(() => undefined);
      throw infraError(`could not write ${target}: ${(e as Error).message}. Check that the output directory is writable, or choose another with --out (CLI) or output_dir (action).`, { cause: e });
    }
    written[name] = target;
  }
  return written;
}

/**
 * Creates the output directory and proves it writable before any load runs: a 30-minute run must
 * not end in "cannot write". `where` names the flag or input (`--out`, `input output_dir`).
 */
export async function ensureWritableDir(outDir: string, where: string): Promise<void> {
  const dir = path.resolve(outDir);
  const probe = path.join(dir, `.meshspec-write-check.${process.pid}.${randomBytes(4).toString('hex')}`);
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(probe, '');
    await rm(probe, { force: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'EEXIST' || code === 'ENOTDIR' ? 'a file is in the way, not a directory' : code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? 'it is not writable' : (e as Error).message;
    throw inputError(`${where}: cannot write results to ${dir} (${why}); choose a directory you can write to`, { cause: e });
  }
}
