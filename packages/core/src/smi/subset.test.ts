import { describe, expect, it } from 'vitest';
import { isSubset, subsetMismatch } from './subset.js';

describe('subset matching (kuttl semantics)', () => {
  it('accepts extra keys in the live object, at every depth', () => {
    expect(isSubset({ spec: { a: 1 } }, { spec: { a: 1, b: 2 }, status: {} })).toBe(true);
  });

  it('names the first missing key by its path', () => {
    expect(subsetMismatch({ spec: { destination: { port: '9091' } } }, { spec: { destination: { name: 'b' } } })).toBe(
      'spec.destination.port: missing (expected "9091")',
    );
  });

  it('requires arrays of the same length, matched element by element', () => {
    expect(isSubset({ a: [1, 2] }, { a: [1, 2] })).toBe(true);
    expect(subsetMismatch({ a: [1] }, { a: [1, 2] })).toMatch(/^a: expected 1 item, got 2/);
    expect(subsetMismatch({ a: [1, 2] }, { a: [2, 1] })).toBe('a[0]: expected 1, got 2');
    // Elements are themselves subsets: extra keys inside an element are fine.
    expect(isSubset({ m: [{ name: 'x' }] }, { m: [{ name: 'x', pathRegex: '.*' }] })).toBe(true);
    expect(subsetMismatch({ m: [] }, { m: [{}] })).toMatch(/^m: expected 0 items, got 1/);
  });

  it('requires the same scalar types: "9091" is not 9091', () => {
    expect(subsetMismatch({ port: '9091' }, { port: 9091 })).toBe('port: expected a string "9091", got a number 9091');
    expect(subsetMismatch({ ready: 1 }, { ready: '1' })).toMatch(/expected a number 1, got a string/);
    expect(subsetMismatch({ a: { b: 1 } }, { a: [1] })).toBe('a: expected an object, got an array');
    expect(subsetMismatch({ a: [1] }, { a: { 0: 1 } })).toBe('a: expected an array, got an object');
  });

  it('treats an expected null as absent-or-null', () => {
    expect(isSubset({ edge: null }, { edge: null })).toBe(true);
    expect(isSubset({ edge: null }, {})).toBe(true);
    expect(subsetMismatch({ edge: null }, { edge: {} })).toBe('edge: expected null, got {}');
  });

  it("catches Meshery's traffic-spec bug: a top-level `matches` that the server pruned", () => {
    const applied = { kind: 'HTTPRouteGroup', matches: [{ name: 'testMatch' }], spec: {} };
    const pruned = { kind: 'HTTPRouteGroup', spec: {} };
    expect(subsetMismatch(applied, pruned)).toBe('matches: missing (expected [{"name":"testMatch"}])');
  });
});
