import { describe, expect, it } from 'vitest';
import { Http1ResponseParser, MAX_HEADER_BYTES } from './http1-response-parser.js';

interface Parsed {
  status: number;
  keepAlive: boolean;
  bodyBytes: number;
}

/**
 * Feeds `wire` to a parser in the given pieces, as the generator does (one request at a time:
 * reset before each response). Returns the complete responses, the error if any, and whether
 * the parser ended idle. `eof` simulates the peer closing after the last piece.
 */
function feed(pieces: Uint8Array[], opts: { head?: boolean[]; eof?: boolean } = {}) {
  const p = new Http1ResponseParser();
  const out: Parsed[] = [];
  let error = '';
  p.reset(opts.head?.[0] ?? false);
  outer: for (const piece of pieces) {
    let off = 0;
    while (off < piece.length) {
      const n = p.execute(piece, off, piece.length);
      if (n < 0) {
        error = p.error;
        break outer;
      }
      off += n;
      if (p.complete) {
        out.push({ status: p.statusCode, keepAlive: p.keepAlive, bodyBytes: p.bodyBytes });
        p.reset(opts.head?.[out.length] ?? false);
      }
    }
  }
  let truncated = false;
  if (!error && opts.eof) {
    if (p.finish()) out.push({ status: p.statusCode, keepAlive: p.keepAlive, bodyBytes: p.bodyBytes });
    else truncated = !p.idle;
  }
  return { out, error, idle: p.idle, truncated };
}

const enc = (s: string) => Buffer.from(s, 'latin1');

/** Every way to cut `wire` in two, plus one byte at a time. */
function splits(wire: Uint8Array): Uint8Array[][] {
  const ways: Uint8Array[][] = [[wire]];
  for (let k = 1; k < wire.length; k++) ways.push([wire.subarray(0, k), wire.subarray(k)]);
  ways.push([...wire].map((b) => Uint8Array.of(b)));
  return ways;
}

interface Case {
  name: string;
  wire: string;
  head?: boolean[];
  eof?: boolean;
  expect: Parsed[];
}

