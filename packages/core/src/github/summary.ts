import * as core from '@actions/core';
import { scrubber } from './mask.js';

/** Appends markdown to the job summary. A summary that cannot be written only warns. */
export async function writeJobSummary(markdown: string): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  try {
    await core.summary.addRaw(scrubber.scrub(markdown), true).write();
  } catch (error) {
    core.warning(`could not write the job summary: ${(error as Error).message}`);
  }
}

/** Sets every output; numbers are written as plain decimals. */
export function setOutputs(outputs: Record<string, string | number | boolean | undefined>): void {
  for (const [k, v] of Object.entries(outputs)) {
    if (v === undefined) continue;
    core.setOutput(k, scrubber.scrub(String(v)));
  }
}

/** The phases of the step with their durations, as the last section of the job summary. */
export function phasesMarkdown(timings: readonly { name: string; seconds: number }[]): string {
  if (timings.length === 0) return '';
  const rows = timings.map((t) => `| ${t.name.replace(/\|/g, '\\|')} | ${t.seconds.toFixed(1)} s |`);
  return ['### Phases', '', '| Phase | Duration |', '|---|---:|', ...rows, ''].join('\n');
}
