import { parseArgs, type ParseArgsConfig } from 'node:util';
import { inputError } from '../errors.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * node:util parseArgs with our error style: an unknown flag or a missing value is an input error
 * that names the flag and points at --help.
 */
export interface ParsedFlags {
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  positionals: string[];
}

export function parseFlags(command: string, args: string[], options: Options, allowPositionals = false): ParsedFlags {
  try {
    return parseArgs({ args: joinNegativeValues(args, options), options, allowPositionals, strict: true }) as ParsedFlags;
  } catch (error) {
    // No "meshspec <command>:" prefix here: runCli (cli/main.ts) puts it in front of every error once.
    throw inputError(`${(error as Error).message.replace(/\. To specify.*$/s, '')}; see meshspec ${command} --help`);
  }
}

/**
 * `--rps -1` is a value, not a flag: parseArgs would call it "ambiguous". Joining it as
 * `--rps=-1` lets the flag's own check say what is wrong with it ("not a whole number >= 0").
 */
function joinNegativeValues(args: string[], options: Options): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const next = args[i + 1];
    if (arg === '--') {
      out.push(...args.slice(i));
      break;
    }
    const long = arg.startsWith('--') ? arg.slice(2) : Object.entries(options).find(([, o]) => o.short !== undefined && `-${o.short}` === arg)?.[0];
    if (long !== undefined && options[long]?.type === 'string' && next !== undefined && /^-[0-9.]/.test(next)) {
      out.push(`--${long}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

/** A string flag's value (the last one when repeated). */
export function strFlag(values: ParsedFlags['values'], name: string): string | undefined {
  const v = values[name];
  if (Array.isArray(v)) return v.length ? String(v[v.length - 1]) : undefined;
  return typeof v === 'string' ? v : undefined;
}

/** A repeatable string flag's values. */
export function listFlag(values: ParsedFlags['values'], name: string): string[] {
  const v = values[name];
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).map(String);
}

/** A whole number flag, with bounds; names the flag in the error. */
export function intFlag(value: string | undefined, flag: string, min = 0): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min) throw inputError(`--${flag}: "${value}" is not a whole number >= ${min}`);
  return Number(value);
}
