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
