import { cancelOnSignals } from '../cancel.js';
import { exitCodeOf, MeshspecError } from '../errors.js';
import { SecretScrubber } from '../redact.js';
import type { CliCommand, CliIO } from './command.js';
import { ConsoleLogger } from './console-logger.js';
import { COMMANDS } from './commands.js';
import { VERSION } from './version.js';

function usage(commands: readonly CliCommand[]): string {
  const width = Math.max(...commands.map((c) => c.path.join(' ').length));
  return [
    'meshspec: Service Mesh Interface conformance and Service Mesh Performance runs',
    '',
    'Usage: meshspec <command> [flags]   (meshspec <command> --help for its flags)',
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
  if (!command) {
    const group = commands.filter((c) => c.path[0] === argv[0]);
    io.stderr.write(`meshspec: unknown command "${argv.join(' ')}"\n\n${usage(group.length ? group : commands)}\n`);
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
