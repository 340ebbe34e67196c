import type { CliCommand } from './command.js';

/**
 * The command table. Each command lives in its own module (cli/smp.ts, cli/smi.ts, ...) and is
 * listed here once; main.ts dispatches on the longest matching path.
 */
export const COMMANDS: CliCommand[] = [];