const CASES: Case[] = [
  {
    name: 'Content-Length body',
    wire: 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\nhello',
    expect: [{ status: 200, keepAlive: true, bodyBytes: 5 }],
  },
  {
    name: 'no reason phrase and bare LF line endings',
    wire: 'HTTP/1.1 404\nContent-Length: 2\n\nno',
    expect: [{ status: 404, keepAlive: true, bodyBytes: 2 }],
  },
  {
    name: 'zero Content-Length',
    wire: 'HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n',
    expect: [{ status: 201, keepAlive: true, bodyBytes: 0 }],
  },
  {
    name: 'repeated identical Content-Length',
    wire: 'HTTP/1.1 200 OK\r\nContent-Length: 3, 3\r\ncontent-length: 3\r\n\r\nabc',
    expect: [{ status: 200, keepAlive: true, bodyBytes: 3 }],
  },
  {
    name: 'chunked with extensions and trailers',
    wire:
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, Chunked\r\n\r\n' +
      '5;name=value;q="a b"\r\nhello\r\n' +
      'A \r\n0123456789\r\n' +
      '0\r\nX-Trailer: yes\r\nX-Other: 1\r\n\r\n',
    expect: [{ status: 200, keepAlive: true, bodyBytes: 15 }],
  },
  {
    name: 'chunked with uppercase hex and no trailers',
    wire: 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n1F\r\n' + 'x'.repeat(31) + '\r\n0\r\n\r\n',
    expect: [{ status: 200, keepAlive: true, bodyBytes: 31 }],
  },
  {
    name: 'Connection: close with a length',
    wire: 'HTTP/1.1 200 OK\r\nConnection: Keep-Alive, Close\r\nContent-Length: 2\r\n\r\nok',
    expect: [{ status: 200, keepAlive: false, bodyBytes: 2 }],
  },
  {
    name: 'body delimited by close',
    wire: 'HTTP/1.1 200 OK\r\nServer: old\r\n\r\nthe body runs until the connection closes',
    eof: true,
    expect: [{ status: 200, keepAlive: false, bodyBytes: 41 }],
  },
  {
    name: 'HTTP/1.0 without keep-alive closes; with keep-alive stays',
    wire: 'HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 1\r\n\r\naHTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nb',
    expect: [
      { status: 200, keepAlive: true, bodyBytes: 1 },
      { status: 200, keepAlive: false, bodyBytes: 1 },
    ],
  },
  {
    name: '1xx interim responses before the final one',
    wire: 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok',
    expect: [{ status: 200, keepAlive: true, bodyBytes: 2 }],
  },
  {
    name: 'HEAD, 204 and 304 have no body whatever they announce',
    wire:
      'HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n' +
      'HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n' +
      'HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n' +
      'HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nz',
    head: [true, false, false, false],
    expect: [
      { status: 200, keepAlive: true, bodyBytes: 0 },
      { status: 204, keepAlive: true, bodyBytes: 0 },
      { status: 304, keepAlive: true, bodyBytes: 0 },
      { status: 200, keepAlive: true, bodyBytes: 1 },
    ],
  },
  {
    name: 'several responses back to back',
    wire:
      'HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na' +
      'HTTP/1.1 500 Internal Server Error\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nerr\r\n0\r\n\r\n' +
      'HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n',
    expect: [
      { status: 200, keepAlive: true, bodyBytes: 1 },
      { status: 500, keepAlive: true, bodyBytes: 3 },
      { status: 503, keepAlive: true, bodyBytes: 0 },
    ],
  },
  {
    name: 'obsolete line folding continues a value',
    wire: 'HTTP/1.1 200 OK\r\nX-Long: first\r\n second\r\nConnection:\r\n\tclose\r\nContent-Length: 1\r\n\r\n!',
    expect: [{ status: 200, keepAlive: false, bodyBytes: 1 }],
  },
  {
    name: 'Transfer-Encoding wins over Content-Length and forbids reuse',
    wire: 'HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n',
    expect: [{ status: 200, keepAlive: false, bodyBytes: 2 }],
  },
  {
    name: 'a final coding other than chunked reads until close',
    wire: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\nraw bytes',
    eof: true,
    expect: [{ status: 200, keepAlive: false, bodyBytes: 9 }],
  },
  {
    name: 'header names that merely resemble the interesting ones',
    wire: 'HTTP/1.1 200 OK\r\nContent-Lengthy: 9\r\nX-Content-Length: 7\r\nConnectionx: close\r\nContent-Length: 1\r\n\r\n1',
    expect: [{ status: 200, keepAlive: true, bodyBytes: 1 }],
  },
  {
    name: 'Connection tokens that are not close',
    wire: 'HTTP/1.1 200 OK\r\nConnection: closed, xclose, clos, close x, upgrade\r\nContent-Length: 0\r\n\r\n',
    expect: [{ status: 200, keepAlive: true, bodyBytes: 0 }],
  },
];

