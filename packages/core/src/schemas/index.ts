import Ajv2020Module from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { ErrorObject, ValidateFunction } from 'ajv';

// ajv and ajv-formats are CommonJS with a default export; under NodeNext the default sits one level down.
type AjvClass = typeof Ajv2020Module.default;
const Ajv2020: AjvClass = (Ajv2020Module as unknown as { default: AjvClass }).default ?? (Ajv2020Module as unknown as AjvClass);
type AddFormats = typeof addFormatsModule.default;
const addFormats: AddFormats = (addFormatsModule as unknown as { default: AddFormats }).default ?? (addFormatsModule as unknown as AddFormats);

import { EMBEDDED_SCHEMAS } from './embedded.js';

/**
 * The JSON Schemas in schemas/ are the contracts of what we read and write. They are embedded at
 * build time (scripts/embed-schemas.mjs) so the bundled actions carry them.
 */
const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats(ajv);
const cache = new Map<string, ValidateFunction>();

/** A compiled validator for a schema by its path under schemas/, e.g. `smp-profile.schema.json`. */
export function validatorFor(name: string): ValidateFunction {
  let v = cache.get(name);
  if (v === undefined) {
    const schema = EMBEDDED_SCHEMAS[name];
    if (!schema) throw new Error(`no schema ${name} in schemas/ (known: ${Object.keys(EMBEDDED_SCHEMAS).join(', ')})`);
    const compiled = ajv.compile(schema);
    cache.set(name, compiled);
    return compiled;
  }
  return v;
}

/** Turns ajv's JSON-pointer instance paths into `$.a.b[0]` paths that users read more easily. */
function jsonPath(pointer: string): string {
  if (!pointer) return '$';
  return (
    '$' +
    pointer
      .split('/')
      .slice(1)
      .map((seg) => seg.replace(/~1/g, '/').replace(/~0/g, '~'))
      .map((seg) => (/^\d+$/.test(seg) ? `[${seg}]` : /^[A-Za-z_][\w-]*$/.test(seg) ? `.${seg}` : `[${JSON.stringify(seg)}]`))
      .join('')
  );
}

/** One readable message per ajv error. */
export function describeAjvError(e: ErrorObject): { path: string; message: string } {
  const path = jsonPath(e.instancePath);
  switch (e.keyword) {
    case 'additionalProperties':
      return { path: `${path === '$' ? '$' : path}.${(e.params as { additionalProperty: string }).additionalProperty}`, message: 'unknown field; check its spelling against the SMP profile format' };
    case 'required':
      return { path: `${path}.${(e.params as { missingProperty: string }).missingProperty}`, message: 'is required' };
    case 'type': {
      // Optional fields also allow null (meaning "not set"); name only the type a user should write.
      const types = String((e.params as { type: string | string[] }).type).split(',').filter((t) => t !== 'null');
      return { path, message: `must be ${types.join(' or ')}` };
    }
    case 'enum':
      return { path, message: `must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.filter((v) => v !== null).map((v) => JSON.stringify(v)).join(', ')}` };
    default:
      return { path, message: e.message ?? 'is invalid' };
  }
}
