// Patch formats: JSON merge patch (RFC 7386), JSON patch (RFC 6902) and strategic merge patch (built-in kinds).
import { canonical } from './store.mjs';

export class PatchError extends Error {}

const isMap = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

/** RFC 7386. Returns a new value. */
export function mergePatch(target, patch) {
  if (!isMap(patch)) return structuredClone(patch);
  const out = isMap(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** RFC 6902. Returns a new document. */
export function jsonPatch(doc, ops) {
  if (!Array.isArray(ops)) throw new PatchError('json patch must be an array of operations');
  let root = structuredClone(doc);
  for (const op of ops) {
    const path = parsePointer(op.path);
    switch (op.op) {
      case 'add':
        root = put(root, path, structuredClone(op.value), true);
        break;
      case 'replace':
        get(root, path, op);
        root = put(root, path, structuredClone(op.value), false);
        break;
      case 'remove':
        get(root, path, op);
        root = remove(root, path);
        break;
      case 'move': {
        const from = parsePointer(op.from);
        const v = get(root, from, op);
        root = put(remove(root, from), path, v, true);
        break;
      }
      case 'copy':
        root = put(root, path, structuredClone(get(root, parsePointer(op.from), op)), true);
        break;
      case 'test':
        if (canonical(get(root, path, op)) !== canonical(op.value)) throw new PatchError(`testing value ${op.path} failed`);
        break;
      default:
        throw new PatchError(`Unexpected kind: ${op.op}`);
    }
  }
  return root;
}

function parsePointer(p) {
  if (typeof p !== 'string' || (p !== '' && !p.startsWith('/'))) throw new PatchError(`invalid JSON pointer: ${JSON.stringify(p)}`);
  return p === '' ? [] : p.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function get(root, path, op) {
  let v = root;
  for (const seg of path) {
    if (Array.isArray(v) && /^\d+$/.test(seg) && Number(seg) < v.length) v = v[Number(seg)];
    else if (isMap(v) && Object.prototype.hasOwnProperty.call(v, seg)) v = v[seg];
    else throw new PatchError(`${op.op} operation does not apply: doc is missing path: "${op.path ?? op.from}": missing value`);
  }
  return v;
}

function put(root, path, value, insert) {
  if (path.length === 0) return value;
  const parent = get(root, path.slice(0, -1), { op: 'add', path: '/' + path.slice(0, -1).join('/') });
  const last = path[path.length - 1];
  if (Array.isArray(parent)) {
    const i = last === '-' ? parent.length : Number(last);
    if (!Number.isInteger(i) || i > parent.length) throw new PatchError(`add operation does not apply: index ${last} out of bounds`);
    if (insert) parent.splice(i, 0, value);
    else parent[i] = value;
  } else if (isMap(parent)) parent[last] = value;
  else throw new PatchError(`add operation does not apply: doc is missing path: /${path.join('/')}`);
  return root;
}

function remove(root, path) {
  const parent = get(root, path.slice(0, -1), { op: 'remove', path: '/' + path.join('/') });
  const last = path[path.length - 1];
  if (Array.isArray(parent)) parent.splice(Number(last), 1);
  else delete parent[last];
  return root;
}

/**
 * Strategic merge patch, with the merge keys of built-in kinds (see resources.mjs builtinListPolicy).
 * Supports `$patch: replace | delete | merge`, `$retainKeys`, `$deleteFromPrimitiveList/<field>` and ignores
 * `$setElementOrder/<field>`.
 * @param {any} target
 * @param {any} patch
 * @param {(path: string[], items: any[]) => import('./resources.mjs').ListPolicy} listPolicy
 * @param {string[]} [path]
 */
export function strategicMerge(target, patch, listPolicy, path = []) {
  if (!isMap(patch)) return structuredClone(patch);
  if (patch.$patch === 'replace') {
    const { $patch: _p, ...rest } = patch;
    return structuredClone(rest);
  }
  if (patch.$patch === 'delete') return undefined;
  const out = isMap(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$patch' || k === '$retainKeys' || k.startsWith('$setElementOrder/')) continue;
    if (k.startsWith('$deleteFromPrimitiveList/')) {
      const field = k.slice('$deleteFromPrimitiveList/'.length);
      if (Array.isArray(out[field])) out[field] = out[field].filter((x) => !v.some((d) => canonical(d) === canonical(x)));
      continue;
    }
    if (v === null) {
      delete out[k];
      continue;
    }
    const childPath = [...path, k];
    if (Array.isArray(v)) out[k] = mergeList(out[k], v, listPolicy, childPath);
    else if (isMap(v)) {
      const merged = strategicMerge(out[k], v, listPolicy, childPath);
      if (merged === undefined) delete out[k];
      else out[k] = merged;
    } else out[k] = v;
  }
  if (Array.isArray(patch.$retainKeys)) {
    for (const k of Object.keys(out)) if (!patch.$retainKeys.includes(k)) delete out[k];
  }
  return out;
}

function mergeList(current, patchList, listPolicy, path) {
  if (patchList.some((i) => isMap(i) && i.$patch === 'replace')) {
    return structuredClone(patchList.filter((i) => !(isMap(i) && i.$patch === 'replace')));
  }
  const cur = Array.isArray(current) ? current : [];
  const policy = listPolicy(path, [...patchList, ...cur]);
  if (policy.type === 'set') {
    const out = [...cur];
    for (const v of patchList) if (!out.some((x) => canonical(x) === canonical(v))) out.push(v);
    return out;
  }
  if (policy.type !== 'map' || !patchList.every(isMap)) return structuredClone(patchList);
  const keyOf = (item) => canonical(policy.keys.map((k) => item[k]));
  const out = cur.map((x) => structuredClone(x));
  for (const item of patchList) {
    const i = out.findIndex((x) => isMap(x) && keyOf(x) === keyOf(item));
    if (item.$patch === 'delete') {
      if (i >= 0) out.splice(i, 1);
      continue;
    }
    if (i >= 0) out[i] = strategicMerge(out[i], item, listPolicy, path);
    else out.push(strategicMerge({}, item, listPolicy, path));
  }
  return out;
}
