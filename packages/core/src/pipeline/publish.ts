import type { Wording } from '../wording.js';
import { MeshspecError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Casing } from '../provider/bodies.js';
import { publishSmi, publishSmp, type ProviderOptions } from '../provider/publish.js';
import { resolveBaseUrl } from '../provider/endpoints.js';
import { parseTokenInput, type TokenMode } from '../provider/token.js';

/**
 * The publishing step both actions and the CLI share. It runs after every result file is written;
 * its failure is reported, never thrown, so the caller decides between exit 3 and a warning
 * (`publish_failure`) and the result files are never at stake.
 */
export interface PublishSettings {
  /** The token input as the user gave it (the token or a whole auth.json); undefined = stay local. */
  tokenInput?: string;
  /** Where the token came from, for messages (`input provider_token`, a file name). */
  tokenSource: string;
  providerName?: string;
  baseUrl?: string;
  tokenMode?: TokenMode;
  casing?: Casing;
  smiEndpointEnabled?: boolean;
  deadlineMs?: number;
  /** `fail` (default): a failed publish fails the run (exit 3); `warn`: only a warning. */
  onFailure: 'fail' | 'warn';
  /** Masks a secret at once (setSecret in the actions, the scrubber in the CLI). */
  mask: (secret: string) => void;
  signal?: AbortSignal;
  /** Flags or inputs the fixes in messages name (default: the CLI's). */
  wording?: Wording;
}

export interface PublishReport {
  status: 'published' | 'skipped' | 'failed';
  resultId?: string;
  resultUrl?: string;
  providerUrl?: string;
  /** One line for logs and the summary. */
  message: string;
  /** The failure, when status is failed. */
  error?: MeshspecError;
}

/**
 * Checks the provider settings without any network: a bad token or provider URL is an input error
 * (exit 2) before the run starts, not after a long load. Does nothing without a token.
 */
export function checkPublishSettings(settings: PublishSettings): void {
  if (!settings.tokenInput) return;
  const parsed = parseTokenInput(settings.tokenInput, settings.tokenSource);
  resolveBaseUrl({ baseUrl: settings.baseUrl, providerName: settings.providerName ?? parsed.providerName, wording: settings.wording });
}

/** Builds ProviderOptions from the settings; input errors (bad token, bad URL) are thrown. */
export function providerOptionsFrom(settings: PublishSettings, logger: Logger): ProviderOptions | undefined {
  if (!settings.tokenInput) return undefined;
  const parsed = parseTokenInput(settings.tokenInput, settings.tokenSource);
  return {
    token: parsed.token,
    providerName: settings.providerName ?? parsed.providerName,
    baseUrl: settings.baseUrl,
    tokenMode: settings.tokenMode,
    casing: settings.casing,
    smiEndpointEnabled: settings.smiEndpointEnabled,
    deadlineMs: settings.deadlineMs,
    logger,
    onNewSecret: settings.mask,
    signal: settings.signal,
    wording: settings.wording,
    warnOnFailure: settings.onFailure === 'warn',
  };
}

async function attempt(settings: PublishSettings, logger: Logger, what: string, send: (options: ProviderOptions) => Promise<{ resultId: string; resultUrl?: string; providerUrl: string }>): Promise<PublishReport> {
  if (!settings.tokenInput) {
    return { status: 'skipped', message: `not published: no provider token was given, so the ${what} stays local (files, summary and outputs)` };
  }
  try {
    const options = providerOptionsFrom(settings, logger)!;
    const r = await send(options);
    return {
      status: 'published',
      resultId: r.resultId,
      resultUrl: r.resultUrl,
      providerUrl: r.providerUrl,
      message: `published the ${what} to ${r.providerUrl}: result ${r.resultId || '(no id returned)'}${r.resultUrl ? ` (${r.resultUrl})` : ''}`,
    };
  } catch (error) {
    const e = error instanceof MeshspecError ? error : new MeshspecError('publish', (error as Error).message, { cause: error });
    return { status: 'failed', message: `the ${what} was NOT published: ${e.message}`, error: e };
  }
}

export function publishSmpRun(
  settings: PublishSettings,
  logger: Logger,
  run: { smpResult: Record<string, unknown>; fortio: Record<string, unknown>; profileName: string; mesh?: string | number },
): Promise<PublishReport> {
  return attempt(settings, logger, 'SMP result', (providerOptions) =>
    publishSmp({ providerOptions, result: { smpResult: run.smpResult, fortio: run.fortio }, profileName: run.profileName, mesh: run.mesh, logger }),
  );
}

export function publishSmiRun(settings: PublishSettings, logger: Logger, result: Record<string, unknown>): Promise<PublishReport> {
  return attempt(settings, logger, 'SMI result', (providerOptions) => publishSmi({ providerOptions, result, logger }));
}

/** The failure kind publishing adds to a run: `publish` (exit 3) unless the user chose `warn`. */
export function publishFailureKind(report: PublishReport, settings: Pick<PublishSettings, 'onFailure'>): 'none' | 'publish' | 'input' {
  if (report.status !== 'failed' || settings.onFailure === 'warn') return 'none';
  return report.error?.kind === 'input' ? 'input' : 'publish';
}

/** The provider section of the summary, appended after publishing. */
export function publishMarkdown(report: PublishReport): string {
  const icon = report.status === 'published' ? '✅' : report.status === 'skipped' ? 'ℹ️' : '❌';
  const lines = [`### Provider`, '', `${icon} ${report.message.replace(/\|/g, '\\|')}`];
  if (report.status === 'failed') lines.push('', 'The result files are complete in the output directory (and the workflow artifact); publish them again later with the same token.');
  return `${lines.join('\n')}\n`;
}
