// The REST semantics of the fake API server, independent of HTTP: create, get, list, update, patch, delete,
// with admission (defaults, validation, pruning), optimistic concurrency, status subresources and field ownership.
import yaml from 'js-yaml';
import { ApiError, errors, fieldErrors } from './errors.mjs';
import { admitBuiltin, validateMetadata } from './builtins.mjs';
import { admitCustomResource, defaultCrd, validateCrd } from './crds.mjs';
import { builtinListPolicy } from './resources.mjs';
import { mergePatch, jsonPatch, strategicMerge, PatchError } from './patch.mjs';
import { serverSideApply, trackUpdate } from './apply.mjs';
import { parseFieldSelector, SelectorError, compileLabelSelector } from './selectors.mjs';
import { now } from './store.mjs';
import { deleteForeground } from './gc.mjs';

const PROPAGATION = ['Foreground', 'Background', 'Orphan'];

/**
 * The propagation a DELETE gets: the request's, else its legacy orphanDependents, else the kind's default.
 * Jobs served as batch/v1 orphan their pods by default, for backward compatibility
 * (kubernetes/kubernetes pkg/registry/batch/job/strategy.go, DefaultGarbageCollectionPolicy: OrphanDependents
 * for batch/v1); every other kind here deletes dependents in the background.
 * @param {ResourceType} type @param {{ propagationPolicy?: string, orphanDependents?: boolean }} opts
 */
function propagation(type, opts) {
  if (opts.propagationPolicy) return opts.propagationPolicy;
  if (opts.orphanDependents !== undefined) return opts.orphanDependents ? 'Orphan' : 'Background';
  return type.group === 'batch' && type.resource === 'jobs' && type.version === 'v1' ? 'Orphan' : 'Background';
}

/** @typedef {import('./resources.mjs').ResourceType} ResourceType */

const META_KEYS = ['name', 'generateName', 'namespace', 'selfLink', 'uid', 'resourceVersion', 'generation', 'creationTimestamp',
  'deletionTimestamp', 'deletionGracePeriodSeconds', 'labels', 'annotations', 'ownerReferences', 'finalizers', 'managedFields'];

export const PATCH_TYPES = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
};

const FIELD_LABELS = {
  '/pods': ['spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName', 'spec.serviceAccountName', 'spec.hostNetwork', 'status.phase', 'status.podIP', 'status.nominatedNodeName'],
  '/events': ['involvedObject.kind', 'involvedObject.namespace', 'involvedObject.name', 'involvedObject.uid', 'involvedObject.apiVersion', 'involvedObject.resourceVersion', 'involvedObject.fieldPath', 'reason', 'reportingComponent', 'source', 'type'],
  '/namespaces': ['status.phase'],
  '/secrets': ['type'],
  '/nodes': ['spec.unschedulable'],
};

/**
 * @typedef {{ fieldManager?: string, userAgent?: string, dryRun?: boolean, fieldValidation?: string, subresource?: string, force?: boolean }} WriteOptions
 * @typedef {{ object: any, warnings: string[] }} WriteResult
 */

export class Rest {
  /**
   * @param {{ store: import('./store.mjs').Store, admitApiService: (obj: any) => void, kubernetesVersion?: string }} o
   */
  constructor({ store, admitApiService, kubernetesVersion = 'v1.30.0' }) {
    this.store = store;
    this.admitApiService = admitApiService;
    this.kubernetesVersion = kubernetesVersion;
  }

  /** @param {ResourceType} type */
  ref(type, namespace, name) {
    return { group: type.group, resource: type.resource, namespace: type.namespaced ? namespace : undefined, name };
  }

  /** The object as a client sees it, in the requested version. @param {ResourceType} type */
  present(type, obj) {
    const { apiVersion: _a, kind: _k, ...rest } = obj;
    return { apiVersion: gv(type), kind: type.kind, ...rest };
  }

