import { readFileSync } from 'node:fs';

/**
 * How many connections this process may open. Each connection is a file descriptor; beyond the
 * limit, connects fail with EMFILE mid-run. On Linux the soft `Max open files` of
 * /proc/self/limits is the limit; elsewhere it is not known and nothing is checked.
 */

/** Descriptors kept for Node itself (stdio, the event loop, module files, the output files). */
export const OPEN_FILES_MARGIN = 64;

/** Parses the soft `Max open files` of a /proc/<pid>/limits text; undefined when unlimited or absent. */
export function parseMaxOpenFiles(limits: string): number | undefined {
  const m = /^Max open files\s+(\S+)/m.exec(limits);
  if (!m || m[1] === 'unlimited') return undefined;
  const n = Number(m[1]);
  return Number.isFinite(n) ? n : undefined;
}

/** The number of connections the process can open, or undefined when the platform does not say. */
export function connectionLimit(): { connections: number; maxOpenFiles: number } | undefined {
  if (process.platform !== 'linux') return undefined;
  let text: string;
  try {
    text = readFileSync('/proc/self/limits', 'utf8');
  } catch {
    return undefined;
  }
  const max = parseMaxOpenFiles(text);
  return max === undefined ? undefined : { connections: Math.max(0, max - OPEN_FILES_MARGIN), maxOpenFiles: max };
}
