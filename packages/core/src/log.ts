/**
 * The logger every part of core takes. The CLI maps it to the terminal, the actions map it to
 * @actions/core (src/github/logger.ts), and tests collect it. Nothing in core prints directly.
 */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  /** Something the user should see but that is not a problem (GitHub: a notice annotation). */
  notice(message: string, where?: Annotation): void;
  warn(message: string, where?: Annotation): void;
  error(message: string, where?: Annotation): void;
  /** A collapsible phase. The duration is logged at the end and returned to the caller's timings. */
  group<T>(name: string, fn: () => Promise<T>): Promise<T>;
  /**
   * A line that replaces itself in a terminal (progress). In CI logs each call is its own line,
   * so callers throttle it to about once a second.
   */
  progress(message: string): void;
}

/** Where a message points to, for GitHub annotations. */
export interface Annotation {
  file?: string;
  line?: number;
  title?: string;
}

export interface PhaseTiming {
  name: string;
  seconds: number;
}

/** A logger that keeps everything, for tests and for summaries. */
export class MemoryLogger implements Logger {
  readonly lines: { level: string; message: string; where?: Annotation }[] = [];
  readonly timings: PhaseTiming[] = [];
  debug(message: string): void {
    this.lines.push({ level: 'debug', message });
  }
  info(message: string): void {
    this.lines.push({ level: 'info', message });
  }
  notice(message: string, where?: Annotation): void {
    this.lines.push({ level: 'notice', message, where });
  }
  warn(message: string, where?: Annotation): void {
    this.lines.push({ level: 'warn', message, where });
  }
  error(message: string, where?: Annotation): void {
    this.lines.push({ level: 'error', message, where });
  }
  progress(message: string): void {
    this.lines.push({ level: 'progress', message });
  }
  async group<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const started = performance.now();
    this.lines.push({ level: 'group', message: name });
    try {
      return await fn();
    } finally {
      this.timings.push({ name, seconds: (performance.now() - started) / 1000 });
    }
  }
  text(level?: string): string {
    return this.lines
      .filter((l) => level === undefined || l.level === level)
      .map((l) => l.message)
      .join('\n');
  }
}

/** A logger that drops everything. */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  notice() {},
  warn() {},
  error() {},
  progress() {},
  group: (_name, fn) => fn(),
};
