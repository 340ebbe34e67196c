import { cancelOnSignals } from '../cancel.js';
import { exitCodeOf, MeshspecError } from '../errors.js';
import { SecretScrubber } from '../redact.js';
import type { CliCommand, CliIO } from './command.js';
import { ConsoleLogger } from './console-logger.js';
import { COMMANDS } from './commands.js';
import { VERSION } from './version.js';

/** The command list: every command, or (with `group`) the subcommands of one group such as `smp`. */
function usage(commands: readonly CliCommand[], group?: string): string {
  const width = Math.max(...commands.map((c) => c.path.join(' ').length));
  const head = group ? `meshspec ${group} <command>` : 'meshspec <command>';
  return [
    'meshspec: Service Mesh Interface conformance and Service Mesh Performance runs',
    '',
    `Usage: ${head} [flags]   (meshspec ${group ? `${group} ` : ''}<command> --help for its flags)`,
    '',
    ...commands.map((c) => `  ${c.path.join(' ').padEnd(width)}  ${c.summary}`),
    '',
    'Exit codes: 0 success, 1 test failed, 2 bad input, 3 infrastructure or provider failure, 130 cancelled.',
  ].join('\n');
}

/** Finds the command whose path is the longest prefix of argv. */
export function findCommand(argv: string[], commands: readonly CliCommand[] = COMMANDS): { command?: CliCommand; rest: string[] } {
  let best: CliCommand | undefined;
  for (const c of commands) {
    if (c.path.every((w, i) => argv[i] === w) && (!best || c.path.length > best.path.length)) best = c;
  }
  return { command: best, rest: best ? argv.slice(best.path.length) : argv };
}

export async function runCli(argv: string[], io: CliIO, commands: readonly CliCommand[] = COMMANDS): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    io.stdout.write(`${usage(commands)}\n`);
    return argv.length === 0 ? 2 : 0;
  }
  if (argv[0] === '--version') {
    io.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const { command, rest } = findCommand(argv, commands);
  const group = commands.filter((c) => c.path.length > 1 && c.path[0] === argv[0]);
  // A group on its own (`meshspec smp`) lists its subcommands on stdout and exits 0, as kubectl
  // does for its command groups (`kubectl config`, `kubectl rollout`): asking what a group holds
  // is a question, not a mistake. An unknown word after it (`meshspec smp bogus`) is still exit 2.
  if (!command && group.length && (argv.length === 1 || (argv.length === 2 && ['--help', '-h', 'help'].includes(argv[1]!)))) {
    io.stdout.write(`${usage(group, argv[0])}\n`);
    return 0;
  }
  if (!command) {
    io.stderr.write(`meshspec: unknown command "${argv.join(' ')}"\n\n${group.length ? usage(group, argv[0]) : usage(commands)}\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(`${command.help.trimEnd()}\n`);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (io.signal.aborted) {
      io.logger.error('cancelled');
      return 130;
    }
    if (error instanceof MeshspecError) {
      for (const d of error.details) io.stderr.write(`${d}\n`);
      io.stderr.write(`meshspec ${command.path.join(' ')}: ${error.message}\n`);
      return exitCodeOf(error.kind);
    }
    io.stderr.write(`meshspec ${command.path.join(' ')}: unexpected error: ${(error as Error).stack ?? error}\n`);
    return 3;
  }
}


/** The process entry (bin/meshspec.js). */
export async function main(argv: string[]): Promise<void> {
  const cancel = cancelOnSignals();
  const scrubber = new SecretScrubber();
  const io: CliIO = {
    stdout: process.stdout,
    stderr: process.stderr,
    logger: new ConsoleLogger(process.stderr, { debug: !!process.env.MESHSPEC_DEBUG, scrubber }),
    signal: cancel.signal,
    env: process.env,
    cwd: process.cwd(),
    secrets: scrubber,
  };
  const code = await runCli(argv, io);
  cancel.dispose();
  process.exitCode = cancel.signal.aborted ? 130 : code;
}
