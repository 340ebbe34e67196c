import { resolve } from 'node:path';
import type { Logger } from '../log.js';
import { gateFromFile, parseRegressionInput, type GateSettings } from '../smp/regression.js';
import type { NoiseControl } from '../smp/repeats.js';
import { findArtifactBaseline } from './baseline-artifact.js';
import { messageOf, statusOf } from './client.js';
import * as inputs from './inputs.js';
import { githubClientFor, type GitHubInputs } from './share-results.js';

/**
 * smp-action's gate inputs: `baseline` (a path, or `artifact`), `regression` (one rule a line),
 * `warmup` and `repeat`. Rules and durations are checked when read, before any load.
 */
export interface GateInputs {
  /** A workspace path, `artifact`, or undefined. */
  baseline?: string;
  rules: ReturnType<typeof parseRegressionInput>;
  noise: NoiseControl;
}

export function readGateInputs(): GateInputs {
  return {
    baseline: inputs.optional('baseline'),
    rules: parseRegressionInput(inputs.str('regression')),
    noise: { warmupMs: inputs.duration('warmup') ?? 0, repeat: inputs.int('repeat', { min: 1, max: 100 }) ?? 1 },
  };
}

const NAMES = { baseline: 'input baseline', regression: 'input regression' };

/**
 * The baseline the gate compares with. A missing one (the first run, an expired artifact, a
 * token without `actions: read`) is a notice with `baseline_source: none`, never a failure.
 */
export async function resolveGate(gate: GateInputs, gh: GitHubInputs, artifactName: string, workspace: string, logger: Logger): Promise<GateSettings> {
  let settings: GateSettings;
  if (gate.baseline?.toLowerCase() === 'artifact') {
    settings = { source: 'none', rules: gate.rules };
    const github = githubClientFor(gh, logger);
    if ('unavailable' in github) settings.notice = `no baseline: baseline: artifact needs the GitHub API, but ${github.unavailable}`;
    else {
      try {
        const found = await findArtifactBaseline(github.client, github.ctx, gh.token!, { artifactName, file: 'smp-result.json' });
        if ('found' in found) settings = { baseline: found.found, source: 'artifact', rules: gate.rules };
        else settings.notice = `no baseline: ${found.missing}; this run is not compared`;
      } catch (error) {
        const hint = statusOf(error) === 403 || statusOf(error) === 404 ? '; the job needs `permissions: actions: read`' : '';
        settings.notice = `no baseline: the artifact could not be read (${messageOf(error)})${hint}; this run is not compared`;
      }
    }
  } else {
    settings = gateFromFile(gate.baseline ? resolve(workspace, gate.baseline) : undefined, gate.baseline, gate.rules, NAMES);
  }
  if (settings.notice) logger.notice(settings.notice);
  return settings;
}