  /** @param {ResourceType} type */
  get(type, namespace, name) {
    const obj = this.store.get(this.ref(type, namespace, name));
    if (!obj) throw errors.notFound(type, name);
    return this.present(type, obj);
  }

  /**
   * @param {ResourceType} type
   * @param {string | undefined} namespace
   * @param {URLSearchParams} query
   */
  list(type, namespace, query) {
    const { items, labelSelector } = this.select(type, namespace, query);
    const limit = Number(query.get('limit') ?? 0);
    let start = 0;
    const token = query.get('continue');
    if (token) {
      try {
        start = JSON.parse(Buffer.from(token, 'base64url').toString()).start;
      } catch {
        throw errors.badRequest(`invalid continue token`);
      }
    }
    const page = limit > 0 ? items.slice(start, start + limit) : items.slice(start);
    /** @type {Record<string, unknown>} */
    const metadata = { resourceVersion: this.store.resourceVersion };
    if (limit > 0 && start + limit < items.length) {
      metadata.continue = Buffer.from(JSON.stringify({ start: start + limit, labelSelector })).toString('base64url');
      metadata.remainingItemCount = items.length - start - limit;
    }
    return {
      kind: type.listKind,
      apiVersion: gv(type),
      metadata,
      items: page.map((o) => this.presentItem(type, o)),
    };
  }

  /** Items in typed lists of built-in kinds carry no apiVersion/kind, as kube-apiserver sends them. */
  presentItem(type, obj) {
    if (!type.builtin) return this.present(type, obj);
    const { apiVersion: _a, kind: _k, ...rest } = obj;
    return rest;
  }

  /** @param {ResourceType} type @param {URLSearchParams} query */
  select(type, namespace, query) {
    const labelSelector = query.get('labelSelector') ?? undefined;
    const fieldText = query.get('fieldSelector') ?? undefined;
    let fields;
    try {
      compileLabelSelector(labelSelector);
      fields = parseFieldSelector(fieldText);
    } catch (err) {
      if (err instanceof SelectorError) throw errors.badRequest(err.message);
      throw err;
    }
    const allowed = ['metadata.name', 'metadata.namespace', ...(FIELD_LABELS[`${type.group}/${type.resource}`] ?? [])];
    for (const f of fields) if (!allowed.includes(f.field)) throw errors.badRequest(`field label not supported: ${f.field}`);
    const items = this.store.list({ ...this.ref(type, namespace), labelSelector, fieldSelector: fieldText });
    return { items, labelSelector };
  }

  /**
   * @param {ResourceType} type
   * @param {string | undefined} namespace
   * @param {any} body
   * @param {WriteOptions & { managedFields?: any[] }} opts
   * @returns {WriteResult}
   */
  create(type, namespace, body, opts = {}) {
    const obj = this.normalize(type, namespace, body);
    const meta = obj.metadata;
    if (!meta.name && meta.generateName) meta.name = `${meta.generateName}${randomSuffix()}`;
    if (meta.resourceVersion) throw errors.badRequest('resourceVersion should not be set on objects to be created');
    for (const k of ['uid', 'creationTimestamp', 'generation', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'managedFields', 'selfLink']) delete meta[k];
    if (type.subresources.includes('status')) delete obj.status;
    if (type.namespaced) this.checkNamespace(namespace, type, meta.name);
    const { object, warnings } = this.admit(type, obj, undefined, opts);
    setManagedFields(object, opts.managedFields ?? trackUpdate({ old: undefined, next: object, manager: manager(opts), apiVersion: gv(type), listPolicy: listPolicy(type) }));
    if (opts.dryRun) return { object: this.present(type, { ...object, metadata: { ...object.metadata, uid: '', creationTimestamp: now() } }), warnings };
    try {
      return { object: this.present(type, this.store.create(type, object)), warnings };
    } catch (err) {
      if (/** @type {any} */ (err).reason === 'AlreadyExists') throw errors.alreadyExists(type, meta.name);
      throw err;
    }
  }

