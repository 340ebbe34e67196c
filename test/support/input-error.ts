import { expect } from 'vitest';
import { MeshspecError } from '../../packages/core/src/errors.js';

/** Runs `fn`, which must throw an input error (exit 2), and returns it for the message checks. */
export function inputErrorOf(fn: () => unknown): MeshspecError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(MeshspecError);
    expect((e as MeshspecError).kind).toBe('input');
    return e as MeshspecError;
  }
  throw new Error('expected an input error');
}
