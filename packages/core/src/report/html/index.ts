import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { inputError } from '../../errors.js';
import type { Logger } from '../../log.js';
import { writeResultFiles, type Scrub } from '../files.js';
import { describeAjvError, validatorFor } from '../../schemas/index.js';
import { renderDocument, type ReportPart } from './layout.js';
import { renderSmiPart, type SmiResultFile } from './smi-page.js';
import { renderSmpPart, type SmpPageOptions, type SmpResultFile } from './smp-page.js';

/**
 * report.html: one page for every result file in an output directory. Each result kind has one
 * entry here (its file, its schema, its renderer) and the layout is shared, so a new kind (GAMMA)
 * is one renderer module and one line in RESULT_KINDS.
 */

export const REPORT_FILE = 'report.html';

/** Options a run knows that its result file does not hold (thresholds, a baseline comparison). */
interface ReportOptions {
  smp?: SmpPageOptions;
}

interface ResultKind {
  file: string;
  schema: string;
  render(json: unknown, options: ReportOptions): ReportPart;
}

const RESULT_KINDS: ResultKind[] = [
  { file: 'smp-result.json', schema: 'smp-result.schema.json', render: (json, o) => renderSmpPart(json as SmpResultFile, o.smp) },
  { file: 'smi-result.json', schema: 'smi-result.schema.json', render: (json) => renderSmiPart(json as SmiResultFile) },
];

/** The result file names a report is made from, in page order. */
export const REPORT_SOURCES: readonly string[] = RESULT_KINDS.map((k) => k.file);

/** A result file's content, by its file name (`smp-result.json`). */
type ResultFiles = Partial<Record<string, unknown>>;

function checked(kind: ResultKind, json: unknown, where: string): unknown {
  const validate = validatorFor(kind.schema);
  if (!validate(json)) {
    const details = (validate.errors ?? []).slice(0, 10).map((e) => {
      const d = describeAjvError(e);
      return `${where}: ${d.path}: ${d.message}`;
    });
    throw inputError(`${where} is not a valid ${kind.file} (schemas/${kind.schema}); the page cannot be made from it`, { details, file: where });
  }
  return json;
}

/** Renders the page from result files already in memory. Throws when none is given. */
export function renderReport(results: ResultFiles, meta: { version: string; generatedAt?: Date }, options: ReportOptions = {}, where: (file: string) => string = (f) => f): string {
  const parts = RESULT_KINDS.filter((k) => results[k.file] !== undefined).map((k) => k.render(checked(k, results[k.file], where(k.file)), options));
  if (parts.length === 0) throw new Error(`a report needs at least one of ${REPORT_SOURCES.join(', ')}`);
  return renderDocument(parts, { version: meta.version, generatedAt: meta.generatedAt ?? new Date() });
}

/**
 * Reads every result file in `dir` and renders the page. An input error names the directory and
 * the files looked for when there is none, and the file and JSON path when one is unreadable.
 */
export async function renderReportFromDir(dir: string, meta: { version: string; generatedAt?: Date }, options: ReportOptions = {}): Promise<{ html: string; sources: string[] }> {
  const results: ResultFiles = {};
  const sources: string[] = [];
  for (const kind of RESULT_KINDS) {
    const file = path.join(dir, kind.file);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw inputError(`${file}: cannot read it (${(e as Error).message})`, { file });
    }
    try {
      results[kind.file] = JSON.parse(text);
    } catch (e) {
      throw inputError(`${file}: not JSON (${(e as Error).message}); was the file cut short?`, { file });
    }
    sources.push(file);
  }
  if (sources.length === 0) {
    throw inputError(`${path.resolve(dir)} holds no result file to make a report from: looked for ${REPORT_SOURCES.join(', ')}. Give the output directory of a meshspec run (--out) or an unzipped results artifact.`);
  }
  return { html: renderReport(results, meta, options, (f) => path.join(dir, f)), sources };
}

/**
 * Writes report.html beside result files that are already on disk. The page is a view of them:
 * when it cannot be made, the run warns and goes on (its result is safe), and says how to retry.
 */
export async function writeReportPage(
  outDir: string,
  results: ResultFiles,
  options: ReportOptions & { version: string; logger: Logger; scrub?: Scrub },
): Promise<string | undefined> {
  try {
    const page = renderReport(results, { version: options.version }, options);
    const written = await writeResultFiles(outDir, { [REPORT_FILE]: page }, { scrub: options.scrub });
    return written[REPORT_FILE];
  } catch (error) {
    options.logger.warn(`${REPORT_FILE} was not written: ${(error as Error).message}. The result files are; \`meshspec report ${outDir}\` makes the page from them.`);
    return undefined;
  }
}
