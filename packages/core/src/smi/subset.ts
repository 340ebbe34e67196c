/**
 * Subset matching with kuttl's semantics (layer5io/kuttl `pkg/test/utils/subset.go`), which is how
 * Meshery's suite asserted objects, so a step that passes there means the same here:
 * - maps: every expected key must exist in the actual map and match; extra actual keys are fine;
 * - arrays: the same length, matched element by element (order matters);
 * - scalars: the same type and value (the string "9091" does not match the number 9091).
 *
 * Returns undefined on a match, else the first mismatch with its JSON path, so a failed step says
 * exactly which field the server changed or pruned.
 */
export function subsetMismatch(expected: unknown, actual: unknown, path = ''): string | undefined {
  const at = path === '' ? '(root)' : path;
  if (expected === null || expected === undefined) {
    // An explicit null in an assert means "absent or null".
    return actual === null || actual === undefined ? undefined : `${at}: expected null, got ${show(actual)}`;
  }
  if (actual === undefined || actual === null) return `${at}: missing (expected ${show(expected)})`;
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return `${at}: expected an array, got ${typeName(actual)}`;
    if (expected.length !== actual.length) {
      return `${at}: expected ${expected.length} item${expected.length === 1 ? '' : 's'}, got ${actual.length} (${show(actual)})`;
    }
    for (let i = 0; i < expected.length; i++) {
      const m = subsetMismatch(expected[i], actual[i], `${path}[${i}]`);
      if (m) return m;
    }
    return undefined;
  }
  if (typeof expected === 'object') {
    if (typeof actual !== 'object' || Array.isArray(actual)) return `${at}: expected an object, got ${typeName(actual)}`;
    for (const [key, value] of Object.entries(expected as Record<string, unknown>)) {
      if (value === undefined) continue;
      const m = subsetMismatch(value, (actual as Record<string, unknown>)[key], path === '' ? key : `${path}.${key}`);
      if (m) return m;
    }
    return undefined;
  }
  if (typeof expected !== typeof actual) return `${at}: expected ${typeName(expected)} ${show(expected)}, got ${typeName(actual)} ${show(actual)}`;
  return expected === actual ? undefined : `${at}: expected ${show(expected)}, got ${show(actual)}`;
}

/** True when `expected` is a subset of `actual` (see subsetMismatch). */
export function isSubset(expected: unknown, actual: unknown): boolean {
  return subsetMismatch(expected, actual) === undefined;
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (v instanceof Date) return 'a timestamp';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

function show(v: unknown): string {
  const text = v instanceof Date ? v.toISOString() : JSON.stringify(v);
  if (text === undefined) return String(v);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
