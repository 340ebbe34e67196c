import * as core from '@actions/core';
import { inputError } from '../errors.js';
import { parseGoDuration, requirePositiveDuration } from '../duration.js';

/**
 * Typed reading of action inputs. Every error names the input and says what it accepts, so a
 * user can fix their workflow from the message alone. Modules below never call core.getInput.
 */
export function str(name: string, fallback = ''): string {
  const v = core.getInput(name).trim();
  return v === '' ? fallback : v;
}

export function optional(name: string): string | undefined {
  const v = core.getInput(name).trim();
  return v === '' ? undefined : v;
}

const TRUE = new Set(['true', 'yes', 'on', '1']);
const FALSE = new Set(['false', 'no', 'off', '0']);

export function bool(name: string, fallback: boolean): boolean {
  const v = core.getInput(name).trim().toLowerCase();
  if (v === '') return fallback;
  if (TRUE.has(v)) return true;
  if (FALSE.has(v)) return false;
  throw inputError(`input ${name}: "${v}" is not a boolean; use true or false`);
}

export function int(name: string, options: { min?: number; max?: number } = {}): number | undefined {
  const v = core.getInput(name).trim();
  if (v === '') return undefined;
  if (!/^-?\d+$/.test(v)) throw inputError(`input ${name}: "${v}" is not a whole number`);
  const n = Number(v);
  if (options.min !== undefined && n < options.min) throw inputError(`input ${name}: ${n} is below the minimum ${options.min}`);
  if (options.max !== undefined && n > options.max) throw inputError(`input ${name}: ${n} is above the maximum ${options.max}`);
  return n;
}

export function number(name: string, options: { min?: number; max?: number } = {}): number | undefined {
  const v = core.getInput(name).trim();
  if (v === '') return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw inputError(`input ${name}: "${v}" is not a number`);
  if (options.min !== undefined && n < options.min) throw inputError(`input ${name}: ${n} is below the minimum ${options.min}`);
  if (options.max !== undefined && n > options.max) throw inputError(`input ${name}: ${n} is above the maximum ${options.max}`);
  return n;
}

/**
 * A Go duration (`30s`, `1m30s`) in milliseconds. `positive`: a run length or timeout, refused
 * when zero, under 1ms or beyond Go's maximum, with the same message as a profile's duration.
 */
export function duration(name: string, options: { positive?: boolean } = {}): number | undefined {
  const v = core.getInput(name).trim();
  if (v === '') return undefined;
  if (options.positive) return requirePositiveDuration(v, `input ${name}`);
  const ms = parseGoDuration(v);
  if (ms === undefined) throw inputError(`input ${name}: "${v}" is not a duration; use Go syntax such as 30s or 1m30s`);
  return ms;
}

/** One of a fixed set of values (compared case-insensitively). */
export function choice<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
  const v = core.getInput(name).trim().toLowerCase();
  if (v === '') return fallback;
  const hit = allowed.find((a) => a.toLowerCase() === v);
  if (!hit) throw inputError(`input ${name}: "${v}" is not one of ${allowed.join(', ')}`);
  return hit;
}

/** Items one per line (or separated by commas when `commas` is set); blank lines and # comments dropped. */
export function list(name: string, options: { commas?: boolean } = {}): string[] {
  const raw = core.getInput(name);
  const parts = options.commas ? raw.split(/[\n,]/) : raw.split('\n');
  return parts.map((p) => p.trim()).filter((p) => p !== '' && !p.startsWith('#'));
}