  /**
   * PUT, on the object or its status.
   * @param {ResourceType} type
   * @param {WriteOptions} opts
   * @returns {WriteResult}
   */
  update(type, namespace, name, body, opts = {}) {
    const old = this.store.get(this.ref(type, namespace, name));
    if (!old) throw errors.notFound(type, name);
    const obj = this.normalize(type, namespace, body);
    if (obj.metadata.name !== name) throw errors.badRequest(`the name of the object (${obj.metadata.name}) does not match the name on the URL (${name})`);
    const rv = obj.metadata.resourceVersion;
    if (!rv && !type.builtin) {
      throw errors.invalid(type, name, [fieldErrors.invalidRaw('metadata.resourceVersion', '0x0', 'must be specified for an update')]);
    }
    if (rv && rv !== old.metadata.resourceVersion) throw errors.conflict(type, name);
    if (obj.metadata.uid && obj.metadata.uid !== old.metadata.uid) {
      throw errors.conflict(type, name, `Precondition failed: UID in precondition: ${obj.metadata.uid}, UID in object meta: ${old.metadata.uid}`);
    }
    return this.write(type, old, obj, opts);
  }

  /**
   * PATCH, on the object or its status. Apply patches create the object when it does not exist.
   * @param {ResourceType} type
   * @param {string} contentType
   * @param {string} text the request body
   * @param {WriteOptions} opts
   * @returns {WriteResult & { created?: boolean }}
   */
  patch(type, namespace, name, contentType, text, opts = {}) {
    const accepted = type.builtin ? [PATCH_TYPES.json, PATCH_TYPES.merge, PATCH_TYPES.apply, PATCH_TYPES.strategic] : [PATCH_TYPES.json, PATCH_TYPES.merge, PATCH_TYPES.apply];
    if (!accepted.includes(contentType)) throw errors.unsupportedMediaType(accepted);
    if (opts.force !== undefined && contentType !== PATCH_TYPES.apply) {
      throw new ApiError(422, 'Invalid', 'force: Forbidden: may not be specified for non-apply patch', {});
    }
    const old = this.store.get(this.ref(type, namespace, name));
    let patch;
    try {
      patch = contentType === PATCH_TYPES.apply ? yaml.load(text) : JSON.parse(text);
    } catch (err) {
      throw errors.badRequest(`error decoding patch: ${/** @type {Error} */ (err).message}`);
    }

    if (contentType === PATCH_TYPES.apply) {
      if (!opts.fieldManager) {
        throw new ApiError(422, 'Invalid', 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch', { group: 'meta.k8s.io', kind: 'PatchOptions', causes: [{ reason: 'FieldValueRequired', message: 'Required value: is required for apply patch', field: 'fieldManager' }] });
      }
      if (!patch || typeof patch !== 'object' || Array.isArray(patch)) throw errors.badRequest('error decoding YAML: the applied configuration must be an object');
      if (!patch.kind) throw errors.badRequest(`Object 'Kind' is missing in '${JSON.stringify(patch)}'`);
      if (patch.apiVersion !== gv(type) || patch.kind !== type.kind) {
        throw errors.badRequest(`the API version in the data (${patch.apiVersion}) does not match the expected API version (${gv(type)})`);
      }
      const config = this.normalize(type, namespace, patch);
      if (config.metadata.name !== name) throw errors.badRequest(`the name of the object (${config.metadata.name}) does not match the name on the URL (${name})`);
      const applied = serverSideApply({ live: old, config, manager: opts.fieldManager, force: opts.force === true, apiVersion: gv(type), subresource: opts.subresource, listPolicy: listPolicy(type) });
      if ('conflicts' in applied) throw conflictError(type, name, applied.conflicts);
      if (!old) {
        if (opts.subresource) throw errors.notFound(type, name);
        return { ...this.create(type, namespace, applied.object, { ...opts, managedFields: applied.object.metadata.managedFields }), created: true };
      }
      return this.write(type, old, applied.object, { ...opts, managedFields: applied.object.metadata.managedFields });
    }

    if (!old) throw errors.notFound(type, name);
    let next;
    try {
      if (contentType === PATCH_TYPES.json) next = jsonPatch(old, patch);
      else if (contentType === PATCH_TYPES.merge) next = mergePatch(old, patch);
      else next = strategicMerge(old, patch, builtinListPolicy);
    } catch (err) {
      if (err instanceof PatchError) throw new ApiError(422, 'Invalid', err.message, {});
      throw err;
    }
    if (!next || typeof next !== 'object' || Array.isArray(next)) throw errors.badRequest('the patched object must be an object');
    next.metadata ??= {};
    if (next.metadata.name !== name) throw errors.badRequest(`the name of the object (${next.metadata.name}) does not match the name on the URL (${name})`);
    if (next.metadata.resourceVersion && next.metadata.resourceVersion !== old.metadata.resourceVersion) throw errors.conflict(type, name);
    const obj = this.normalize(type, namespace, { ...next, apiVersion: gv(type), kind: type.kind });
    return this.write(type, old, obj, opts);
  }

  /**
   * The common tail of update and patch.
   * @param {ResourceType} type @param {any} old @param {any} obj
   * @param {WriteOptions & { managedFields?: any[] }} opts
   * @returns {WriteResult}
   */
  write(type, old, obj, opts) {
    let next;
    if (opts.subresource === 'status') {
      next = { ...old, metadata: { ...old.metadata }, status: obj.status };
      if (obj.status === undefined) delete next.status;
    } else {
      next = { ...obj, metadata: { ...obj.metadata } };
      for (const k of ['uid', 'creationTimestamp', 'generation', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'managedFields']) {
        if (old.metadata[k] === undefined) delete next.metadata[k];
        else next.metadata[k] = old.metadata[k];
      }
      if (type.subresources.includes('status')) {
        if (old.status === undefined) delete next.status;
        else next.status = old.status;
      }
    }
    next.metadata.resourceVersion = old.metadata.resourceVersion;
    const { object, warnings } = this.admit(type, next, old, opts);
    setManagedFields(object, opts.managedFields ?? trackUpdate({ old, next: object, manager: manager(opts), apiVersion: gv(type), subresource: opts.subresource, listPolicy: listPolicy(type) }));
    if (opts.dryRun) return { object: this.present(type, object), warnings };
    return { object: this.present(type, this.store.update(type, object, { resourceVersion: old.metadata.resourceVersion })), warnings };
  }

  /**
   * @param {ResourceType} type
   * @param {{ propagationPolicy?: string, orphanDependents?: boolean, preconditions?: { uid?: string, resourceVersion?: string }, dryRun?: boolean }} opts
   * @returns {{ object: any, code: number }}
   */
  delete(type, namespace, name, opts = {}) {
    const ref = this.ref(type, namespace, name);
    const old = this.store.get(ref);
    if (!old) throw errors.notFound(type, name);
    const pre = opts.preconditions ?? {};
    if (opts.propagationPolicy !== undefined && !PROPAGATION.includes(opts.propagationPolicy)) {
      throw new ApiError(422, 'Invalid', `DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: ${JSON.stringify(opts.propagationPolicy)}: supported values: "Foreground", "Background", "Orphan", "nil"`, {});
    }
    if (opts.propagationPolicy !== undefined && opts.orphanDependents !== undefined) {
      throw new ApiError(422, 'Invalid', 'DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Invalid value: "": orphanDependents and deletionPropagation cannot be both set', {});
    }
    if (pre.uid && pre.uid !== old.metadata.uid) {
      throw errors.conflict(type, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${old.metadata.uid}`);
    }
    if (pre.resourceVersion && pre.resourceVersion !== old.metadata.resourceVersion) {
      throw errors.conflict(type, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${old.metadata.resourceVersion}`);
    }
    if (type.group === '' && type.resource === 'namespaces') {
      if (['default', 'kube-system', 'kube-public'].includes(name)) throw errors.forbidden(type, name, 'this namespace may not be deleted');
      if (opts.dryRun) return { object: this.present(type, old), code: 200 };
      if (old.metadata.deletionTimestamp) return { object: this.present(type, old), code: 200 };
      const marked = this.store.update(type, { ...old, metadata: { ...old.metadata, deletionTimestamp: now() }, status: { ...old.status, phase: 'Terminating' } });
      return { object: this.present(type, marked), code: 200 };
    }
    if (opts.dryRun) return { object: this.present(type, old), code: 200 };
    const policy = propagation(type, opts);
    if (policy === 'Orphan') this.orphanDependents(old.metadata.uid);
    // Foreground: dependents first, then the owner (no graceful deletion here, so the owner goes at once after them).
    // Background: the owner now; the garbage collector (controllers.mjs) deletes the dependents.
    const deleted = policy === 'Foreground' ? deleteForeground(this.store, ref) : this.store.delete(ref);
    if (type.returnDeletedObject) return { object: this.present(type, deleted), code: 200 };
    /** @type {Record<string, unknown>} */
    const details = { name };
    if (type.group) details.group = type.group;
    details.kind = type.resource;
    details.uid = deleted.metadata.uid;
    return { object: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details }, code: 200 };
  }

