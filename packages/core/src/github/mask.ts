import * as core from '@actions/core';
import { SecretScrubber } from '../redact.js';

/**
 * One scrubber per process: every secret is registered with the runner (`::add-mask::`) and with
 * our own scrubber, which filters what we write to files and logs ourselves.
 */
export const scrubber = new SecretScrubber();

export function maskSecret(value: string | undefined): void {
  if (!value) return;
  core.setSecret(value);
  scrubber.add(value);
}
