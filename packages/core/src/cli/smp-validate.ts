import { resolve } from 'node:path';
import { MeshspecError } from '../errors.js';
import { readProfile } from '../smp/profile.js';
import type { CliCommand } from './command.js';
import { parseFlags } from './parse.js';

export const smpValidate: CliCommand = {
  path: ['smp', 'validate'],
  summary: 'check SMP profiles; one line per problem',
  help: `Usage: meshspec smp validate <profile>...

Checks each SMP profile (YAML or JSON; Meshery's {test, mesh} envelope or a bare
PerformanceTestConfig; snake_case or camelCase keys; enums as numbers or names).

Prints one line per problem, "<file>: <json-path>: <message>", and exits 2 if any
profile is invalid, 0 if all are valid.`,
  async run(args, io) {
    const { positionals } = parseFlags('smp validate', args, {}, true);
    if (positionals.length === 0) {
      io.stderr.write('meshspec smp validate: name at least one profile file; see --help\n');
      return 2;
    }
    let invalid = 0;
    for (const file of positionals) {
      try {
        const p = await readProfile(resolve(io.cwd, file), file);
        const urls = p.clients.reduce((n, c) => n + c.endpoint_urls.length, 0);
        io.stdout.write(`${file}: valid (${p.clients.length} client${p.clients.length === 1 ? '' : 's'}, ${urls} URL${urls === 1 ? '' : 's'}, ${p.duration})\n`);
      } catch (error) {
        if (!(error instanceof MeshspecError)) throw error;
        invalid++;
        for (const line of error.details.length ? error.details : [error.message]) io.stdout.write(`${line}\n`);
      }
    }
    return invalid ? 2 : 0;
  },
};
