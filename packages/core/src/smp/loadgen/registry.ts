/**
 * The load generators by name. Only `native` exists so far; the names Meshery users know
 * (`fortio`, `wrk2`, `nighthawk`) are accepted and run on the native generator, with a notice
 * the caller logs, until their adapters land.
 */
import { inputError } from '../../errors.js';
import { NativeLoadGenerator } from './native.js';
import type { LoadGenerator } from './types.js';

export const LOAD_GENERATOR_NAMES = ['native', 'fortio', 'wrk2', 'nighthawk'] as const;
type LoadGeneratorName = (typeof LOAD_GENERATOR_NAMES)[number];

interface Entry {
  create: () => LoadGenerator;
  /** Said to the user when the name does not run what it names. */
  notice?: string;
}

const mapped = (name: string) =>
  `load_generator "${name}" runs on meshspec's native generator (open model, coordinated-omission corrected, HdrHistogram); ` +
  `a ${name} adapter is not available yet. Results are written in the same SMP and Fortio formats.`;

const TABLE: Record<LoadGeneratorName, Entry> = {
  native: { create: () => new NativeLoadGenerator() },
  fortio: { create: () => new NativeLoadGenerator(), notice: mapped('fortio') },
  wrk2: { create: () => new NativeLoadGenerator(), notice: mapped('wrk2') },
  nighthawk: { create: () => new NativeLoadGenerator(), notice: mapped('nighthawk') },
};

function isLoadGeneratorName(name: string): name is LoadGeneratorName {
  return (LOAD_GENERATOR_NAMES as readonly string[]).includes(name);
}

/**
 * The generator for a name (case-insensitive; empty or undefined means `native`), plus a notice
 * when the name is mapped onto another generator. An unknown name is an input error (exit 2).
 */
export function resolveLoadGenerator(name: string | undefined): { generator: LoadGenerator; notice?: string } {
  const key = (name ?? '').trim().toLowerCase() || 'native';
  if (!isLoadGeneratorName(key)) {
    throw inputError(`unknown load generator "${name}": use one of ${LOAD_GENERATOR_NAMES.join(', ')}`);
  }
  const entry = TABLE[key];
  return entry.notice ? { generator: entry.create(), notice: entry.notice } : { generator: entry.create() };
}
