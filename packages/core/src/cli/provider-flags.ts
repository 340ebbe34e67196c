import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { requireDuration } from '../duration.js';
import { inputError } from '../errors.js';
import { combineExitCodes, exitCodeOf } from '../errors.js';
import { publishFailureKind, type PublishReport, type PublishSettings } from '../pipeline/publish.js';
import { DEFAULT_DEADLINE_MS } from '../provider/http.js';
import { secretsOfInput } from '../provider/token.js';
import type { CliIO } from './command.js';
import { strFlag, type ParsedFlags } from './parse.js';

/** The provider flags every publishing command takes. */
export const PROVIDER_FLAGS = {
  provider: { type: 'string' },
  'provider-url': { type: 'string' },
  'provider-token-file': { type: 'string' },
  'provider-token-mode': { type: 'string' },
  'provider-casing': { type: 'string' },
  'provider-deadline': { type: 'string' },
  'smi-endpoint-enabled': { type: 'boolean' },
  'publish-failure': { type: 'string' },
} as const;

export const PROVIDER_HELP = `Provider (publishing; without a token, results stay local):
      --provider-token-file F   the provider token, or the whole auth.json of mesheryctl
                                (or set MESHSPEC_PROVIDER_TOKEN)
      --provider NAME           Layer5 (default: Layer5 Cloud) or Meshery (Meshery Cloud)
      --provider-url URL        the provider's base URL (https; http only on loopback)
      --provider-token-mode M   token (default: the whole token, as current Meshery sends)
                                or access_token (the decoded access token, as older Meshery)
      --provider-casing C       camel (default) or snake request bodies
      --provider-deadline D     total time for publishing, retries included (default ${DEFAULT_DEADLINE_MS / 1000}s)
      --smi-endpoint-enabled    post SMI results even if the provider does not advertise them
      --publish-failure P       fail (default: exit 3) or warn`;

function oneOf<T extends string>(value: string | undefined, flag: string, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  const hit = allowed.find((a) => a === value.toLowerCase());
  if (!hit) throw inputError(`--${flag}: "${value}" is not one of ${allowed.join(', ')}`);
  return hit;
}

/** Reads the provider flags; the token comes from --provider-token-file or MESHSPEC_PROVIDER_TOKEN. */
export async function publishSettingsFromFlags(values: ParsedFlags['values'], io: CliIO, mask: (s: string) => void): Promise<PublishSettings> {
  const file = strFlag(values, 'provider-token-file');
  let tokenInput: string | undefined;
  let tokenSource = 'MESHSPEC_PROVIDER_TOKEN';
  if (file) {
    tokenSource = file;
    try {
      tokenInput = await readFile(resolve(io.cwd, file), 'utf8');
    } catch (e) {
      throw inputError(`--provider-token-file: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? 'error'}); check the path`);
    }
  } else if (io.env.MESHSPEC_PROVIDER_TOKEN) {
    tokenInput = io.env.MESHSPEC_PROVIDER_TOKEN;
  }
  // Every secret in it (raw, access and refresh token) is masked before anything else runs.
  if (tokenInput !== undefined) for (const secret of secretsOfInput(tokenInput)) mask(secret);
  const deadline = strFlag(values, 'provider-deadline');
  return {
    tokenInput: tokenInput?.trim() || undefined,
    tokenSource,
    providerName: strFlag(values, 'provider'),
    baseUrl: strFlag(values, 'provider-url'),
    tokenMode: oneOf(strFlag(values, 'provider-token-mode'), 'provider-token-mode', ['token', 'access_token'] as const),
    casing: oneOf(strFlag(values, 'provider-casing'), 'provider-casing', ['camel', 'snake'] as const),
    smiEndpointEnabled: values['smi-endpoint-enabled'] === true,
    deadlineMs: deadline !== undefined ? requireDuration(deadline, '--provider-deadline') : undefined,
    onFailure: oneOf(strFlag(values, 'publish-failure'), 'publish-failure', ['fail', 'warn'] as const) ?? 'fail',
    mask,
    signal: io.signal,
  };
}

/**
 * Prints a publish report and folds a failure into the exit code (lowest non-zero wins); a run
 * that was not published (cancelled: no report) keeps its code.
 */
export function reportPublish(report: PublishReport | undefined, settings: Pick<PublishSettings, 'onFailure'>, io: CliIO, code: number): number {
  if (!report) return code;
  if (report.status === 'failed') (settings.onFailure === 'warn' ? io.logger.warn : io.logger.error).call(io.logger, report.message);
  else io.logger.info(report.message);
  if (report.resultId) io.stdout.write(`result id: ${report.resultId}${report.resultUrl ? ` (${report.resultUrl})` : ''}\n`);
  const kind = publishFailureKind(report, settings);
  return kind === 'none' ? code : combineExitCodes(code, exitCodeOf(kind));
}
