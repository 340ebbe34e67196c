import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { requireDuration } from '../duration.js';
import { inputError } from '../errors.js';
import { startDemoTarget } from '../smp/demo-target.js';
import { applyOverrides, readProfile } from '../smp/profile.js';
import { runSmpProfile } from '../pipeline/smp.js';
import { parseThresholdFlags } from '../smp/thresholds.js';
import type { CliCommand } from './command.js';
import { listFlag, parseFlags, strFlag } from './parse.js';
import { DEFAULT_OUT_DIR, DEFAULT_REQUEST_TIMEOUT, overridesFromFlags, printOutcome } from './smp-run.js';
import { VERSION } from './version.js';

const DEMO_PROFILE = 'examples/smp/demo.yaml';
const DEMO_THRESHOLDS = ['error_rate<1%'];

/** examples/ sits at the repository root; the CLI runs from src/ (tests) or dist/ (built). */
function findDemoProfile(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, DEMO_PROFILE);
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw inputError(`cannot find ${DEMO_PROFILE}: run the demo from a meshspec checkout`);
}

/** Points every endpoint URL of the profile at the demo target, keeping paths and queries. */
function retarget(url: string, target: string): string {
  const u = new URL(url);
  const t = new URL(target);
  u.protocol = t.protocol;
  u.host = t.host;
  return u.toString();
}

export const demo: CliCommand = {
  path: ['demo'],
  summary: 'start a local target and run examples/smp/demo.yaml against it',
  help: `Usage: meshspec demo [--duration D] [--rps N] [--connections N] [--out DIR]

The embedded default run: starts a small HTTP target on 127.0.0.1, runs the SMP profile
${DEMO_PROFILE} against it with the native load generator (checking ${DEMO_THRESHOLDS.join(', ')}),
prints the results and writes smp-result.json, fortio.json and summary.md to ./${DEFAULT_OUT_DIR}.
Needs nothing but Node: no cluster, no network, no token.`,
  async run(args, io) {
    const { values } = parseFlags('demo', args, {
      out: { type: 'string', short: 'o' },
      duration: { type: 'string', short: 'd' },
      rps: { type: 'string' },
      connections: { type: 'string', short: 'c' },
      threshold: { type: 'string', multiple: true },
    });
    const target = await startDemoTarget();
    try {
      io.logger.info(`demo target listening on ${target.url}`);
      const file = findDemoProfile();
      const base = applyOverrides(await readProfile(file, DEMO_PROFILE), overridesFromFlags(values));
      const profile = { ...base, clients: base.clients.map((c) => ({ ...c, endpoint_urls: c.endpoint_urls.map((u) => retarget(u, target.url)) })) };
      const given = listFlag(values, 'threshold');
      const outcome = await runSmpProfile({
        profile,
        outDir: resolve(io.cwd, strFlag(values, 'out') ?? DEFAULT_OUT_DIR),
        outDirSource: '--out',
        thresholds: parseThresholdFlags(given.length ? given : DEMO_THRESHOLDS),
        requestTimeoutMs: requireDuration(DEFAULT_REQUEST_TIMEOUT, 'request timeout'),
        logger: io.logger,
        signal: io.signal,
        version: VERSION,
      });
      return printOutcome(outcome, io);
    } finally {
      await target.close();
    }
  },
};
