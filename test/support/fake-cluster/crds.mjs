// CustomResourceDefinitions (apiextensions.k8s.io/v1): defaulting and validation of the CRD itself, its status
// (acceptedNames, NamesAccepted, Established), the resource types it adds, and structural pruning, defaulting and
// validation of custom resources against the version's openAPIV3Schema, as kube-apiserver does.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { fieldErrors } from './errors.mjs';
import { now } from './store.mjs';
import { fixturePath } from '../fixtures.mjs';

/** The SMI CRDs from upstream (smi-sdk-go `crds/`), kept in test/fixtures/smi-crds/ (provenance in its README). */
const SMI_CRDS_DIR = fixturePath('smi-crds');

/**
 * Reads CRD manifests (every `*.yaml`, multi-document) from a folder.
 * @param {string} [dir] defaults to SMI_CRDS_DIR
 * @returns {any[]} CustomResourceDefinition objects, fresh copies on every call
 */
export function loadSmiCrds(dir = SMI_CRDS_DIR) {
  let files;
  try {
    files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort();
  } catch (err) {
    throw new Error(`cannot read the SMI CRDs from ${dir} : ${/** @type {Error} */ (err).message}`);
  }
  return files.flatMap((f) =>
    yaml.loadAll(readFileSync(join(dir, f), 'utf8')).filter((d) => d && d.kind === 'CustomResourceDefinition'),
  );
}

/** Fills in what kube-apiserver defaults on a v1 CRD. Mutates and returns `crd`. */
export function defaultCrd(crd) {
  const spec = (crd.spec ??= {});
  const names = (spec.names ??= {});
  if (names.kind && !names.singular) names.singular = names.kind.toLowerCase();
  if (names.kind && !names.listKind) names.listKind = `${names.kind}List`;
  spec.conversion ??= { strategy: 'None' };
  for (const v of spec.versions ?? []) v.served ??= false;
  return crd;
}

/**
 * Validation of a CRD on create and update.
 * @returns {Array<{ type: string, field: string, detail: string }>} causes (empty when valid)
 */
export function validateCrd(crd, old) {
  const causes = [];
  const spec = crd.spec ?? {};
  const names = spec.names ?? {};
  if (!spec.group) causes.push(fieldErrors.required('spec.group'));
  else if (!spec.group.includes('.')) causes.push(fieldErrors.invalid('spec.group', spec.group, 'should be a domain with at least one dot'));
  if (!names.plural) causes.push(fieldErrors.required('spec.names.plural'));
  if (!names.kind) causes.push(fieldErrors.required('spec.names.kind'));
  if (names.plural && spec.group && crd.metadata?.name !== `${names.plural}.${spec.group}`) {
    causes.push(fieldErrors.invalid('metadata.name', crd.metadata?.name, 'must be spec.names.plural+"."+spec.group'));
  }
  if (!['Namespaced', 'Cluster'].includes(spec.scope)) causes.push(fieldErrors.notSupported('spec.scope', spec.scope ?? '', ['Cluster', 'Namespaced']));
  const versions = spec.versions ?? [];
  if (versions.filter((v) => v.storage).length !== 1) {
    causes.push(fieldErrors.invalid('spec.versions', versions.map((v) => v.name), 'must have exactly one version marked as storage version'));
  }
  versions.forEach((v, i) => {
    const schema = v.schema?.openAPIV3Schema;
    const at = `spec.versions[${i}].schema.openAPIV3Schema`;
    if (!schema) causes.push(fieldErrors.required(at, 'schemas are required'));
    else {
      if (schema.type !== 'object') causes.push(fieldErrors.required(`${at}.type`, 'must not be empty at the root'));
      structuralErrors(schema, at, causes);
    }
  });
  if (old) {
    if (old.spec?.group !== spec.group) causes.push(fieldErrors.invalid('spec.group', spec.group, 'field is immutable'));
    if (old.spec?.scope !== spec.scope) causes.push(fieldErrors.invalid('spec.scope', spec.scope, 'field is immutable'));
  }
  return causes;
}

