/**
 * Compares the *shape* of two JSON values: the same keys at every path, and the same JSON type
 * (string, number, boolean, null, array, object) for each. Array elements are compared with the
 * reference's first element, since the arrays in the formats we mimic are homogeneous.
 * Returns one line per difference; an empty list means the shapes match.
 */
function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

export interface StructureOptions {
  /** Paths (`$.A.B`) that `actual` may have in addition to the reference. */
  allowExtra?: readonly string[];
  /** Paths of maps (e.g. `$.RetCodes`): keys are data, so only the values' shape is compared. */
  maps?: readonly string[];
}

export function structureDiff(reference: unknown, actual: unknown, options: StructureOptions = {}, path = '$'): string[] {
  const rt = jsonType(reference);
  const at = jsonType(actual);
  if (rt !== at) return [`${path}: reference is ${rt}, ours is ${at}`];
  if (rt === 'array') {
    const ref = reference as unknown[];
    const act = actual as unknown[];
    if (ref.length === 0 || act.length === 0) return [];
    return act.flatMap((item, i) => structureDiff(ref[0], item, options, `${path}[${i}]`));
  }
  if (rt !== 'object') return [];
  const ref = reference as Record<string, unknown>;
  const act = actual as Record<string, unknown>;
  if (options.maps?.includes(path)) {
    const sample = Object.values(ref)[0];
    if (sample === undefined) return [];
    return Object.entries(act).flatMap(([k, v]) => structureDiff(sample, v, options, `${path}.${k}`));
  }
  const out: string[] = [];
  for (const k of Object.keys(ref)) {
    if (!(k in act)) out.push(`${path}.${k}: missing in ours`);
    else out.push(...structureDiff(ref[k], act[k], options, `${path}.${k}`));
  }
  for (const k of Object.keys(act)) {
    if (!(k in ref) && !options.allowExtra?.includes(`${path}.${k}`)) out.push(`${path}.${k}: not in the reference`);
  }
  return out;
}
