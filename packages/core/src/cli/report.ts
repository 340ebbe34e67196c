import path from 'node:path';
import { inputError } from '../errors.js';
import { writeResultFiles } from '../report/files.js';
import { renderReportFromDir, REPORT_FILE, REPORT_SOURCES } from '../report/html/index.js';
import type { CliCommand } from './command.js';
import { parseFlags, strFlag } from './parse.js';
import { VERSION } from './version.js';

/**
 * Rebuilds report.html from the result files alone, so an old run's directory or an artifact
 * downloaded later still gives the page (with this version's page design).
 */
export const report: CliCommand = {
  path: ['report'],
  summary: 'make report.html from the result files in an output directory',
  help: `Usage: meshspec report DIR [--out FILE]

Reads the result files a run wrote to DIR (${REPORT_SOURCES.join(', ')}) and writes one
self-contained page, DIR/${REPORT_FILE} unless --out says otherwise. The page opens offline
from disk and loads nothing.

  -o, --out FILE   where to write the page (default DIR/${REPORT_FILE})

Exit codes: 0 written, 2 no result file in DIR (or one is not valid), 3 the page could not be written.`,
  async run(args, io) {
    const { values, positionals } = parseFlags('report', args, { out: { type: 'string', short: 'o' } }, true);
    if (positionals.length !== 1) throw inputError(`meshspec report: give exactly one directory (got ${positionals.length}); see meshspec report --help`);
    const dir = path.resolve(io.cwd, positionals[0]!);
    const out = path.resolve(io.cwd, strFlag(values, 'out') ?? path.join(dir, REPORT_FILE));
    const { html, sources } = await renderReportFromDir(dir, { version: VERSION });
    await writeResultFiles(path.dirname(out), { [path.basename(out)]: html }, { scrub: io.secrets });
    io.stdout.write(`wrote ${out} (${Math.ceil(Buffer.byteLength(html) / 1024)} KB) from ${sources.map((s) => path.relative(io.cwd, s) || s).join(', ')}\n`);
    return 0;
  },
};
