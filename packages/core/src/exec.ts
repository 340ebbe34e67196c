import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { formatGoDuration } from './duration.js';
import { infraError } from './errors.js';
import type { Logger } from './log.js';
import { deadlineSignal } from './wait.js';

/**
 * The one way meshspec runs a program (minikube, kubectl, helm, the mesh CLIs, tar): an argument
 * array (never a shell string), output decoded with a StringDecoder per stream (a multibyte
 * character split across two chunks stays whole), streamed to the logger line by line through
 * `redact`, the tail kept for error messages, and a deadline that kills the child and says so.
 * Why not @actions/exec: docs/architecture.md, "Running programs".
 */
export interface RunOptions {
  logger: Logger;
  /** The complete environment of the child (defaults to this process's). */
  env?: NodeJS.ProcessEnv;
  /** Written to the child's stdin (a manifest for `kubectl apply -f -`). */
  input?: string;
  /** Cancellation: the child is killed and the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Kills the child after this long; the result then says "killed after D". */
  timeoutMs?: number;
  /** How output lines are logged: `info` (default), `debug`, or not at all. */
  echo?: 'info' | 'debug' | 'none';
  /** Keep stdout out of the log (it is a manifest we pipe on). */
  captureStdout?: boolean;
  /** Applied to every line before it is logged or kept (the run's secret scrubber). */
  redact?: (line: string) => string;
}

export interface RunResult {
  /** The exit code; -1 when the child was killed (see `killedAfterMs`). */
  code: number;
  stdout: string;
  stderr: string;
  /** The last lines of stdout and stderr together, for error messages. */
  tail: string[];
  /** Set when the deadline killed the child: how long it had run. */
  killedAfterMs?: number;
  /** The signal that ended the child, when one did. */
  signal?: NodeJS.Signals;
}

const TAIL_LINES = 40;

/** How a run ended, for messages: "exit 2", "killed after 30s", "killed by SIGKILL". */
export function describeExit(result: Pick<RunResult, 'code' | 'killedAfterMs' | 'signal'>): string {
  if (result.killedAfterMs !== undefined) return `killed after ${formatGoDuration(result.killedAfterMs)}`;
  if (result.signal) return `killed by ${result.signal}`;
  return `exit ${result.code}`;
}

/** Runs a program and resolves with how it ended; a program that cannot start is an infra error. */
export function runCommand(file: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  const { logger } = options;
  const echo = options.echo ?? 'info';
  const redact = options.redact ?? ((line: string) => line);
  const announce = `$ ${[file.split('/').pop(), ...args].map(quoteForLog).join(' ')}`;
  if (echo === 'debug') logger.debug(redact(announce));
  else logger.info(redact(announce));
  options.signal?.throwIfAborted();
  const started = Date.now();
  const timeout = options.timeoutMs !== undefined ? AbortSignal.timeout(options.timeoutMs) : undefined;
  const signal = timeout ? deadlineSignal(options.timeoutMs!, options.signal) : options.signal;
  return new Promise((resolve, reject) => {
    const child = spawn(file, [...args], { env: options.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'], signal });
    const tail: string[] = [];
    const keep = (line: string, print: boolean) => {
      const clean = redact(line);
      tail.push(clean);
      if (tail.length > TAIL_LINES) tail.shift();
      if (!print || echo === 'none') return;
      if (echo === 'debug') logger.debug(clean);
      else logger.info(clean);
    };
    const stream = (print: boolean) => {
      const decoder = new StringDecoder('utf8');
      let whole = '';
      let partial = '';
      const push = (text: string) => {
        whole += text;
        const lines = (partial + text).split(/\r?\n/);
        partial = lines.pop() ?? '';
        for (const line of lines) keep(line, print);
      };
      return {
        data: (chunk: Buffer) => push(decoder.write(chunk)),
        end: () => {
          push(decoder.end());
          // The last line had no newline: keep it for the tail, and log it too.
          if (partial) keep(partial, print);
          partial = '';
          return whole;
        },
      };
    };
    const out = stream(!options.captureStdout);
    const err = stream(true);
    child.stdout.on('data', out.data);
    child.stderr.on('data', err.data);
    let failed = false;
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (error.name === 'AbortError') return; // 'close' follows and reports the kill
      failed = true;
      reject(infraError(`could not run ${file}: ${error.message}`, { cause: error }));
    });
    child.on('close', (code, killSignal) => {
      if (failed) return;
      const stdout = out.end();
      const stderr = err.end();
      if (options.signal?.aborted) return reject(options.signal.reason);
      const result: RunResult = { code: code ?? -1, stdout, stderr, tail: [...tail], signal: killSignal ?? undefined };
      if (timeout?.aborted) result.killedAfterMs = Date.now() - started;
      resolve(result);
    });
    child.stdin.on('error', () => {
      /* the child may exit before reading stdin; its exit code tells what happened */
    });
    child.stdin.end(options.input ?? '');
  });
}

/** Like runCommand, but anything but exit 0 is an infra error that carries the tail of the output. */
export async function runChecked(file: string, args: readonly string[], options: RunOptions & { what: string }): Promise<RunResult> {
  const result = await runCommand(file, args, options);
  if (result.code !== 0 || result.killedAfterMs !== undefined || result.signal) {
    throw infraError(`${options.what} failed (${describeExit(result)}); the last lines of its output follow`, { details: result.tail });
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
