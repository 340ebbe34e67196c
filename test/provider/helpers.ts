import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020Module from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { ProviderOptions } from '../../packages/core/src/provider/index.js';
import { startFakeProvider } from '../support/fake-provider.mjs';

// ajv and ajv-formats are CommonJS: under NodeNext their default export sits one level down.
type AjvClass = typeof Ajv2020Module.default;
const Ajv2020: AjvClass = (Ajv2020Module as unknown as { default: AjvClass }).default ?? (Ajv2020Module as unknown as AjvClass);
type AddFormats = typeof addFormatsModule.default;
const addFormats: AddFormats = (addFormatsModule as unknown as { default: AddFormats }).default ?? (addFormatsModule as unknown as AddFormats);

const SCHEMA_DIR = new URL('../../schemas/provider/', import.meta.url);
const ajv = new Ajv2020({ allErrors: true, strict: true });
addFormats(ajv);
for (const file of readdirSync(SCHEMA_DIR)) {
  if (file.endsWith('.schema.json')) ajv.addSchema(JSON.parse(readFileSync(join(SCHEMA_DIR.pathname, file), 'utf8')), file);
}

export type BodySchema = 'smi-result' | 'performance-profile' | 'meshery-result';

/** The schema errors of a request body ([] when it is valid). */
export function schemaErrors(schema: BodySchema, casing: 'camel' | 'snake', body: unknown): string[] {
  const validate = ajv.getSchema(`${schema}.${casing}.schema.json`);
  if (!validate) throw new Error(`no schema ${schema}.${casing}`);
  return validate(body) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '$'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}

export type FakeProvider = Awaited<ReturnType<typeof startFakeProvider>>;

/** Fast retries and short bounds so that fault tests finish quickly; each test may override. */
export function optionsFor(provider: FakeProvider, token: string, extra: Partial<ProviderOptions> = {}): ProviderOptions {
  return {
    baseUrl: provider.url,
    token,
    timeoutMs: 3000,
    deadlineMs: 15_000,
    retry: { baseDelayMs: 20, maxDelayMs: 200 },
    ...extra,
  };
}

/** Requests other than the capabilities call. */
export function apiRequests(provider: FakeProvider) {
  return provider.requests.filter((r) => !r.path.endsWith('/capabilities'));
}
