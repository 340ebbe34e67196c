// Server-side apply and field ownership (metadata.managedFields), simplified but with real semantics:
// - every write records which manager owns which fields (operation Update; Apply for apply patches);
// - an apply that changes a field owned by another manager fails with 409 Conflict unless `force=true`;
// - fields a manager applied before and omits now are removed, unless another manager also owns them.
// Lists follow the type's list policy: associative by merge keys, sets, or atomic.
import { canonical, now } from './store.mjs';

/** @typedef {(path: string[], items: any[]) => import('./resources.mjs').ListPolicy} ListPolicyFn */

const SEP = '\u0000';
const isMap = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const IGNORED_META = new Set(['name', 'namespace', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'managedFields', 'selfLink']);

/**
 * Leaf field paths of an object, as token arrays joined by SEP. Tokens: `f:<field>`, `k:<keys json>`, `v:<json>`, `.`.
 * @param {any} obj
 * @param {ListPolicyFn} listPolicy
 * @param {'main' | 'status'} part which part of the object the request may change
 * @returns {Set<string>}
 */
function fieldSet(obj, listPolicy, part) {
  const out = new Set();
  for (const [k, v] of Object.entries(obj ?? {})) {
    if (k === 'apiVersion' || k === 'kind') continue;
    if ((part === 'status') !== (k === 'status')) continue;
    if (k === 'metadata') {
      for (const [mk, mv] of Object.entries(v ?? {})) {
        if (!IGNORED_META.has(mk)) collect(mv, [`f:metadata`, `f:${mk}`], ['metadata', mk], listPolicy, out);
      }
    } else collect(v, [`f:${k}`], [k], listPolicy, out);
  }
  return out;
}

function collect(value, tokens, names, listPolicy, out) {
  if (isMap(value) && Object.keys(value).length > 0) {
    for (const [k, v] of Object.entries(value)) collect(v, [...tokens, `f:${k}`], [...names, k], listPolicy, out);
    return;
  }
  if (Array.isArray(value) && value.length > 0) {
    const policy = listPolicy(names, value);
    if (policy.type === 'map' && value.every(isMap)) {
      for (const item of value) {
        const t = [...tokens, `k:${keyJson(item, policy.keys)}`];
        out.add([...t, '.'].join(SEP));
        for (const [k, v] of Object.entries(item)) collect(v, [...t, `f:${k}`], [...names, k], listPolicy, out);
      }
      return;
    }
    if (policy.type === 'set') {
      for (const item of value) out.add([...tokens, `v:${canonical(item)}`].join(SEP));
      return;
    }
  }
  out.add(tokens.join(SEP));
}

function keyJson(item, keys) {
  return JSON.stringify(Object.fromEntries(keys.map((k) => [k, item[k]])));
}

/** Value at a path, or undefined. */
function getAt(obj, path) {
  let v = obj;
  for (const tok of path.split(SEP)) {
    if (v === undefined) return undefined;
    if (tok === '.') continue;
    if (tok.startsWith('f:')) v = isMap(v) ? v[tok.slice(2)] : undefined;
    else if (tok.startsWith('k:')) {
      const key = JSON.parse(tok.slice(2));
      v = Array.isArray(v) ? v.find((i) => isMap(i) && Object.entries(key).every(([k, x]) => canonical(i[k]) === canonical(x))) : undefined;
    } else if (tok.startsWith('v:')) v = Array.isArray(v) && v.some((i) => canonical(i) === tok.slice(2)) ? true : undefined;
  }
  return v;
}

function deleteAt(obj, path) {
  const toks = path.split(SEP);
  if (toks[toks.length - 1] === '.') toks.pop();
  const last = toks.pop();
  const parent = getAt(obj, toks.join(SEP));
  if (last === undefined || parent === undefined) return;
  if (last.startsWith('f:') && isMap(parent)) delete parent[last.slice(2)];
  else if (Array.isArray(parent)) {
    const i = last.startsWith('k:')
      ? parent.findIndex((x) => isMap(x) && Object.entries(JSON.parse(last.slice(2))).every(([k, v]) => canonical(x[k]) === canonical(v)))
      : parent.findIndex((x) => canonical(x) === last.slice(2));
    if (i >= 0) parent.splice(i, 1);
  }
}

/** `.spec.template.spec.containers[name="app"].image`, as kube-apiserver prints a field path in conflicts. */
function printPath(path) {
  return path
    .split(SEP)
    .filter((t) => t !== '.')
    .map((t) => {
      if (t.startsWith('f:')) return `.${t.slice(2)}`;
      if (t.startsWith('k:')) return `[${Object.entries(JSON.parse(t.slice(2))).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}]`;
      return `[=${t.slice(2)}]`;
    })
    .join('');
}

/** Structured merge of an applied configuration into the live object. */
function structuredMerge(live, config, listPolicy, names = []) {
  if (!isMap(config) || !isMap(live)) return structuredClone(config);
  const out = { ...live };
  for (const [k, v] of Object.entries(config)) {
    const childNames = [...names, k];
    if (isMap(v)) out[k] = structuredMerge(out[k], v, listPolicy, childNames);
    else if (Array.isArray(v) && Array.isArray(out[k])) {
      const policy = listPolicy(childNames, [...v, ...out[k]]);
      if (policy.type === 'map' && v.every(isMap)) {
        const merged = out[k].map((x) => x);
        for (const item of v) {
          const i = merged.findIndex((x) => isMap(x) && keyJson(x, policy.keys) === keyJson(item, policy.keys));
          if (i >= 0) merged[i] = structuredMerge(merged[i], item, listPolicy, childNames);
          else merged.push(structuredClone(item));
        }
        out[k] = merged;
      } else if (policy.type === 'set') {
        out[k] = [...out[k], ...v.filter((x) => !out[k].some((y) => canonical(y) === canonical(x)))];
      } else out[k] = structuredClone(v);
    } else out[k] = structuredClone(v);
  }
  return out;
}

