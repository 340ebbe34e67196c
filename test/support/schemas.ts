import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { ValidateFunction } from 'ajv';

// ajv-formats is CommonJS with a default export; depending on the loader the function is the module or its .default.
type AddFormats = typeof addFormatsModule.default;
const addFormats: AddFormats = (addFormatsModule as unknown as { default?: AddFormats }).default ?? (addFormatsModule as unknown as AddFormats);

/**
 * Compiles a schema straight from schemas/ (not the embedded copy), in ajv's strict mode, so a
 * test sees the file as committed and a typo in a schema keyword fails loudly.
 */
export function compileSchemaFile(name: string): ValidateFunction {
  const file = fileURLToPath(new URL(`../../schemas/${name}`, import.meta.url));
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  addFormats(ajv);
  return ajv.compile(JSON.parse(readFileSync(file, 'utf8')));
}

/** ajv's errors as `path keyword: message` lines, for readable assertion failures. */
export function errorsOf(validate: ValidateFunction): string[] {
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.keyword}: ${e.message}`);
}