  /** @param {ResourceType} type @param {URLSearchParams} query */
  deleteCollection(type, namespace, query, opts = {}) {
    const { items } = this.select(type, namespace, query);
    for (const o of items) this.delete(type, o.metadata.namespace, o.metadata.name, opts);
    return { kind: type.listKind, apiVersion: gv(type), metadata: { resourceVersion: this.store.resourceVersion }, items: items.map((o) => this.presentItem(type, o)) };
  }

  /** @private */
  orphanDependents(uid) {
    for (const { group, resource, object } of this.store.all()) {
      if (!(object.metadata.ownerReferences ?? []).some((o) => o.uid === uid)) continue;
      this.store.mutate({ group, resource, namespace: object.metadata.namespace, name: object.metadata.name }, (o) => {
        o.metadata.ownerReferences = o.metadata.ownerReferences.filter((r) => r.uid !== uid);
        if (o.metadata.ownerReferences.length === 0) delete o.metadata.ownerReferences;
      });
    }
  }

  /**
   * Checks apiVersion/kind, keeps only ObjectMeta fields, and fixes the namespace.
   * @private @param {ResourceType} type
   */
  normalize(type, namespace, body) {
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw errors.badRequest('the request body must be a JSON object');
    const want = gv(type);
    if (body.apiVersion === undefined && !type.builtin) throw errors.badRequest(`Object 'apiVersion' is missing in '${JSON.stringify(body)}'`);
    if (body.kind === undefined && !type.builtin) throw errors.badRequest(`Object 'Kind' is missing in '${JSON.stringify(body)}'`);
    if (body.apiVersion !== undefined && body.apiVersion !== want) {
      throw errors.badRequest(`the API version in the data (${body.apiVersion}) does not match the expected API version (${want})`);
    }
    if (body.kind !== undefined && body.kind !== type.kind) throw errors.badRequest(`the kind in the data (${body.kind}) does not match the expected kind (${type.kind})`);
    const metaIn = body.metadata && typeof body.metadata === 'object' ? body.metadata : {};
    const metadata = Object.fromEntries(META_KEYS.filter((k) => metaIn[k] !== undefined && metaIn[k] !== null).map((k) => [k, structuredClone(metaIn[k])]));
    if (type.namespaced) {
      if (metadata.namespace && namespace && metadata.namespace !== namespace) {
        throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      if (!namespace) throw errors.notFoundPath();
      metadata.namespace = namespace;
    } else delete metadata.namespace;
    const { apiVersion: _a, kind: _k, metadata: _m, ...rest } = structuredClone(body);
    return { apiVersion: want, kind: type.kind, metadata, ...rest };
  }

  /** @private */
  checkNamespace(namespace, type, name) {
    const ns = this.store.get({ group: '', resource: 'namespaces', name: namespace });
    if (!ns) throw errors.notFound({ group: '', resource: 'namespaces' }, namespace);
    if (ns.metadata.deletionTimestamp) {
      throw errors.forbidden(type, name, `unable to create new content in namespace ${namespace} because it is being terminated`);
    }
  }

  /**
   * Defaults, pruning and validation.
   * @private @param {ResourceType} type @param {WriteOptions} opts
   * @returns {WriteResult}
   */
  admit(type, obj, old, opts) {
    const name = obj.metadata.name ?? '';
    const causes = validateMetadata(type, obj.metadata);
    const warnings = [];
    let object = obj;
    if (!type.builtin) {
      const r = admitCustomResource(obj, type.schema);
      object = r.object;
      causes.push(...r.causes);
      const validation = opts.fieldValidation ?? 'Warn';
      if (r.unknownFields.length && validation === 'Strict') {
        throw errors.badRequest(`strict decoding error: ${r.unknownFields.map((f) => `unknown field "${f}"`).join(', ')}`);
      }
      if (validation !== 'Ignore') warnings.push(...r.unknownFields.map((f) => `unknown field "${f}"`));
    } else if (type.group === 'apiextensions.k8s.io') {
      defaultCrd(object);
      causes.push(...validateCrd(object, old));
      if (old?.status) object.status = old.status;
    } else if (type.group === 'apiregistration.k8s.io') {
      this.admitApiService(object);
    } else {
      causes.push(...admitBuiltin(type, object, old, { store: this.store, kubernetesVersion: this.kubernetesVersion }));
    }
    if (causes.length) throw errors.invalid(type, name, causes);
    return { object, warnings };
  }
}

/** @param {ResourceType} type */
export function gv(type) {
  return type.group ? `${type.group}/${type.version}` : type.version;
}

function setManagedFields(object, entries) {
  if (entries && entries.length) object.metadata.managedFields = entries;
  else delete object.metadata.managedFields;
}

/** @param {ResourceType} type */
function listPolicy(type) {
  return type.builtin ? builtinListPolicy : type.listKeys ?? (() => ({ type: 'atomic' }));
}

/** As kube-apiserver names an Update manager when the client gives no fieldManager: the user agent's first word. */
function manager(opts) {
  if (opts.fieldManager) return opts.fieldManager;
  const ua = (opts.userAgent ?? '').split('/')[0].trim();
  return ua || 'unknown';
}

function conflictError(type, name, conflicts) {
  const byManager = new Map();
  for (const c of conflicts) {
    const key = `conflict with "${c.manager}"${c.apiVersion ? ` using ${c.apiVersion}` : ''}`;
    byManager.set(key, [...(byManager.get(key) ?? []), c.field]);
  }
  const n = conflicts.length;
  const text =
    n === 1
      ? `Apply failed with 1 conflict: ${[...byManager.keys()][0]}: ${conflicts[0].field}`
      : `Apply failed with ${n} conflicts: ${[...byManager.entries()].map(([k, fields]) => `${k.replace('conflict with', 'conflicts with')}:\n${fields.map((f) => `- ${f}`).join('\n')}`).join('\n')}`;
  /** @type {Record<string, unknown>} */
  const details = { name };
  if (type.group) details.group = type.group;
  details.kind = type.resource;
  details.causes = conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with "${c.manager}"${c.apiVersion ? ` using ${c.apiVersion}` : ''}`, field: c.field }));
  return new ApiError(409, 'Conflict', text, details);
}

const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';
function randomSuffix() {
  let s = '';
  for (let i = 0; i < 5; i++) s += ALPHANUMS[Math.floor(Math.random() * ALPHANUMS.length)];
  return s;
}