/** @param {any} entry a managedFields entry @returns {Set<string>} */
function entrySet(entry) {
  const out = new Set();
  const walk = (node, prefix) => {
    for (const [k, v] of Object.entries(node ?? {})) {
      const p = [...prefix, k];
      if (k === '.') out.add(p.join(SEP));
      else if (!v || Object.keys(v).length === 0) out.add(p.join(SEP));
      else walk(v, p);
    }
  };
  walk(entry.fieldsV1, []);
  return out;
}

function toFieldsV1(set) {
  const root = {};
  for (const path of set) {
    let node = root;
    for (const tok of path.split(SEP)) node = node[tok] ??= {};
  }
  return root;
}

/**
 * Records the fields a non-apply write (create, update, patch) set or changed. Returns the new managedFields.
 * @param {{ old: any, next: any, manager: string, apiVersion: string, subresource?: string, listPolicy: ListPolicyFn }} o
 */
export function trackUpdate({ old, next, manager, apiVersion, subresource, listPolicy }) {
  const part = subresource === 'status' ? 'status' : 'main';
  const before = old ? fieldSet(old, listPolicy, part) : new Set();
  const after = fieldSet(next, listPolicy, part);
  const changed = new Set([...after].filter((p) => !before.has(p) || canonical(getAt(old, p)) !== canonical(getAt(next, p))));
  const gone = new Set([...before].filter((p) => !after.has(p)));
  const entries = (old?.metadata?.managedFields ?? []).map((e) => ({ ...e, set: entrySet(e) }));
  for (const e of entries) for (const p of [...changed, ...gone]) e.set.delete(p);
  let mine = entries.find((e) => e.manager === manager && e.operation === 'Update' && (e.subresource ?? '') === (subresource ?? ''));
  if (!mine && changed.size > 0) {
    mine = { manager, operation: 'Update', apiVersion, set: new Set(), ...(subresource ? { subresource } : {}) };
    entries.push(mine);
  }
  if (mine) for (const p of changed) mine.set.add(p);
  return finish(entries, changed.size > 0 || gone.size > 0 ? mine : undefined);
}

/**
 * Server-side apply.
 * @param {{ live: any, config: any, manager: string, force: boolean, apiVersion: string, subresource?: string, listPolicy: ListPolicyFn }} o
 * @returns {{ object: any } | { conflicts: Array<{ manager: string, apiVersion: string, field: string }> }}
 */
export function serverSideApply({ live, config, manager, force, apiVersion, subresource, listPolicy }) {
  const part = subresource === 'status' ? 'status' : 'main';
  const applied = fieldSet(config, listPolicy, part);
  const entries = (live?.metadata?.managedFields ?? []).map((e) => ({ ...e, set: entrySet(e) }));
  const isMine = (e) => e.manager === manager && e.operation === 'Apply' && (e.subresource ?? '') === (subresource ?? '');
  const conflicts = [];
  for (const e of entries) {
    if (isMine(e)) continue;
    for (const p of applied) {
      if (e.set.has(p) && canonical(getAt(live, p)) !== canonical(getAt(config, p))) {
        conflicts.push({ manager: e.manager, apiVersion: e.apiVersion, field: printPath(p), entry: e, path: p });
      }
    }
  }
  if (conflicts.length > 0 && !force) return { conflicts: conflicts.map(({ manager: m, apiVersion: a, field }) => ({ manager: m, apiVersion: a, field })) };
  for (const c of conflicts) c.entry.set.delete(c.path);

  let mine = entries.find(isMine);
  const previous = mine?.set ?? new Set();
  let object;
  if (live) {
    const { metadata: cm, ...crest } = config;
    const { metadata: lm, ...lrest } = live;
    const part2 = part === 'status' ? { status: crest.status } : Object.fromEntries(Object.entries(crest).filter(([k]) => k !== 'status'));
    object = { ...structuredMerge(lrest, part2, listPolicy), metadata: part === 'status' ? lm : structuredMerge(lm, pickMeta(cm), listPolicy, ['metadata']) };
    const others = entries.filter((e) => !isMine(e));
    const removed = [...previous].filter((p) => !applied.has(p) && !others.some((e) => e.set.has(p)));
    removed.sort((a, b) => b.length - a.length).forEach((p) => deleteAt(object, p));
  } else object = structuredClone(config);

  if (!mine) {
    mine = { manager, operation: 'Apply', apiVersion, set: new Set(), ...(subresource ? { subresource } : {}) };
    entries.push(mine);
  }
  const changed = canonical([...mine.set].sort()) !== canonical([...applied].sort());
  mine.set = applied;
  object.metadata = { ...object.metadata, managedFields: finish(entries, changed ? mine : undefined) };
  return { object };
}

function pickMeta(meta) {
  return Object.fromEntries(Object.entries(meta ?? {}).filter(([k]) => !IGNORED_META.has(k)));
}

function finish(entries, touched) {
  return entries
    .filter((e) => e.set.size > 0)
    .map((e) => {
      const { set, ...rest } = e;
      return { ...rest, time: e === touched || !rest.time ? now() : rest.time, fieldsType: 'FieldsV1', fieldsV1: toFieldsV1(set) };
    })
    .map(({ manager, operation, apiVersion, time, fieldsType, fieldsV1, subresource }) => ({
      manager,
      operation,
      apiVersion,
      time,
      fieldsType,
      fieldsV1,
      ...(subresource ? { subresource } : {}),
    }));
}
