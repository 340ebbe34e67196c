import path from 'node:path';
import type { Logger } from '../log.js';
import { writeResultFiles, type WriteOptions } from '../report/files.js';
import { writeReportPage } from '../report/html/index.js';
import type { ProfileSelection } from '../gamma/profiles.js';
import type { ConformanceReport } from '../gamma/report.js';
import { gammaTotals, judgeGamma, toGammaResult, type GammaResult, type GammaTotals, type GammaVerdict } from '../gamma/result.js';
import { buildSubmission } from '../gamma/submission.js';
import { gammaSummaryMarkdown } from '../gamma/summary.js';

/**
 * The files of a GAMMA result, written the same way by `gamma run`, `gamma report` and the action:
 * the report itself (byte for byte), gamma-result.json, junit.xml, summary.md, the submission
 * folder and report.html. Everything is on disk before any output or summary is set.
 */
export const GAMMA_REPORT_FILE = 'conformance-report.yaml';
const GAMMA_RESULT_FILE = 'gamma-result.json';
export const GAMMA_JUNIT_FILE = 'junit.xml';
export const GAMMA_SUMMARY_FILE = 'summary.md';

export interface GammaFilesInput {
  report: ConformanceReport;
  /** The report's bytes as the suite wrote them. */
  reportText: string;
  /** Where the report was read from, for error messages. */
  source: string;
  selection: ProfileSelection;
  requireSuccess: boolean;
  outDir: string;
  /** junit.xml, made by the caller (from `go test -json`, or from the result). */
  junit: (result: GammaResult) => string;
  reproduce: { text: string; workflow: string };
  /** Extra lines for the summary (a warning about an absent profile, the run's notes). */
  notes?: string[];
  scrub?: WriteOptions['scrub'];
  /** meshspec's version, for report.html's footer. */
  toolVersion: string;
  /** Warns when report.html cannot be made (the result files are written all the same). */
  logger: Logger;
}

export interface GammaFilesOutcome {
  result: GammaResult;
  verdict: GammaVerdict;
  totals: GammaTotals;
  summaryMarkdown: string;
  /** `page` is report.html, absent when it could not be made (a warning said why). */
  files: { report: string; result: string; junit: string; summary: string; submission: string; page?: string };
}

export async function writeGammaFiles(input: GammaFilesInput): Promise<GammaFilesOutcome> {
  const result = toGammaResult(input.report, input.selection, input.source);
  const verdict = judgeGamma(result, input.requireSuccess);
  const submission = buildSubmission(input.report, input.reportText, input.reproduce);
  const outDir = path.resolve(input.outDir);
  const summaryMarkdown = gammaSummaryMarkdown(result, verdict, { report: path.join(outDir, GAMMA_REPORT_FILE), submission: path.join(outDir, submission.folder) }, input.notes);
  const written = await writeResultFiles(
    outDir,
    {
      [GAMMA_REPORT_FILE]: input.reportText,
      [GAMMA_RESULT_FILE]: result,
      [GAMMA_JUNIT_FILE]: input.junit(result),
      [GAMMA_SUMMARY_FILE]: summaryMarkdown,
      ...submission.files,
    },
    { scrub: input.scrub },
  );
  // The page is a view of the files above, so it comes after them and only warns when it fails.
  const page = await writeReportPage(outDir, { [GAMMA_RESULT_FILE]: result }, { version: input.toolVersion, logger: input.logger, scrub: input.scrub });
  return {
    result,
    verdict,
    totals: gammaTotals(result),
    summaryMarkdown,
    files: {
      report: written[GAMMA_REPORT_FILE]!,
      result: written[GAMMA_RESULT_FILE]!,
      junit: written[GAMMA_JUNIT_FILE]!,
      summary: written[GAMMA_SUMMARY_FILE]!,
      submission: path.join(outDir, submission.folder),
      ...(page ? { page } : {}),
    },
  };
}

/** Profiles that were asked for by name and that the report does not hold: a warning, not an error. */
export function absentProfiles(report: ConformanceReport, selection: ProfileSelection, defaults: readonly string[]): string[] {
  if (selection === 'all' || selection === defaults) return [];
  const held = new Set((report.profiles ?? []).map((p) => p.name.toUpperCase()));
  return selection.filter((p) => !held.has(p));
}
