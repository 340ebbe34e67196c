// Container logs as the container runtime writes them and kubelet reads them back.
//
// Writing (containerd's CRI plugin, pkg/cri/io/logger.go, redirectLogs): one record per line of output,
// `<RFC3339Nano> <stdout|stderr> <P|F> <content>\n`. A line longer than max_container_log_line_size
// (default 16384 bytes, containerd's config defaults) is cut into 16384-byte `P` (partial) records and a
// final `F` record; output that ends without a newline is flushed as an `F` record when the stream closes.
//
// Reading (kubelet, pkg/kubelet/kuberuntime/logs/logs.go, ReadLogs and parseCRILog): a `P` record's content
// is written without a newline, an `F` record's with one, so a plain GET of pods/log gives the long line back
// whole. `tailLines` counts records of the file (tail.FindTailLineStartIndex counts file lines), not logical
// lines: tailLines=1 on a 200 KB line returns its last fragment only. `limitBytes` cuts the output.
// `timestamps=true` prefixes the timestamp to the first fragment of a line only (kubernetes#113481, 1.26+).
import { appendFileSync, readFileSync } from 'node:fs';

const MAX_LINE = 16 * 1024;
const NL = 0x0a;

/**
 * A writer of one container's log file. Feed it stdout/stderr chunks; call end(stream) when a stream closes.
 * @param {string} file
 */
export function createCriLogWriter(file) {
  /** @type {Record<string, Buffer>} */
  const pending = { stdout: Buffer.alloc(0), stderr: Buffer.alloc(0) };
  const write = (stream, tag, content) => appendFileSync(file, Buffer.concat([Buffer.from(`${rfc3339Nano()} ${stream} ${tag} `), content, Buffer.from('\n')]));
  return {
    file,
    /** @param {'stdout' | 'stderr'} stream @param {Buffer} chunk */
    write(stream, chunk) {
      let buf = pending[stream].length ? Buffer.concat([pending[stream], chunk]) : chunk;
      for (;;) {
        const nl = buf.indexOf(NL);
        if (nl >= 0 && nl < MAX_LINE) {
          write(stream, 'F', buf.subarray(0, nl));
          buf = buf.subarray(nl + 1);
        } else if (buf.length >= MAX_LINE) {
          // a full buffer without a newline in it: a partial record (a line of exactly 16384 bytes thus
          // becomes a P record and an empty F record, as containerd writes it)
          write(stream, 'P', buf.subarray(0, MAX_LINE));
          buf = buf.subarray(MAX_LINE);
        } else break;
      }
      pending[stream] = Buffer.from(buf);
    },
    /** @param {'stdout' | 'stderr'} stream */
    end(stream) {
      if (pending[stream].length) write(stream, 'F', pending[stream]);
      pending[stream] = Buffer.alloc(0);
    },
  };
}

/**
 * CRI records for output that a runtime keeps as plain text (the echo and simulated apps): one `F` record a line.
 * @param {string} text @param {string} timestamp
 */
export function textToCriRecords(text, timestamp) {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.map((l) => `${timestamp} stdout F ${l}`).join('\n') + (lines.length ? '\n' : '');
}

/** @param {string} file */
export function readCriFile(file) {
  try {
    return readFileSync(file);
  } catch {
    return Buffer.alloc(0);
  }
}

/**
 * What `GET pods/{name}/log` returns for one container's CRI log, as kubelet renders it.
 * @param {Buffer | string} log the log file's content
 * @param {{ tailLines?: number, limitBytes?: number, timestamps?: boolean, sinceTime?: number }} opts
 */
export function renderCriLog(log, opts = {}) {
  const buf = Buffer.isBuffer(log) ? log : Buffer.from(log);
  /** @type {Buffer[]} */
  let records = [];
  for (let start = 0; start < buf.length; ) {
    const nl = buf.indexOf(NL, start);
    const end = nl < 0 ? buf.length : nl;
    if (end > start) records.push(buf.subarray(start, end));
    start = end + 1;
  }
  if (opts.tailLines !== undefined && opts.tailLines >= 0) records = opts.tailLines === 0 ? [] : records.slice(-opts.tailLines);
  const out = [];
  let size = 0;
  let lineStart = true;
  for (const r of records) {
    const s1 = r.indexOf(0x20);
    const s2 = r.indexOf(0x20, s1 + 1);
    const s3 = r.indexOf(0x20, s2 + 1);
    if (s1 < 0 || s2 < 0 || s3 < 0) continue; // kubelet skips records it cannot parse
    const ts = r.subarray(0, s1).toString();
    const tag = r.subarray(s2 + 1, s3).toString();
    if (opts.sinceTime !== undefined && Date.parse(ts) < opts.sinceTime) continue;
    const parts = [];
    if (opts.timestamps && lineStart) parts.push(Buffer.from(`${ts} `));
    parts.push(r.subarray(s3 + 1));
    if (tag !== 'P') parts.push(Buffer.from('\n'));
    lineStart = tag !== 'P';
    for (const p of parts) {
      out.push(p);
      size += p.length;
    }
    if (opts.limitBytes !== undefined && opts.limitBytes > 0 && size >= opts.limitBytes) break;
  }
  const all = Buffer.concat(out);
  return opts.limitBytes !== undefined && opts.limitBytes > 0 ? all.subarray(0, opts.limitBytes) : all;
}

/** RFC 3339 with nanoseconds, trailing zeros trimmed, as Go's time.RFC3339Nano prints UTC. */
function rfc3339Nano() {
  const iso = new Date().toISOString(); // ms precision
  return iso.replace(/\.(\d+)Z$/, (_, f) => (f.replace(/0+$/, '') ? `.${f.replace(/0+$/, '')}Z` : 'Z'));
}
