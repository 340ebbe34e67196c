import type { Annotation, Logger, PhaseTiming } from '../log.js';
import type { SecretScrubber } from '../redact.js';

/**
 * The terminal logger. Progress is a live line on a TTY and a plain line per call elsewhere
 * (CI logs), so callers throttle progress to about once a second.
 */
export class ConsoleLogger implements Logger {
  readonly timings: PhaseTiming[] = [];
  private live = false;
  constructor(
    private readonly out: NodeJS.WriteStream | { write(s: string): boolean; isTTY?: boolean } = process.stderr,
    private readonly options: { debug?: boolean; scrubber?: SecretScrubber } = {},
  ) {}
  private s(m: string): string {
    return this.options.scrubber ? this.options.scrubber.scrub(m) : m;
  }
  private line(text: string): void {
    if (this.live) {
      this.out.write('\r\x1b[2K');
      this.live = false;
    }
    this.out.write(`${this.s(text)}\n`);
  }
  private where(w?: Annotation): string {
    return w?.file ? ` (${w.file}${w.line ? `:${w.line}` : ''})` : '';
  }
  debug(message: string): void {
    if (this.options.debug) this.line(`debug: ${message}`);
  }
  info(message: string): void {
    this.line(message);
  }
  notice(message: string, where?: Annotation): void {
    this.line(`notice: ${message}${this.where(where)}`);
  }
  warn(message: string, where?: Annotation): void {
    this.line(`warning: ${message}${this.where(where)}`);
  }
  error(message: string, where?: Annotation): void {
    this.line(`error: ${message}${this.where(where)}`);
  }
  progress(message: string): void {
    if (this.out.isTTY) {
      this.out.write(`\r\x1b[2K${this.s(message)}`);
      this.live = true;
    } else {
      this.line(message);
    }
  }
  async group<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const started = performance.now();
    this.line(`== ${name}`);
    try {
      return await fn();
    } finally {
      const seconds = (performance.now() - started) / 1000;
      this.timings.push({ name, seconds });
      this.line(`== ${name}: ${seconds.toFixed(1)} s`);
    }
  }
}
