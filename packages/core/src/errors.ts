/**
 * The kinds of failure the CLI and the actions report (DESIGN.md, "Exit codes").
 * `test`: the run worked and the subject failed (thresholds, conformance).
 * `input`: the user must change something (flags, inputs, profile).
 * `infra`: cluster, mesh, network. `publish`: the provider, after retries.
 */
export type FailureKind = 'none' | 'test' | 'input' | 'infra' | 'publish' | 'cancelled';

const exitCodes: Record<FailureKind, number> = {
  none: 0,
  test: 1,
  input: 2,
  infra: 3,
  publish: 3,
  cancelled: 130,
};

export function exitCodeOf(kind: FailureKind): number {
  return exitCodes[kind];
}

/** An error whose message is meant for the user as it is: no stack trace is printed for it. */
export class MeshspecError extends Error {
  readonly kind: Exclude<FailureKind, 'none'>;
  /** Extra lines (one problem each), e.g. every validation error of a profile. */
  readonly details: string[];
  /** The file the error is about, for an annotation. */
  readonly file?: string;
  constructor(kind: Exclude<FailureKind, 'none'>, message: string, options: { details?: string[]; file?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MeshspecError';
    this.kind = kind;
    this.details = options.details ?? [];
    this.file = options.file;
  }
}

export const inputError = (message: string, options?: { details?: string[]; file?: string; cause?: unknown }) =>
  new MeshspecError('input', message, options);
export const infraError = (message: string, options?: { details?: string[]; file?: string; cause?: unknown }) =>
  new MeshspecError('infra', message, options);

/**
 * When several failures happen, the lowest non-zero code among 1, 2, 3 wins; cancellation beats all.
 */
export function worstKind(kinds: FailureKind[]): FailureKind {
  if (kinds.includes('cancelled')) return 'cancelled';
  const order: FailureKind[] = ['test', 'input', 'infra', 'publish'];
  for (const k of order) if (kinds.includes(k)) return k;
  return 'none';
}

export function kindOf(error: unknown): Exclude<FailureKind, 'none'> {
  return error instanceof MeshspecError ? error.kind : 'infra';
}

/** Combines two exit codes: cancellation wins, then the lowest non-zero among 1, 2, 3. */
export function combineExitCodes(a: number, b: number): number {
  if (a === 130 || b === 130) return 130;
  if (a === 0) return b;
  if (b === 0) return a;
  return Math.min(a, b);
}
