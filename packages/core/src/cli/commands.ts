import type { CliCommand } from './command.js';
import { clusterDown, clusterUp } from './cluster.js';
import { demo } from './demo.js';
import { meshInstall } from './mesh.js';
import { publish } from './publish.js';
import { report } from './report.js';
import { smpRun } from './smp-run.js';
import { smpValidate } from './smp-validate.js';
import { smiRun } from './smi.js';

/**
 * The command table. Each command lives in its own module (cli/smp-run.ts, cli/smi.ts, ...) and is
 * listed here once; main.ts dispatches on the longest matching path.
 */
export const COMMANDS: CliCommand[] = [smpValidate, smpRun, smiRun, demo, clusterUp, clusterDown, meshInstall, publish, report];
