import { createHash } from 'node:crypto';

/**
 * The one line a load pod prints with its result (docs/architecture.md, "Load from inside the
 * cluster"): `MESHSPEC-RESULT v1 <sha256 hex of payload> <payload>`, the payload being base64 of
 * JSON. base64 keeps the line free of anything a log pipeline could rewrite, and the checksum
 * catches a line that was cut or spliced: a 200 KB line reaches the kubelet as 16 KiB partial
 * records of the container runtime (containerd's max_container_log_line_size), and only a whole
 * read of the log (no tailLines, no limitBytes) gives it back intact.
 */
export const RESULT_MARKER = 'MESHSPEC-RESULT';
const VERSION = 'v1';

export function formatResultLine(payload: unknown): string {
  const encoded = Buffer.from(JSON.stringify(payload), 'utf8').toString('base64');
  return `${RESULT_MARKER} ${VERSION} ${sha256(encoded)} ${encoded}`;
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Why a log holds no usable result line; the runner turns it into an infra error naming the pod. */
class ResultLineError extends Error {
  override name = 'ResultLineError';
}

/**
 * The payload of the result line in a pod's whole log. Exactly one line may carry the marker at
 * its start; none, two, a wrong version or a checksum that does not match is a ResultLineError.
 */
export function parseResultLine(log: string): unknown {
  const lines = log.split('\n').map((l) => l.replace(/\r$/, '')).filter((l) => l.startsWith(`${RESULT_MARKER} `));
  if (lines.length === 0) throw new ResultLineError(`no ${RESULT_MARKER} line in the log (${log.length} characters)`);
  if (lines.length > 1) throw new ResultLineError(`${lines.length} ${RESULT_MARKER} lines in the log; a load pod prints exactly one`);
  const [, version, checksum, encoded, ...rest] = lines[0]!.split(' ');
  if (version !== VERSION) throw new ResultLineError(`result line version ${JSON.stringify(version)}; this meshspec reads ${VERSION} (the worker bundle and the runner come from different builds)`);
  if (!checksum || encoded === undefined || rest.length > 0) throw new ResultLineError('the result line is malformed: expected "<marker> v1 <sha256> <base64>"');
  const actual = sha256(encoded);
  if (actual !== checksum) {
    throw new ResultLineError(`the result line's checksum does not match (${encoded.length} payload characters, sha256 ${actual.slice(0, 12)}… instead of ${checksum.slice(0, 12)}…): the line was cut or altered on its way through the log`);
  }
  try {
    return JSON.parse(Buffer.from(encoded, 'base64').toString('utf8'));
  } catch (error) {
    throw new ResultLineError(`the result line's payload is not base64 JSON: ${(error as Error).message}`);
  }
}