const MALFORMED: [string, string, RegExp][] = [
  ['not HTTP', 'SSH-2.0-OpenSSH_9.2\r\n', /does not start with "HTTP\/"/],
  ['HTTP/2 preface answer', 'HTTP/2 200\r\n\r\n', /major version/],
  ['two-digit status', 'HTTP/1.1 20 OK\r\n\r\n', /three digits/],
  ['four-digit status', 'HTTP/1.1 2000 OK\r\n\r\n', /three digits/],
  ['status below 100', 'HTTP/1.1 099 Odd\r\n\r\n', /invalid status code/],
  ['space before the colon', 'HTTP/1.1 200 OK\r\nContent-Length : 1\r\n\r\nx', /header name/],
  ['header line starting with whitespace', 'HTTP/1.1 200 OK\r\n X: 1\r\n\r\n', /starts with whitespace/],
  ['letters in Content-Length', 'HTTP/1.1 200 OK\r\nContent-Length: 12a\r\n\r\n', /invalid Content-Length/],
  ['empty Content-Length', 'HTTP/1.1 200 OK\r\nContent-Length: \r\n\r\n', /invalid Content-Length/],
  ['two numbers in one Content-Length', 'HTTP/1.1 200 OK\r\nContent-Length: 1 2\r\n\r\n', /invalid Content-Length/],
  ['conflicting Content-Length', 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nx', /conflicting/],
  ['bad chunk size', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', /missing chunk size/],
  ['chunk longer than announced', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n', /longer than its size/],
  ['huge chunk size', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\n', /too large/],
  ['CR without LF', 'HTTP/1.1 200 OK\r\nX: a\rb\r\n\r\n', /CR without LF/],
];

describe('Http1ResponseParser', () => {
  for (const c of CASES) {
    it(`${c.name}: split at every byte`, () => {
      const wire = enc(c.wire);
      for (const pieces of splits(wire)) {
        const r = feed(pieces, { head: c.head, eof: c.eof });
        expect(r.error, `split ${pieces.map((p) => p.length).join('+')}`).toBe('');
        expect(r.out, `split ${pieces.map((p) => p.length).join('+')}`).toEqual(c.expect);
        expect(r.truncated).toBe(false);
      }
    });
  }

  it('stops after a complete response and leaves the next bytes unconsumed', () => {
    const p = new Http1ResponseParser();
    p.reset(false);
    const wire = enc('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 204 No Content\r\n\r\n');
    const n = p.execute(wire, 0, wire.length);
    expect(p.complete).toBe(true);
    expect(n).toBe(wire.indexOf('HTTP/1.1 204'));
    // A completed parser consumes nothing more until it is reset.
    expect(p.execute(wire, n, wire.length)).toBe(0);
  });

  it('reports a cut-off response at EOF as truncated, and an untouched one as idle', () => {
    const wire = enc('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort');
    for (const pieces of splits(wire)) {
      const r = feed(pieces, { eof: true });
      expect(r.out).toEqual([]);
      expect(r.truncated).toBe(true);
    }
    const p = new Http1ResponseParser();
    p.reset(false);
    expect(p.finish()).toBe(false);
    expect(p.idle).toBe(true);
    // A chunked body cut before the last chunk is truncated, not complete.
    expect(feed([enc('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n')], { eof: true }).truncated).toBe(true);
  });

  for (const [name, wire, message] of MALFORMED) {
    it(`rejects ${name} however it is split`, () => {
      for (const pieces of splits(enc(wire))) {
        const r = feed(pieces);
        expect(r.error).toMatch(message);
        expect(r.out).toEqual([]);
      }
    });
  }

  it('bounds the header section', () => {
    const big = enc(`HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(MAX_HEADER_BYTES)}\r\n\r\n`);
    const r = feed([big.subarray(0, 1000), big.subarray(1000)]);
    expect(r.error).toMatch(/larger than/);
  });

  it('parses a long run of responses without keeping state between them', () => {
    const one = 'HTTP/1.1 200 OK\r\nServer: nginx\r\nDate: Thu, 01 Jan 2026 00:00:00 GMT\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok';
    const wire = enc(one.repeat(1000));
    // Odd piece sizes so responses straddle reads at every offset class.
    const pieces: Uint8Array[] = [];
    for (let off = 0, k = 0; off < wire.length; k++) {
      const len = 1 + ((k * 37) % 173);
      pieces.push(wire.subarray(off, off + len));
      off += len;
    }
    const r = feed(pieces);
    expect(r.error).toBe('');
    expect(r.out).toHaveLength(1000);
    expect(r.out.every((x) => x.status === 200 && x.keepAlive && x.bodyBytes === 2)).toBe(true);
  });
});

/**
 * The fast path must be invisible: whatever the bytes and however they are split, a parser with it
 * gives exactly what the byte-at-a-time parser alone gives.
 */
/** An integer in [0, n) from mulberry32: seeded, so a failure reproduces. */
function seededPick(seed: number): (n: number) => number {
  return (n) => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 2 ** 32) * n);
  };
}

describe('Http1ResponseParser fast path', () => {
  interface Input {
    wire: string;
    head?: boolean[];
    eof?: boolean;
    /** Responses whose header section the fast path parses when the input comes in one piece (-1: not checked). */
    fast: number;
  }
  type FeedOpts = Pick<Input, 'head' | 'eof'>;

  /**
   * Everything observable after each execute() (and finish() at EOF), as text, and the fast path's
   * hits. The pieces are ranges of `wire` up to each of `ends` in turn, as in the generator's shared
   * read buffer: the bytes after a piece are already there, and the parser must not look at them.
   */
  function run(wire: Uint8Array, ends: number[], opts: FeedOpts, fastPath: boolean) {
    const p = new Http1ResponseParser({ fastPath });
    const lines: string[] = [];
    let responses = 0;
    let off = 0;
    p.reset(opts.head?.[0] ?? false);
    outer: for (const end of ends) {
      while (off < end) {
        const n = p.execute(wire, off, end);
        lines.push(`${n} ${p.complete} ${p.statusCode} ${p.keepAlive} ${p.bodyBytes} ${p.idle} ${p.error}`);
        if (n < 0 || (n === 0 && !p.complete)) break outer;
        off += n;
        if (p.complete) p.reset(opts.head?.[++responses] ?? false);
      }
    }
    if (opts.eof) lines.push(`eof ${p.finish()} ${p.idle} ${p.keepAlive} ${p.bodyBytes}`);
    return { text: lines.join('\n'), hits: p.fastPathHits };
  }

  /** Both paths agree on `wire` read in pieces ending at `ends`; returns the fast path's hits. */
  function expectSame(wire: Uint8Array, ends: number[], opts: FeedOpts): number {
    const fast = run(wire, ends, opts, true);
    const slow = run(wire, ends, opts, false);
    // Compared before calling expect(), which is slow for many thousands of splits.
    if (fast.text !== slow.text || slow.hits !== 0) {
      const where = `${JSON.stringify(Buffer.from(wire).toString('latin1'))} read up to ${ends.join(', ')}`;
      expect(fast.text, where).toBe(slow.text);
      expect(slow.hits, 'the fast path ran while turned off').toBe(0);
    }
    return fast.hits;
  }

  /** Cut positions in [1, n): all of them, or at most `max`: both ends (where the headers and bodies are) and a spread between. */
  function cuts(n: number, max: number): number[] {
    const all = Array.from({ length: n - 1 }, (_, k) => k + 1);
    if (all.length <= max) return all;
    const edge = max / 4;
    const middle = all.slice(edge, -edge);
    const step = middle.length / (max - 2 * edge);
    return [...all.slice(0, edge), ...Array.from({ length: max - 2 * edge }, (_, k) => middle[Math.floor(k * step)]!), ...all.slice(-edge)];
  }

  /** Piece ends for one piece, and two and three pieces at every cut (a sample of them where that would take long). */
  function* pieceEnds(n: number): Generator<number[]> {
    const long = n > 1000;
    yield [n];
    for (const a of cuts(n, long ? 40 : 400)) yield [a, n];
    const third = cuts(n, long ? 12 : 60);
    for (const a of third) {
      for (const b of third) if (b > a) yield [a, b, n];
    }
  }

  const NGINX =
    'HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Wed, 02 Dec 2026 09:50:00 GMT\r\nContent-Type: text/plain\r\nContent-Length: 3\r\nConnection: keep-alive\r\n\r\nok\n';
  /** A response whose header section (through its final LF) is `size` bytes. */
  const sized = (size: number) => {
    const fixed = 'HTTP/1.1 200 OK\r\nX-Big: \r\nContent-Length: 1\r\n\r\n';
    return `HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(size - fixed.length)}\r\nContent-Length: 1\r\n\r\nz`;
  };

  const INPUTS: Input[] = [
    // Plain: the fast path takes them.
    { wire: NGINX, fast: 1 },
    { wire: NGINX.repeat(3), fast: 3 },
    { wire: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n', fast: 1 },
    { wire: 'HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx', head: [true, false], fast: 2 },
    { wire: 'HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\nHTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n', fast: 2 },
    { wire: 'HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok', fast: 1 },
    { wire: 'HTTP/1.1 200 OK\r\nconnection:keep-alive\r\nConnection:\tCLOSE \r\ncontent-length:2\r\n\r\nok', fast: 1 },
    { wire: 'HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 1\r\n\r\naHTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nb', fast: 2 },
    { wire: 'HTTP/1.0 200 OK\r\nConnection: close\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n', fast: 1 },
    { wire: 'HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n', fast: 1 },
    { wire: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n\r\nraw', eof: true, fast: 1 },
    { wire: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n', fast: 1 },
    { wire: 'HTTP/1.1 200 OK\r\nCONTENT-LENGTH: \t2 \t\r\nTRANSFER-encoding:  ChUnKeD\r\n\r\n2\r\nhi\r\n0\r\n\r\n', fast: 1 },
    { wire: 'HTTP/1.1 200 OK\r\nServer: old\r\n\r\nuntil close', eof: true, fast: 1 },
    { wire: 'HTTP/1.1 200\r\nContent-Length: 0\r\n\r\nHTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n', fast: 2 },
    { wire: 'HTTP/1.9 999 \xff\x00 weird\tbut fine\r\nX-Bytes: \x00\x7f\xff\t"q"\r\nX-Empty:\r\nContent-Length: 0\r\n\r\n', fast: 1 },
    { wire: 'HTTP/1.1 200 OK\r\nContent-Length: 999999999999999\r\n\r\n', head: [true], fast: 1 },
    { wire: 'HTTP/1.1 200 OK\r\nConnection: upgrade\r\nConnection: keep-alive-x\r\nContent-Length: 0\r\n\r\n', fast: 1 },
    { wire: "HTTP/1.1 200 OK\r\nContent-Lengt: 5\r\nContent-Lengthh: 5\r\nTransfer-Encodinx: chunked\r\nConnectio!: close\r\nX-!#$%&'*+-.^_`|~: 1\r\nContent-Length: 1\r\n\r\n1", fast: 1 },
    { wire: 'HTTP/1.1 500 Internal Server Error\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nerr\r\n0\r\nX-T: 1\r\n\r\n', fast: 1 },
    { wire: sized(MAX_HEADER_BYTES - 1), fast: 1 },
    { wire: sized(MAX_HEADER_BYTES), fast: 1 },
    // Left to the slow path.
    { wire: sized(MAX_HEADER_BYTES + 1), fast: 0 }, // the slow path still accepts it
    { wire: sized(MAX_HEADER_BYTES + 2), fast: 0 }, // and rejects this
    { wire: '\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n', fast: 0 },
    { wire: '\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n', fast: 0 },
    { wire: 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\n', fast: 0 },
    { wire: 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r', fast: 0 },
    { wire: 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc', fast: 0 },
    { wire: 'HTTP/1.1 200 OK\r\nContent-Length: 3, 3\r\n\r\nabc', fast: 0 },
    { wire: 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nx', fast: 0 },
    { wire: 'HTTP/1.1 200 OK\r\nContent-Length: 1,\r\n\r\nx', fast: 0 },
    { wire: 'HTTP/1.1 200 OK\r\nContent-Length: 1234567890123456\r\n\r\n', head: [true], fast: 0 },
    { wire: 'HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n', head: [true], fast: 0 },
    { wire: 'HTTP/1.1 200 OK\r\nContent-Length: +1\r\n\r\nx', fast: 0 },
    { wire: 'HTTP/1.1 200 OK\r\nContent-Length: 1 2\r\n\r\nx', fast: 0 },
    { wire: 'HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n', fast: 0 },
    { wire: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n', fast: 0 },
    { wire: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked;x=1\r\n\r\n1\r\nx\r\n0\r\n\r\n', fast: 0 },
    { wire: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: \r\n\r\n1\r\nx\r\n0\r\n\r\n', fast: 0 },
    { wire: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: "chunked"\r\n\r\nraw', eof: true, fast: 0 },
    { wire: 'HTTP/1.1 200 OK\r\nConnection: keep-alive, close\r\nContent-Length: 0\r\n\r\n', fast: 0 },
    { wire: 'HTTP/1.1 200 OK\r\nConnection: close x\r\nContent-Length: 0\r\n\r\n', fast: 0 },
    { wire: 'HTTP/1.1 200 OK\r\nConnection:\r\nContent-Length: 0\r\n\r\n', fast: 0 },
    { wire: 'HTTP/1.1 200 OK\r\nConnection: clo\xe9\r\nContent-Length: 0\r\n\r\n', fast: 0 },
    { wire: 'HTTP/1.1 200 OK\r\nX-Long: first\r\n second\r\nConnection:\r\n\tclose\r\nContent-Length: 1\r\n\r\n!', fast: 0 },
    { wire: 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\n \r\n\r\n!', fast: 0 },
    { wire: 'HTTP/1.1 200 OK\nContent-Length: 1\r\n\r\n!', fast: 0 },
    { wire: 'HTTP/1.1 200 OK\r\nContent-Length: 1\n\r\n!', fast: 0 },
    { wire: 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\n!', fast: 0 },
    { wire: 'HTTP/1.1 200 OK\rX\r\n\r\n', fast: 0 },
    { wire: 'HTTP/1.1 200 OK\r\nX: a\rb\r\n\r\n', fast: 0 },
    { wire: 'HTTP/1.1 200 OK\r\nX: a\r\n\rX', fast: 0 },
    { wire: 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok', fast: 0 },
    { wire: 'HTTP/1.1 199 Odd\r\nContent-Length: 2\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n', fast: 0 },
    { wire: 'HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\n\r\nbinary', fast: 0 },
    { wire: 'HTTP/1.1 099 Odd\r\n\r\n', fast: 0 },
    { wire: 'HTTP/1.1 20 OK\r\n\r\n', fast: 0 },
    { wire: 'HTTP/1.1 2000 OK\r\n\r\n', fast: 0 },
    { wire: 'HTTP/1.1 20x OK\r\n\r\n', fast: 0 },
    { wire: 'HTTP/1.1 200OK\r\n\r\n', fast: 0 },
    { wire: 'HTTP/1.1  200 OK\r\n\r\n', fast: 0 },
    { wire: 'HTTP/1.1 200\tOK\r\n\r\n', fast: 0 },
    { wire: 'HTTP/2 200\r\n\r\n', fast: 0 },
    { wire: 'HTTP/1.x 200 OK\r\n\r\n', fast: 0 },
    { wire: 'HTTP/11 200 OK\r\n\r\n', fast: 0 },
    { wire: 'http/1.1 200 OK\r\n\r\n', fast: 0 },
    { wire: 'SSH-2.0-OpenSSH_9.2\r\n', fast: 0 },
    { wire: 'HTTP/1.1 200 OK\r\nContent-Length : 1\r\n\r\nx', fast: 0 },
    { wire: 'HTTP/1.1 200 OK\r\n: empty name\r\n\r\n', fast: 0 },
    { wire: 'HTTP/1.1 200 OK\r\nX(y): 1\r\n\r\n', fast: 0 },
    { wire: 'HTTP/1.1 200 OK\r\nX\x00: 1\r\n\r\n', fast: 0 },
    { wire: 'HTTP/1.1 200 OK\r\nNo-Colon\r\n\r\n', fast: 0 },
  ];
  // The parser's other tests' inputs, with the same expectation: the fast path stays invisible.
  for (const c of CASES) INPUTS.push({ wire: c.wire, head: c.head, eof: c.eof, fast: -1 });
  for (const [, wire] of MALFORMED) INPUTS.push({ wire, fast: -1 });

  it('gives the byte-at-a-time results for every input, however it is split', () => {
    for (const input of INPUTS) {
      const wire = enc(input.wire);
      for (const ends of pieceEnds(wire.length)) expectSame(wire, ends, input);
    }
  });

  it('takes the plain header sections, and only those', () => {
    for (const input of INPUTS.filter((x) => x.fast >= 0)) {
      const wire = enc(input.wire);
      expect(expectSame(wire, [wire.length], input), JSON.stringify(input.wire.slice(0, 120))).toBe(input.fast);
    }
  });

  it('agrees with the byte-at-a-time parser on randomly damaged responses', () => {
    const pick = seededPick(12);
    const bases = INPUTS.filter((x) => x.fast > 0 && x.wire.length < 1000);
    const byte = () => [13, 10, 32, 9, 58, 44, 59, 48 + pick(10), 97 + pick(26), 65 + pick(26), 0x80 + pick(128), 0][pick(12)]!;
    let fastTaken = 0;
    const runs = 3000;
    for (let k = 0; k < runs; k++) {
      const base = bases[pick(bases.length)]!;
      const bytesOf = [...enc(base.wire)];
      for (let m = 1 + pick(3); m > 0; m--) {
        const at = pick(bytesOf.length);
        const kind = pick(3);
        if (kind === 0) bytesOf[at] = byte();
        else if (kind === 1) bytesOf.splice(at, 1);
        else bytesOf.splice(at, 0, byte());
      }
      const wire = Uint8Array.from(bytesOf);
      const opts = { head: base.head, eof: true };
      const n = wire.length;
      if (expectSame(wire, [n], opts) > 0) fastTaken++;
      const a = 1 + pick(n - 1);
      expectSame(wire, [a, n], opts);
      expectSame(wire, [a, a + pick(n - a), n], opts);
    }
    // Both paths were exercised: damaged inputs the fast path took, and ones it left alone.
    expect(fastTaken).toBeGreaterThan(runs / 10);
    expect(fastTaken).toBeLessThan(runs);
  });

  /**
   * Responses read one after another on one connection, each at the start of one shared buffer as
   * the generator reads them (so the memo of the last header section is in play): every result
   * equals the byte-at-a-time parser's. Returns the memo's hits.
   */
  let turns = 0;
  /** The memo is shared by all parsers: a response no test has sent before puts it in a known state. */
  function forgetMemo(): void {
    const primer = new Http1ResponseParser();
    const wire = enc(`HTTP/1.1 200 OK\r\nX-Turn: ${++turns}\r\nContent-Length: 0\r\n\r\n`);
    primer.reset(false);
    primer.execute(Uint8Array.from([...wire, 0, 0, 0, 0]), 0, wire.length);
    expect([primer.complete, primer.fastPathHits, primer.memoHits]).toEqual([true, 1, 0]);
  }

  function expectSameInTurn(wires: Uint8Array[], head: boolean[] = []): number {
    const shared = new Uint8Array(4096);
    const results = [true, false].map((fastPath) => {
      forgetMemo();
      const p = new Http1ResponseParser({ fastPath });
      const lines: string[] = [];
      wires.forEach((wire, k) => {
        shared.fill(0x7e);
        shared.set(wire, 0);
        p.reset(head[k] ?? false);
        const n = p.execute(shared, 0, wire.length);
        lines.push(`${n} ${p.complete} ${p.statusCode} ${p.keepAlive} ${p.bodyBytes} ${p.idle} ${p.error} | eof ${p.finish()} ${p.keepAlive}`);
      });
      return { text: lines.join('\n'), memoHits: p.memoHits };
    });
    if (results[0]!.text !== results[1]!.text) {
      expect(results[0]!.text, wires.map((w) => JSON.stringify(Buffer.from(w).toString('latin1'))).join(' then ')).toBe(results[1]!.text);
    }
    expect(results[1]!.memoHits).toBe(0);
    return results[0]!.memoHits;
  }

  it('remembers the last header section: the same bytes again are read from the memo, any other byte is not', () => {
    // Another parser (connection) reading the same section hits the memo too: it is one for all.
    const shared = new Uint8Array(4096);
    shared.set(enc(NGINX), 0);
    const [a, b] = [new Http1ResponseParser(), new Http1ResponseParser()];
    forgetMemo();
    for (const p of [a, b, a]) {
      p.reset(false);
      expect(p.execute(shared, 0, NGINX.length)).toBe(NGINX.length);
    }
    expect([a.memoHits, b.memoHits]).toEqual([1, 1]);

    const nginx = enc(NGINX);
    expect(expectSameInTurn([nginx, nginx, nginx])).toBe(2);
    const variants = [
      NGINX.replace('09:50:00', '09:50:01'), // nginx's Date, once a second
      NGINX.replace('Content-Length: 3', 'Content-Length: 4'),
      NGINX.replace('Content-Length: 3', 'Content-Length: 2'),
      NGINX.replace('keep-alive', 'close'),
      NGINX.replace('200 OK', '204 OK').replace('ok\n', ''),
      NGINX.replace('ok\n', 'no\n'), // the same section, another body
      NGINX.replace('HTTP/1.1', 'HTTP/1.0'),
      NGINX.replace('Connection: keep-alive\r\n', 'Transfer-Encoding: chunked\r\n').replace('ok\n', '3\r\nok\n\r\n0\r\n\r\n'),
      NGINX.replace('\r\n\r\n', '\r\nX: y\r\n\r\n'), // longer: the memo's empty line is not the end here
      NGINX.slice(0, 100), // cut off inside the remembered section
    ].map(enc);
    for (const v of variants) expectSameInTurn([nginx, v, nginx, v, v]);
    expectSameInTurn([nginx, nginx], [false, true]); // HEAD after GET: the same section, no body
    expect(expectSameInTurn([nginx, variants[0]!, variants[0]!])).toBe(1);
  });

  it('agrees with the byte-at-a-time parser when each response differs from the last by a byte', () => {
    const pick = seededPick(7);
    const bases = INPUTS.filter((x) => x.fast > 0 && x.wire.length < 1000).map((x) => enc(x.wire));
    let hits = 0;
    for (let k = 0; k < 2000; k++) {
      const base = bases[pick(bases.length)]!;
      const changed = Uint8Array.from(base);
      changed[pick(changed.length)] = [13, 10, 32, 58, 44, 48 + pick(10), 97 + pick(26), 65 + pick(26)][pick(8)]!;
      hits += expectSameInTurn([base, changed, base, base]);
    }
    expect(hits).toBeGreaterThan(2000); // the last response of each turn at least comes from the memo
  });
});
