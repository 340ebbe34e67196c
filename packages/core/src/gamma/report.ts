import { readFile } from 'node:fs/promises';
import yaml from 'js-yaml';
import { inputError } from '../errors.js';
import { describeAjvError, validatorFor } from '../schemas/index.js';

/**
 * The Gateway API ConformanceReport, as the official suite writes it with --report-output
 * (kubernetes-sigs/gateway-api conformance/apis/v1/*.go at v1.6.1; conformance/apis/v1alpha1/ at
 * v1.0.0, whose statuses also carried a `summary` and which had no mode or channel). The contract
 * is schemas/conformance-report.schema.json.
 */
export type ConformanceResult = 'success' | 'partial' | 'failure';

interface Statistics {
  Passed: number;
  Failed: number;
  Skipped: number;
}

export interface ConformanceStatus {
  result: ConformanceResult;
  statistics: Statistics;
  skippedTests?: string[];
  failedTests?: string[];
  /** v1alpha1 only. */
  summary?: string;
}

export interface ExtendedStatus extends ConformanceStatus {
  supportedFeatures?: string[];
  unsupportedFeatures?: string[];
}

export interface ProfileReport {
  name: string;
  summary?: string;
  core: ConformanceStatus;
  extended?: ExtendedStatus;
}

interface Implementation {
  organization: string;
  project: string;
  url: string;
  version: string;
  contact: string[] | null;
}

export interface ConformanceReport {
  apiVersion: string;
  kind: 'ConformanceReport';
  date: string;
  gatewayAPIVersion: string;
  /** Absent before Gateway API v1.1. */
  gatewayAPIChannel?: 'standard' | 'experimental' | 'UNDEFINED';
  /** Absent before Gateway API v1.1. */
  mode?: string;
  implementation: Implementation;
  profiles: ProfileReport[] | null;
  succeededProvisionalTests?: string[];
}

/**
 * The suite reads and writes reports with sigs.k8s.io/yaml into typed Go fields, so a plain
 * `version: 1.20` is the string "1.20" (Istio's v1.0.0 report has exactly that), never the number
 * 1.2. Every scalar is therefore read as text (YAML's failsafe schema, plus null), and only the
 * fields the Go types declare as integers (Statistics, uint32) are turned into numbers.
 */
// js-yaml 4 exports its built-in types as `types`; @types/js-yaml does not declare it.
const NULL_TYPE = (yaml as unknown as { types: { null: yaml.Type } }).types.null;
const TEXT_SCHEMA = yaml.FAILSAFE_SCHEMA.extend({ implicit: [NULL_TYPE] });
const UINT = /^(0|[1-9][0-9]*)$/;

function typeStatistics(doc: unknown): void {
  const profiles = (doc as { profiles?: unknown })?.profiles;
  if (!Array.isArray(profiles)) return;
  for (const profile of profiles) {
    for (const level of ['core', 'extended']) {
      const stats = (profile as Record<string, { statistics?: Record<string, unknown> } | undefined>)?.[level]?.statistics;
      if (!stats || typeof stats !== 'object') continue;
      for (const [key, value] of Object.entries(stats)) if (typeof value === 'string' && UINT.test(value)) stats[key] = Number(value);
    }
  }
}

/** Parses and validates a report's text; `source` names the file in every error (exit 2). */
export function parseConformanceReport(text: string, source: string): ConformanceReport {
  let doc: unknown;
  try {
    doc = yaml.load(text, { filename: source, schema: TEXT_SCHEMA });
  } catch (error) {
    throw inputError(`${source}: is not YAML: ${(error as Error).message.split('\n')[0]}; give the file the suite wrote with --report-output`, { file: source });
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) {
    throw inputError(`${source}: is not a ConformanceReport: expected a YAML mapping with kind: ConformanceReport`, { file: source });
  }
  const kind = (doc as { kind?: unknown }).kind;
  if (kind !== 'ConformanceReport') {
    throw inputError(
      `${source}: is not a ConformanceReport: $.kind is ${kind === undefined ? 'missing' : JSON.stringify(kind)}; give the file the Gateway API conformance suite wrote with --report-output`,
      { file: source },
    );
  }
  typeStatistics(doc);
  const validate = validatorFor('conformance-report.schema.json');
  if (!validate(doc)) {
    const details = (validate.errors ?? []).map((e) => {
      const d = describeAjvError(e, 'the ConformanceReport format (conformance/apis/v1)');
      return `${source}: ${d.path}: ${d.message}`;
    });
    throw inputError(`${source}: is not a valid ConformanceReport (${details.length} problem${details.length === 1 ? '' : 's'}, listed above)`, { details, file: source });
  }
  return doc as ConformanceReport;
}

/** Reads a report file; a missing or unreadable file is an input error naming it. */
export async function readConformanceReport(file: string): Promise<{ report: ConformanceReport; text: string }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw inputError(`${file}: cannot read the report: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}; check the path`, { file });
  }
  return { report: parseConformanceReport(text, file), text };
}
