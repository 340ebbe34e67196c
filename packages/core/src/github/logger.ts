import * as core from '@actions/core';
import type { Annotation, Logger, PhaseTiming } from '../log.js';
import type { SecretScrubber } from '../redact.js';

const props = (where?: Annotation): core.AnnotationProperties | undefined =>
  where ? { file: where.file, startLine: where.line, title: where.title } : undefined;

/**
 * The core Logger mapped onto the runner: groups become collapsible log groups with their
 * duration, warnings and errors become annotations. Every message goes through the scrubber,
 * as a second line of defence next to the runner's own masking.
 */
export class GitHubLogger implements Logger {
  readonly timings: PhaseTiming[] = [];
  constructor(private readonly scrubber?: SecretScrubber) {}
  private s(message: string): string {
    return this.scrubber ? this.scrubber.scrub(message) : message;
  }
  debug(message: string): void {
    core.debug(this.s(message));
  }
  info(message: string): void {
    core.info(this.s(message));
  }
  notice(message: string, where?: Annotation): void {
    core.notice(this.s(message), props(where));
  }
  warn(message: string, where?: Annotation): void {
    core.warning(this.s(message), props(where));
  }
  error(message: string, where?: Annotation): void {
    core.error(this.s(message), props(where));
  }
  progress(message: string): void {
    core.info(this.s(message));
  }
  async group<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const started = performance.now();
    core.startGroup(name);
    try {
      return await fn();
    } finally {
      const seconds = (performance.now() - started) / 1000;
      this.timings.push({ name, seconds });
      core.info(`${name}: ${seconds.toFixed(1)} s`);
      core.endGroup();
    }
  }
}
