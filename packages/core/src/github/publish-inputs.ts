import { ACTION_WORDING } from '../wording.js';
import type { FailureKind } from '../errors.js';
import type { Logger } from '../log.js';
import { publishFailureKind, publishMarkdown, type PublishReport, type PublishSettings } from '../pipeline/publish.js';
import { secretsOfInput } from '../provider/token.js';
import * as inputs from './inputs.js';
import { maskSecret } from './mask.js';
import type { MainOutcome } from './run.js';
import { setOutputs, writeJobSummary } from './summary.js';

/**
 * The provider inputs both actions share. The token and every secret inside it (access and
 * refresh tokens) are masked the moment the input is read, before anything can print them.
 */
export function readPublishInputs(signal: AbortSignal): PublishSettings {
  const raw = inputs.optional('provider_token');
  if (raw) {
    maskSecret(raw);
    for (const secret of secretsOfInput(raw)) maskSecret(secret);
  }
  return {
    tokenInput: raw,
    tokenSource: 'input provider_token',
    providerName: inputs.optional('provider'),
    baseUrl: inputs.optional('provider_url'),
    tokenMode: inputs.choice('provider_token_mode', ['token', 'access_token'] as const, 'token'),
    casing: inputs.choice('provider_casing', ['camel', 'snake'] as const, 'camel'),
    smiEndpointEnabled: inputs.bool('smi_endpoint_enabled', false),
    deadlineMs: inputs.duration('provider_deadline'),
    onFailure: inputs.choice('publish_failure', ['fail', 'warn'] as const, 'fail'),
    mask: maskSecret,
    signal,
    wording: ACTION_WORDING,
  };
}

export interface ArtifactInputs {
  upload: boolean;
  name: string;
}

export function readArtifactInputs(kind: 'smp' | 'smi' | 'gamma'): ArtifactInputs {
  return {
    upload: inputs.bool('upload_artifact', true),
    name: inputs.str('artifact_name', `meshspec-${kind}-${process.env.GITHUB_JOB ?? 'results'}`),
  };
}

/**
 * Reports a publish attempt the same way in both actions: a log line (an error, a warning with
 * publish_failure: warn, or a notice when there was no token), the result_id/result_url outputs,
 * and the provider's section of the job summary. Returns the failure kind it adds.
 */
async function reportPublish(report: PublishReport, settings: Pick<PublishSettings, 'onFailure'>, logger: Logger): Promise<'none' | 'publish' | 'input'> {
  if (report.status === 'failed') (settings.onFailure === 'warn' ? logger.warn : logger.error).call(logger, report.message);
  else if (report.status === 'skipped') logger.notice(report.message);
  else logger.info(report.message);
  setOutputs({ result_id: report.resultId ?? '', result_url: report.resultUrl ?? '' });
  await writeJobSummary(publishMarkdown(report));
  return publishFailureKind(report, settings);
}

/**
 * The publish step of the SMP and SMI mains: publish a finished run (a cancelled one is not), report
 * it (reportPublish), and give the part of the action's outcome that publishing adds.
 */
export async function publishFinishedRun(
  run: { failureKind: FailureKind },
  settings: PublishSettings,
  logger: Logger,
  publish: () => Promise<PublishReport | undefined>,
): Promise<MainOutcome> {
  if (run.failureKind === 'cancelled') return { failureKind: 'none' };
  const report = await logger.group('Publish', publish);
  return { failureKind: report ? await reportPublish(report, settings, logger) : 'none', failureMessage: 'the result was not published; the files are in the output directory' };
}