function structuralErrors(schema, at, causes) {
  for (const [k, s] of Object.entries(schema.properties ?? {})) {
    const p = `${at}.properties[${k}]`;
    if (!s.type && !s['x-kubernetes-preserve-unknown-fields'] && !s['x-kubernetes-int-or-string']) {
      causes.push(fieldErrors.required(`${p}.type`, 'must not be empty for specified object fields'));
    }
    structuralErrors(s, p, causes);
  }
  if (schema.items && typeof schema.items === 'object') {
    if (!schema.items.type && !schema.items['x-kubernetes-preserve-unknown-fields'] && !schema.items['x-kubernetes-int-or-string']) {
      causes.push(fieldErrors.required(`${at}.items.type`, 'must not be empty for specified array items'));
    }
    structuralErrors(schema.items, `${at}.items`, causes);
  }
  if (schema.additionalProperties && typeof schema.additionalProperties === 'object') {
    structuralErrors(schema.additionalProperties, `${at}.additionalProperties`, causes);
  }
}

/** The status the CRD controllers would write: names accepted, established, stored versions. */
export function establishedStatus(crd) {
  const names = crd.spec.names;
  const old = crd.status ?? {};
  const at = now();
  const cond = (type, reason, message) => {
    const prev = (old.conditions ?? []).find((c) => c.type === type);
    return { type, status: 'True', lastTransitionTime: prev?.status === 'True' ? prev.lastTransitionTime : at, reason, message };
  };
  const storage = crd.spec.versions.find((v) => v.storage)?.name;
  return {
    conditions: [
      cond('NamesAccepted', 'NoConflicts', 'no conflicts found'),
      cond('Established', 'InitialNamesAccepted', 'the initial names have been accepted'),
    ],
    acceptedNames: {
      plural: names.plural,
      singular: names.singular,
      ...(names.shortNames ? { shortNames: names.shortNames } : {}),
      kind: names.kind,
      listKind: names.listKind,
      ...(names.categories ? { categories: names.categories } : {}),
    },
    storedVersions: [...new Set([...(old.storedVersions ?? []), storage].filter(Boolean))],
  };
}

export function isEstablished(crd) {
  return (crd.status?.conditions ?? []).some((c) => c.type === 'Established' && c.status === 'True');
}

/**
 * The resource types an established CRD serves: one per `served: true` version.
 * @returns {import('./resources.mjs').ResourceType[]}
 */
export function crdResourceTypes(crd) {
  if (!isEstablished(crd)) return [];
  const names = crd.status.acceptedNames;
  return crd.spec.versions
    .filter((v) => v.served)
    .map((v) => {
      const schema = v.schema?.openAPIV3Schema;
      return {
        group: crd.spec.group,
        version: v.name,
        resource: names.plural,
        kind: names.kind,
        listKind: names.listKind,
        singularName: names.singular,
        namespaced: crd.spec.scope === 'Namespaced',
        shortNames: names.shortNames,
        categories: names.categories,
        verbs: ['delete', 'deletecollection', 'get', 'list', 'patch', 'create', 'update', 'watch'],
        subresources: v.subresources?.status ? ['status'] : [],
        builtin: false,
        schema,
        returnDeletedObject: true,
        listKeys: crListPolicy(schema),
      };
    });
}

/**
 * List semantics of a custom resource's lists for server-side apply: atomic unless the schema says
 * `x-kubernetes-list-type: map | set`.
 */
function crListPolicy(schema) {
  return (path) => {
    let s = schema;
    for (const p of path) {
      if (!s) break;
      if (s.type === 'array') s = s.items;
      s = s?.properties?.[p] ?? (typeof s?.additionalProperties === 'object' ? s.additionalProperties : undefined);
    }
    const t = s?.['x-kubernetes-list-type'];
    if (t === 'map') return { type: 'map', keys: s['x-kubernetes-list-map-keys'] ?? [] };
    if (t === 'set') return { type: 'set' };
    return { type: 'atomic' };
  };
}

/**
 * Structural pruning, defaulting and validation of a custom resource (the part below apiVersion/kind/metadata).
 * @param {any} obj the object as the client sent it
 * @param {any} schema the version's openAPIV3Schema
 * @returns {{ object: any, causes: Array<{ type: string, field: string, detail: string }>, unknownFields: string[] }}
 *   unknownFields: the paths that were pruned (kube-apiserver warns about them, or rejects them with fieldValidation=Strict)
 */
