import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { infraError } from './errors.js';
import type { Logger } from './log.js';

/**
 * Runs minikube, kubectl, helm and the mesh CLIs: always with an argument array (never a shell
 * string), with the output streamed to the log and the tail kept for error messages.
 */
export interface RunOptions {
  logger: Logger;
  /** The complete environment of the child (defaults to this process's). */
  env?: NodeJS.ProcessEnv;
  /** Written to the child's stdin (a manifest for `kubectl apply -f -`). */
  input?: string;
  signal?: AbortSignal;
  /** Kills the child after this long. */
  timeoutMs?: number;
  /** How output lines are logged: `info` (default), `debug`, or not at all. */
  echo?: 'info' | 'debug' | 'none';
  /** Keep stdout out of the log (it is a manifest we pipe on). */
  captureStdout?: boolean;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  /** The last lines of stdout and stderr together, for error messages. */
  tail: string[];
}

const TAIL_LINES = 40;

/** Runs a program and resolves with its exit code; a program that cannot start is an infra error. */
export function runCommand(file: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  const { logger } = options;
  const echo = options.echo ?? 'info';
  logger.info(`$ ${[file.split('/').pop(), ...args].map(quoteForLog).join(' ')}`);
  return new Promise((resolve, reject) => {
    const child = spawn(file, [...args], {
      env: options.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      signal: options.signal,
      timeout: options.timeoutMs,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const tail: string[] = [];
    const lineSink = (print: boolean) => {
      let partial = '';
      return (chunk: Buffer) => {
        const text = partial + chunk.toString('utf8');
        const lines = text.split(/\r?\n/);
        partial = lines.pop() ?? '';
        for (const line of lines) keep(line, print);
      };
    };
    const keep = (line: string, print: boolean) => {
      tail.push(line);
      if (tail.length > TAIL_LINES) tail.shift();
      if (!print || echo === 'none') return;
      if (echo === 'debug') logger.debug(line);
      else logger.info(line);
    };
    const onOut = lineSink(!options.captureStdout);
    const onErr = lineSink(true);
    child.stdout.on('data', (c: Buffer) => {
      out.push(c);
      onOut(c);
    });
    child.stderr.on('data', (c: Buffer) => {
      err.push(c);
      onErr(c);
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (error.name === 'AbortError') reject(options.signal?.reason ?? error);
      else reject(infraError(`could not run ${file}: ${error.message}`, { cause: error }));
    });
    child.on('close', (code, signal) => {
      const stdout = Buffer.concat(out).toString('utf8');
      const stderr = Buffer.concat(err).toString('utf8');
      // The last partial lines were never terminated by a newline: keep them for the tail too.
      for (const rest of [stdout.split(/\r?\n/).pop(), stderr.split(/\r?\n/).pop()]) if (rest) keep(rest, false);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr, tail: [...tail] });
    });
    child.stdin.on('error', () => {
      /* the child may exit before reading stdin; its exit code tells what happened */
    });
    child.stdin.end(options.input ?? '');
  });
}

/** Like runCommand, but a non-zero exit is an infra error that carries the tail of the output. */
export async function runChecked(file: string, args: readonly string[], options: RunOptions & { what: string }): Promise<RunResult> {
  const result = await runCommand(file, args, options);
  if (result.code !== 0) {
    throw infraError(`${options.what} failed (exit ${result.code}); the last lines of its output follow`, { details: result.tail });
  }
  return result;
}

/** Finds an executable on PATH (the `env`'s PATH), or undefined. */
export function findOnPath(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      /* not here */
    }
  }
  return undefined;
}

function quoteForLog(arg: string | undefined): string {
  if (arg === undefined) return '';
  return /^[A-Za-z0-9_./:=,@+-]+$/.test(arg) ? arg : JSON.stringify(arg);
}
