import { resolve } from 'node:path';
import { exitCodeOf, inputError } from '../errors.js';
import { absentProfiles, writeGammaFiles } from '../pipeline/gamma-files.js';
import { junitFromResult } from '../gamma/junit.js';
import { parseProfileSelection, REPORT_DEFAULT_PROFILES } from '../gamma/profiles.js';
import { readConformanceReport } from '../gamma/report.js';
import { reproduceFromReport } from '../gamma/reproduce.js';
import { gammaTable } from '../gamma/summary.js';
import type { CliCommand } from './command.js';
import { listFlag, parseFlags, strFlag } from './parse.js';
import { VERSION } from './version.js';

export const DEFAULT_GAMMA_OUT_DIR = 'meshspec-results';

const FLAGS = {
  out: { type: 'string', short: 'o' },
  profiles: { type: 'string', multiple: true },
  'require-success': { type: 'boolean' },
} as const;

const HELP = `Usage: meshspec gamma report FILE [--out DIR] [--profiles LIST|all] [--require-success]

Reads a Gateway API ConformanceReport (the YAML the official conformance suite writes with
--report-output, any version from v1.0 on) and writes, under the output directory:
  conformance-report.yaml   the report, byte for byte
  gamma-result.json         per profile: core and extended result, counts, failed and skipped tests, features
  junit.xml                 the report's failed and skipped tests as test cases
  summary.md                the table below, as markdown
  submission/conformance/reports/<version>/<organization>-<project>/
                            the report and README.md laid out for a pull request to kubernetes-sigs/gateway-api
  report.html               the result as a page that opens offline (meshspec report DIR remakes it)

  -o, --out DIR          output directory (default ./${DEFAULT_GAMMA_OUT_DIR})
      --profiles LIST    profiles to judge, comma-separated, or all (default ${REPORT_DEFAULT_PROFILES.join(',')};
                         MESH is the single mesh profile of v1.0-era reports)
      --require-success  a partial result (skipped tests) fails too

Exit codes: 0 success or partial (a warning), 1 a selected profile's core or extended result is
failure (or partial with --require-success), 2 the file is not a ConformanceReport or holds none
of the selected profiles, 3 the files could not be written.`;

export const gammaReport: CliCommand = {
  path: ['gamma', 'report'],
  summary: 'judge a Gateway API ConformanceReport and write the GAMMA result files',
  help: HELP,
  async run(args, io) {
    const { values, positionals } = parseFlags('gamma report', args, FLAGS, true);
    if (positionals.length !== 1) throw inputError(`meshspec gamma report: give exactly one report file (got ${positionals.length}); see meshspec gamma report --help`);
    const source = positionals[0]!;
    const selection = parseProfileSelection(listFlag(values, 'profiles'), '--profiles');
    const { report, text } = await readConformanceReport(resolve(io.cwd, source));
    const missing = absentProfiles(report, selection, REPORT_DEFAULT_PROFILES);
    const notes = missing.map((p) => `${source} holds no ${p} profile.`);
    for (const n of notes) io.logger.warn(n);
    const outcome = await writeGammaFiles({
      report,
      reportText: text,
      source,
      selection,
      requireSuccess: values['require-success'] === true,
      outDir: resolve(io.cwd, strFlag(values, 'out') ?? DEFAULT_GAMMA_OUT_DIR),
      junit: (result) => junitFromResult(result, `Gateway API conformance: ${report.implementation.project} ${report.implementation.version}`),
      reproduce: reproduceFromReport(report),
      notes,
      scrub: (t) => io.secrets.scrub(t),
      toolVersion: VERSION,
      logger: io.logger,
    });
    io.stdout.write(`${gammaTable(outcome.result)}\n\n${outcome.verdict.message}\n\nwrote ${Object.values(outcome.files).join(', ')}\n`);
    if (outcome.verdict.warning) io.logger.warn(outcome.verdict.warning);
    if (outcome.verdict.failureKind !== 'none') io.stderr.write(`meshspec gamma report: ${outcome.verdict.message}\n`);
    return exitCodeOf(outcome.verdict.failureKind);
  },
};
