import * as core from '@actions/core';

/**
 * State between the main and post steps, through the runner's state file. Values are JSON.
 * Never put a token here: the state file is plain text on the runner.
 */
const IS_POST = 'isPost';

export function markMainStarted(): void {
  core.saveState(IS_POST, 'true');
}

export function isPost(): boolean {
  return core.getState(IS_POST) === 'true';
}

export function save<T>(key: string, value: T): void {
  core.saveState(key, JSON.stringify(value));
}

export function load<T>(key: string): T | undefined {
  const raw = core.getState(key);
  if (raw === '') return undefined;
  try {
    return JSON.parse(raw) as T;
  } catch {
    return undefined;
  }
}
