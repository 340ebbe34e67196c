/**
 * In-memory object store of the fake Kubernetes API server.
 *
 * The store is synchronous and knows nothing about HTTP, versions or schemas. Objects are keyed by
 * (group, resource, namespace, name); `group` is '' for the core group ('core' and undefined are accepted too);
 * `resource` is the lower-case plural ('pods', 'deployments', 'traffictargets'). Every object handed out is a
 * deep copy, so callers may change what they get.
 *
 *   const store = new Store();
 *   store.get({ group, resource, namespace, name })                          -> object | undefined
 *   store.list({ group, version?, resource, namespace?, labelSelector?, fieldSelector? }) -> object[]
 *       labelSelector: 'app=a,tier in (x,y),!canary' | { app: 'a' } | { matchLabels, matchExpressions }
 *       fieldSelector: 'metadata.name=x' | (obj) => boolean
 *       sorted by namespace, then name (etcd key order); version is accepted and ignored
 *   store.create({ group, resource }, object)                   -> stored object   (StoreError 409 AlreadyExists)
 *   store.update({ group, resource }, object, { resourceVersion? }) -> stored object (404 NotFound, 409 Conflict)
 *       a no-op update (nothing but resourceVersion differs) changes nothing and emits nothing
 *   store.mutate({ group, resource, namespace, name }, (obj) => void | false) -> object | undefined
 *       read-modify-write for controllers; return false from fn to skip; skips the write when nothing changed
 *   store.delete({ group, resource, namespace, name })          -> deleted object | undefined
 *   store.all()                                                  -> Array<{ group, resource, object }>
 *   store.resourceVersion                                        -> latest resourceVersion (string)
 *   store.eventsSince(resourceVersion)                           -> ChangeEvent[] | undefined (undefined: too old)
 *   store.on('change', (ev: ChangeEvent) => ...)
 *       ev = { type: 'ADDED' | 'MODIFIED' | 'DELETED', group, resource, namespace, name, object, oldObject?, resourceVersion }
 *       emitted synchronously after the write; the event's objects are frozen (copy before changing them);
 *       a listener that throws does not stop the others (its error goes to 'error' listeners, or is rethrown async)
 *
 * The store sets metadata.uid, metadata.resourceVersion (one global counter, as etcd's revision),
 * metadata.creationTimestamp and metadata.generation (1 on create, +1 when anything outside metadata and status
 * changes). Deletion ignores finalizers.
 */
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import { compileLabelSelector, matchesLabels, parseFieldSelector, matchesFields } from './selectors.mjs';

/**
 * @typedef {{ group?: string, resource: string, namespace?: string, name?: string }} ObjectRef
 * @typedef {{ type: 'ADDED' | 'MODIFIED' | 'DELETED', group: string, resource: string, namespace: string | undefined, *   name: string, object: any, oldObject?: any, resourceVersion: string }} ChangeEvent
 */

class StoreError extends Error {
  /** @param {404 | 409} code @param {'NotFound' | 'AlreadyExists' | 'Conflict'} reason @param {string} message */
  constructor(code, reason, message) {
    super(message);
    this.code = code;
    this.reason = reason;
  }
}

const HISTORY = 5000;

/** @param {string | undefined} group */
function normGroup(group) {
  return !group || group === 'core' ? '' : group;
}