export function admitCustomResource(obj, schema) {
  const causes = [];
  const unknownFields = [];
  const { apiVersion, kind, metadata, ...rest } = obj;
  const body = schema ? walk(rest, schema, '', causes, unknownFields) : rest;
  return { object: { apiVersion, kind, metadata, ...body }, causes, unknownFields };
}

function typeOf(v) {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function walk(value, schema, path, causes, unknown) {
  if (!schema) return value;
  const t = typeOf(value);
  if (schema['x-kubernetes-int-or-string']) {
    if (t !== 'integer' && t !== 'string') causes.push(fieldErrors.typeInvalid(path, t, `${path} in body must be of type integer-or-string: ${JSON.stringify(t)}`));
    return value;
  }
  if (schema.type && !(schema.type === t || (schema.type === 'number' && t === 'integer') || (t === 'null' && schema.nullable))) {
    causes.push(fieldErrors.typeInvalid(path, t, `${path} in body must be of type ${schema.type}: ${JSON.stringify(t)}`));
    return value;
  }
  if (Array.isArray(schema.enum) && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) {
    causes.push(fieldErrors.notSupported(path, value, schema.enum));
  }
  if (t === 'string') {
    if (schema.maxLength !== undefined && value.length > schema.maxLength) causes.push(fieldErrors.invalid(path, value, `${path} in body should be at most ${schema.maxLength} chars long`));
    if (schema.minLength !== undefined && value.length < schema.minLength) causes.push(fieldErrors.invalid(path, value, `${path} in body should be at least ${schema.minLength} chars long`));
    if (schema.pattern && !new RegExp(schema.pattern, 'u').test(value)) causes.push(fieldErrors.invalid(path, value, `${path} in body should match '${schema.pattern}'`));
  }
  if (t === 'integer' || t === 'number') {
    if (schema.minimum !== undefined && (value < schema.minimum || (schema.exclusiveMinimum && value === schema.minimum))) {
      causes.push(fieldErrors.invalid(path, value, `${path} in body should be greater than ${schema.exclusiveMinimum ? '' : 'or equal to '}${schema.minimum}`));
    }
    if (schema.maximum !== undefined && (value > schema.maximum || (schema.exclusiveMaximum && value === schema.maximum))) {
      causes.push(fieldErrors.invalid(path, value, `${path} in body should be less than ${schema.exclusiveMaximum ? '' : 'or equal to '}${schema.maximum}`));
    }
  }
  if (t === 'array') {
    if (schema.minItems !== undefined && value.length < schema.minItems) causes.push(fieldErrors.invalid(path, value.length, `${path} in body should have at least ${schema.minItems} items`));
    if (schema.maxItems !== undefined && value.length > schema.maxItems) causes.push(fieldErrors.invalid(path, value.length, `${path} in body should have at most ${schema.maxItems} items`));
    return value.map((item, i) => walk(item, schema.items, `${path}[${i}]`, causes, unknown));
  }
  if (t !== 'object') return value;

  const props = schema.properties ?? {};
  const extra = schema.additionalProperties;
  const preserve = schema['x-kubernetes-preserve-unknown-fields'] === true;
  /** @type {Record<string, unknown>} */
  const out = {};
  for (const [k, v] of Object.entries(value)) {
    const child = path ? `${path}.${k}` : k;
    const s = Object.prototype.hasOwnProperty.call(props, k) ? props[k] : extra && typeof extra === 'object' ? extra : undefined;
    if (s) {
      if (v === null && !s.nullable) continue; // nulls in non-nullable fields are pruned
      out[k] = walk(v, s, child, causes, unknown);
    } else if (preserve || extra === true) {
      out[k] = v;
    } else unknown.push(child); // an unknown field: pruned
  }
  for (const [k, s] of Object.entries(props)) {
    if (!(k in out) && s && s.default !== undefined) out[k] = structuredClone(s.default);
  }
  for (const r of schema.required ?? []) {
    if (!(r in out)) causes.push(fieldErrors.required(path ? `${path}.${r}` : r));
  }
  return out;
}
