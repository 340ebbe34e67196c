import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { inputError } from '../errors.js';
import { checkPublishSettings, publishSmiRun, publishSmpRun, type PublishReport } from '../pipeline/publish.js';
import type { CliCommand } from './command.js';
import { PROVIDER_FLAGS, PROVIDER_HELP, publishSettingsFromFlags, reportPublish } from './provider-flags.js';
import { parseFlags, strFlag } from './parse.js';
import { DEFAULT_OUT_DIR } from './smp-run.js';

async function readJson(file: string): Promise<Record<string, unknown>> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw inputError(`${file}: cannot read it as JSON (${(error as Error).message}); is this a meshspec output directory?`);
  }
}

/**
 * Publishes results that are already on disk: the way to retry after a failed upload, or to
 * publish a run made without a token. The files are the source of truth, so nothing is re-run.
 */
export const publish: CliCommand = {
  path: ['publish'],
  summary: 'publish the results in an output directory to the provider',
  help: `Usage: meshspec publish [--out DIR] [--name NAME] [provider flags]

Publishes what a run wrote to DIR (default ./${DEFAULT_OUT_DIR}): smp-result.json with fortio.json,
and/or smi-result.json. Use it to retry after a failed upload; nothing is run again.

      --out DIR                 the output directory of the run
      --name NAME               SMP: the performance profile name (default: the result's test name)

${PROVIDER_HELP}

Exit codes: 0 published, 2 bad input (no token, no results), 3 the provider failed after retries
(0, with a warning, under --publish-failure warn).`,
  async run(args, io) {
    const { values } = parseFlags('publish', args, { out: { type: 'string', short: 'o' }, name: { type: 'string' }, ...PROVIDER_FLAGS });
    const settings = await publishSettingsFromFlags(values, io, (s) => io.secrets.add(s));
    if (!settings.tokenInput) throw inputError('meshspec publish needs a provider token: pass --provider-token-file or set MESHSPEC_PROVIDER_TOKEN');
    checkPublishSettings(settings);
    const dir = resolve(io.cwd, strFlag(values, 'out') ?? DEFAULT_OUT_DIR);
    const reports: PublishReport[] = [];
    if (existsSync(join(dir, 'smp-result.json'))) {
      const smpResult = await readJson(join(dir, 'smp-result.json'));
      const fortio = await readJson(join(dir, 'fortio.json'));
      const test = (smpResult.test ?? {}) as { name?: string };
      const mesh = (smpResult.mesh ?? {}) as { type?: number };
      reports.push(await publishSmpRun(settings, io.logger, { smpResult, fortio, profileName: strFlag(values, 'name') ?? test.name ?? 'meshspec', mesh: mesh.type }));
    }
    if (existsSync(join(dir, 'smi-result.json'))) {
      reports.push(await publishSmiRun(settings, io.logger, await readJson(join(dir, 'smi-result.json'))));
    }
    if (reports.length === 0) throw inputError(`${dir} holds no smp-result.json or smi-result.json; give the run's --out directory`);
    return reports.reduce((code, r) => reportPublish(r, settings, io, code), 0);
  },
};