/** Deterministic JSON (sorted keys), for change detection. */
export function canonical(v) {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .filter((k) => v[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

const clone = (o) => (o === undefined ? undefined : structuredClone(o));

function specPart(obj) {
  const { metadata: _m, status: _s, ...rest } = obj;
  return canonical(rest);
}

export class Store extends EventEmitter {
  constructor() {
    super();
    /** @type {Map<string, Map<string, any>>} `${group}/${resource}` -> key -> object */
    this.tables = new Map();
    this.revision = 0;
    /** @type {ChangeEvent[]} */
    this.history = [];
  }

  get resourceVersion() {
    return String(this.revision);
  }

  /** @param {ObjectRef} ref */
  table(ref) {
    const id = `${normGroup(ref.group)}/${ref.resource}`;
    let t = this.tables.get(id);
    if (!t) this.tables.set(id, (t = new Map()));
    return t;
  }

  /** @param {ObjectRef} ref */
  get(ref) {
    return clone(this.table(ref).get(key(ref.namespace, ref.name)));
  }

  /**
   * @param {ObjectRef & { version?: string, labelSelector?: import('./selectors.mjs').LabelSelectorInput, *   fieldSelector?: string | ((obj: any) => boolean) }} q
   */
  list(q) {
    const labels = compileLabelSelector(q.labelSelector);
    const fieldFn =
      typeof q.fieldSelector === 'function'
        ? q.fieldSelector
        : ((reqs) => (o) => matchesFields(reqs, o))(parseFieldSelector(q.fieldSelector));
    const out = [];
    for (const obj of this.table(q).values()) {
      if (q.namespace && obj.metadata.namespace !== q.namespace) continue;
      if (!matchesLabels(labels, obj.metadata.labels)) continue;
      if (!fieldFn(obj)) continue;
      out.push(obj);
    }
    out.sort((a, b) => cmp(a.metadata.namespace ?? '', b.metadata.namespace ?? '') || cmp(a.metadata.name, b.metadata.name));
    return out.map(clone);
  }

  all() {
    const out = [];
    for (const [id, t] of this.tables) {
      const slash = id.indexOf('/');
      for (const object of t.values()) out.push({ group: id.slice(0, slash), resource: id.slice(slash + 1), object: clone(object) });
    }
    return out;
  }

  /** @param {ObjectRef} ref @param {any} obj */
  create(ref, obj) {
    const t = this.table(ref);
    const k = key(obj.metadata.namespace, obj.metadata.name);
    if (t.has(k)) throw new StoreError(409, 'AlreadyExists', `${ref.resource} "${obj.metadata.name}" already exists`);
    const o = clone(obj);
    o.metadata.uid ??= randomUUID();
    o.metadata.creationTimestamp ??= now();
    o.metadata.generation ??= 1;
    o.metadata.resourceVersion = String(++this.revision);
    t.set(k, o);
    this.emitChange('ADDED', ref, o);
    return clone(o);
  }

  /** @param {ObjectRef} ref @param {any} obj @param {{ resourceVersion?: string }} [opts] */
  update(ref, obj, opts = {}) {
    const t = this.table(ref);
    const k = key(obj.metadata.namespace, obj.metadata.name);
    const old = t.get(k);
    if (!old) throw new StoreError(404, 'NotFound', `${ref.resource} "${obj.metadata.name}" not found`);
    if (opts.resourceVersion !== undefined && opts.resourceVersion !== old.metadata.resourceVersion) {
      throw new StoreError(409, 'Conflict', `${ref.resource} "${obj.metadata.name}": the object has been modified`);
    }
    const o = clone(obj);
    o.metadata.uid = old.metadata.uid;
    o.metadata.creationTimestamp = old.metadata.creationTimestamp;
    o.metadata.generation = old.metadata.generation ?? 1;
    o.metadata.resourceVersion = old.metadata.resourceVersion;
    if (canonical(o) === canonical(old)) return clone(old);
    if (specPart(o) !== specPart(old)) o.metadata.generation = (old.metadata.generation ?? 1) + 1;
    o.metadata.resourceVersion = String(++this.revision);
    t.set(k, o);
    this.emitChange('MODIFIED', ref, o, old);
    return clone(o);
  }

  /** @param {ObjectRef} ref @param {(obj: any) => void | boolean} fn */
  mutate(ref, fn) {
    const cur = this.get(ref);
    if (!cur) return undefined;
    if (fn(cur) === false) return cur;
    return this.update(ref, cur);
  }

  /** @param {ObjectRef} ref */
  delete(ref) {
    const t = this.table(ref);
    const k = key(ref.namespace, ref.name);
    const old = t.get(k);
    if (!old) return undefined;
    t.delete(k);
    const o = clone(old);
    o.metadata.resourceVersion = String(++this.revision);
    this.emitChange('DELETED', ref, o, old);
    return clone(o);
  }

  /** @param {string} resourceVersion */
  eventsSince(resourceVersion) {
    const rv = Number(resourceVersion);
    if (!Number.isFinite(rv)) return undefined;
    if (rv >= this.revision) return [];
    const first = this.history[0];
    if (!first || Number(first.resourceVersion) > rv + 1) return undefined;
    return this.history.filter((e) => Number(e.resourceVersion) > rv);
  }

  /** @private */
  emitChange(type, ref, object, oldObject) {
    /** @type {ChangeEvent} */
    const ev = {
      type,
      group: normGroup(ref.group),
      resource: ref.resource,
      namespace: object.metadata.namespace,
      name: object.metadata.name,
      object: deepFreeze(clone(object)),
      oldObject: oldObject === undefined ? undefined : deepFreeze(clone(oldObject)),
      resourceVersion: object.metadata.resourceVersion,
    };
    this.history.push(ev);
    if (this.history.length > HISTORY) this.history.splice(0, this.history.length - HISTORY);
    for (const listener of this.listeners('change')) {
      try {
        listener.call(this, ev);
      } catch (err) {
        if (this.listenerCount('error') > 0) this.emit('error', err);
        else queueMicrotask(() => { throw err; });
      }
    }
  }
}

function deepFreeze(o) {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}

function key(namespace, name) {
  return `${namespace ?? ''}/${name}`;
}

function cmp(a, b) {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function now() {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}
