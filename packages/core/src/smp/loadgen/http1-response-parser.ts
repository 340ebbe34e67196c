/**
 * An incremental HTTP/1.1 response parser for the load generator's hot path.
 *
 * Why hand-written: the generator reads every socket into one shared static buffer
 * (`net.connect({onread})`), so the parser must consume bytes synchronously and keep no reference
 * to them. It only extracts what a load generator needs (status code, keep-alive, where the
 * message ends) and never builds strings or objects per response. llhttp is not exposed by Node,
 * and http-parser-js (autocannon's) allocates header arrays per response.
 *
 * Usage, per connection:
 *   parser.reset(isHeadRequest)           before each request
 *   n = parser.execute(buf, start, end)   repeatedly; returns bytes consumed, -1 on a malformed
 *                                         response (see `error`). It stops right after a complete
 *                                         final response, with `complete` set.
 *   parser.finish()                       when the peer closed: completes a close-delimited body.
 *
 * What it handles (RFC 9112): status line (HTTP/1.0 and 1.1), header fields with obsolete line
 * folding, Content-Length (including identical comma-separated repeats), Transfer-Encoding with
 * chunked as the final coding (chunk extensions, trailers), bodies delimited by connection close,
 * 1xx interim responses (skipped; 101 is final), HEAD/204/304 without a body, `Connection: close`
 * and HTTP/1.0 keep-alive, bare LF line endings (tolerated, as browsers and curl do).
 *
 * Speed: a byte-at-a-time state machine costs several ns a byte, a noticeable share of the
 * generator's CPU. So a whole, plain header section in one read (nginx's, say) is parsed by a fast
 * path in tight loops; anything unusual is left to the state machine, which defines the results.
 */

// Parser states. Plain numeric constants: V8 turns the switch into a jump table.
const S_IDLE = 0; // before the first byte of a response (stray CR/LF tolerated)
const S_PROTO = 1; // matching "HTTP/"
const S_MAJOR = 2;
const S_DOT = 3;
const S_MINOR = 4;
const S_SP_BEFORE_CODE = 5;
const S_CODE = 6;
const S_AFTER_CODE = 7;
const S_REASON = 8;
const S_STATUS_LF = 9;
const S_LINE_START = 10; // start of a header line (or the empty line ending the headers)
const S_NAME = 11;
const S_VALUE = 12;
const S_VALUE_LF = 13;
const S_HEADERS_LF = 14; // CR of the empty line seen, expecting LF
const S_BODY_LENGTH = 15;
const S_BODY_CLOSE = 16;
const S_CHUNK_SIZE = 17;
const S_CHUNK_SIZE_WS = 18;
const S_CHUNK_EXT = 19;
const S_CHUNK_SIZE_LF = 20;
const S_CHUNK_DATA = 21;
const S_CHUNK_DATA_CR = 22;
const S_CHUNK_DATA_LF = 23;
const S_TRAILER_START = 24;
const S_TRAILER_LINE = 25;
const S_TRAILER_LF = 26; // CR of the empty line ending the trailers seen
const S_TRAILER_LINE_LF = 27;
const S_DONE = 28;
const S_ERROR = 29;

const CR = 13;
const LF = 10;
const SP = 32;
const HT = 9;

// Header fields the parser cares about.
const H_OTHER = 0;
const H_CONTENT_LENGTH = 1;
const H_TRANSFER_ENCODING = 2;
const H_CONNECTION = 4;
const NAME_CL = bytes('content-length');
const NAME_TE = bytes('transfer-encoding');
const NAME_CONN = bytes('connection');

// Words matched inside Transfer-Encoding and Connection values (bit per word).
const W_CHUNKED = 1;
const W_CLOSE = 2;
const W_KEEP_ALIVE = 4;
const WORD_CHUNKED = bytes('chunked');
const WORD_CLOSE = bytes('close');
const WORD_KEEP_ALIVE = bytes('keep-alive');
// Token matcher sub-states inside a list value.
const T_LEADING = 0;
const T_IN = 1;
const T_AFTER = 2; // trailing whitespace: another character makes the token invalid
const T_PARAMS = 3; // after ';': parameters are ignored up to the next ','

const PROTO = bytes('HTTP/');
/** Header sections larger than this are treated as malformed (nothing legitimate is this big). */
export const MAX_HEADER_BYTES = 64 * 1024;
/** Chunk sizes beyond 2^48 cannot be real and would lose precision as doubles. */
const MAX_CHUNK_HEX_DIGITS = 12;

/** RFC 9110 tchar lookup. */
const TCHAR = new Uint8Array(256);
for (const c of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") TCHAR[c.charCodeAt(0)] = 1;
/** Hex digit values, 255 for non-hex. */
const HEX = new Uint8Array(256).fill(255);
for (let i = 0; i < 10; i++) HEX[48 + i] = i;
for (let i = 0; i < 6; i++) {
  HEX[97 + i] = 10 + i;
  HEX[65 + i] = 10 + i;
}

function bytes(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** ASCII lowercase of a byte (only letters change; '-' and digits already have bit 0x20 set). */
function lower(c: number): number {
  return c >= 65 && c <= 90 ? c | 0x20 : c;
}

/** Whether buf[at, at + word.length) is `word` (lowercase) in any case. */
function sameWord(buf: Uint8Array, at: number, word: Uint8Array): boolean {
  for (let k = 0; k < word.length; k++) if (lower(buf[at + k]!) !== word[k]) return false;
  return true;
}

/**
 * The fast path's Content-Length value: OWS, 1 to 15 digits (below 2^53, so exact), OWS.
 * Returns the length, or -1 for anything else (lists, junk), which is the slow path's to judge.
 */
function simpleLength(buf: Uint8Array, i: number, end: number): number {
  while (i < end && (buf[i] === SP || buf[i] === HT)) i++;
  const first = i;
  let n = 0;
  while (i < end && isDigit(buf[i]!)) n = n * 10 + (buf[i++]! - 48);
  if (i === first || i - first > 15) return -1;
  while (i < end && (buf[i] === SP || buf[i] === HT)) i++;
  return i === end ? n : -1;
}

/**
 * The fast path's Transfer-Encoding or Connection value: OWS, one token, OWS. Returns which of
 * `words` (W_* bits) the token is, 0 for another token, -1 when the value is not that simple
 * (empty, a list, parameters, non-tchar bytes): the slow path's token matcher handles those.
 */
function simpleToken(buf: Uint8Array, i: number, end: number, words: number): number {
  while (i < end && (buf[i] === SP || buf[i] === HT)) i++;
  const first = i;
  while (i < end && TCHAR[buf[i]!] === 1) i++;
  const len = i - first;
  while (i < end && (buf[i] === SP || buf[i] === HT)) i++;
  if (len === 0 || i !== end) return -1;
  if (words & W_CHUNKED && len === WORD_CHUNKED.length && sameWord(buf, first, WORD_CHUNKED)) return W_CHUNKED;
  if (words & W_CLOSE && len === WORD_CLOSE.length && sameWord(buf, first, WORD_CLOSE)) return W_CLOSE;
  if (words & W_KEEP_ALIVE && len === WORD_KEEP_ALIVE.length && sameWord(buf, first, WORD_KEEP_ALIVE)) return W_KEEP_ALIVE;
  return 0;
}

/** Header sections up to this size are remembered for the next response of the connection. */
const MEMO_BYTES = 512;

/**
 * An Int32Array over the whole of `buf`'s memory, kept for the last buffer seen (the generator has
 * one). Keyed by the array itself: reading `buf.buffer` is a call into V8's runtime (it showed in `perf`).
 */
let wordView: Int32Array = new Int32Array(0);
let wordViewFor: Uint8Array | null = null;
/** buf.byteOffset of that buffer. */
let wordBase = 0;
function wordsOf(buf: Uint8Array): Int32Array {
  if (buf !== wordViewFor) {
    wordViewFor = buf;
    wordBase = buf.byteOffset;
    wordView = new Int32Array(buf.buffer, 0, buf.buffer.byteLength >> 2);
  }
  return wordView;
}

/**
 * The last header section the fast path read (by any parser), and what it read from it. A server
 * sends the same section again and again (nginx's changes once a second, with its Date), and
 * comparing it a word at a time costs about a tenth of reading it again (bench/README.md). One memo
 * for all connections rather than one each: the same bytes stay in cache, where 200 copies would
 * not. It is a memo of a pure function of the bytes, so sharing it cannot change a result.
 */
const memo = new Int32Array(MEMO_BYTES >> 2);
const memoBytes = new Uint8Array(memo.buffer);
let memoLength = 0;
let memoMinor = 0;
let memoStatus = 0;
let memoContentLength = -1;
let memoFlags = 0;

export class Http1ResponseParser {
  /** Status code of the last complete final response (or of the response being parsed). */
  statusCode = 0;
  /** HTTP minor version of the response (0 or 1). */
  httpMinor = 1;
  /** Set by execute() when a final response is complete; cleared by reset(). */
  complete = false;
  /** Whether the connection can carry another request after this response. */
  keepAlive = true;
  /** Why execute() returned -1. */
  error = '';
  /** Body bytes of the current response. The generator does not read it; the parser's tests check body framing with it. */
  bodyBytes = 0;
  /** Header sections parsed by the fast path; the tests check with it that the fast path runs. */
  fastPathHits = 0;
  /** Of those, the ones that were byte for byte the last section read (the memo). */
  memoHits = 0;

  /** Off only in tests, which compare the fast path with the byte-at-a-time parser alone. */
  private readonly fastPath: boolean;

  private state = S_IDLE;
  private expectNoBody = false;
  private idx = 0; // position in PROTO, digits in the status code
  private headerBytes = 0;
  // Header name matching.
  private nameLen = 0;
  private nameMask = 0;
  private header = H_OTHER;
  private pendingHeader = false; // a value ended; it is finalised at the next line (obs-fold)
  // Content-Length.
  private contentLength = -1;
  private clCur = -1; // value of the list element being read (-1 = no digit yet)
  private clSeenSpaceAfter = false;
  // Transfer-Encoding / Connection token matching.
  private tokState = T_LEADING;
  private tokLen = 0;
  private tokMask = 0;
  private hasTransferEncoding = false;
  private teChunkedLast = false;
  private connClose = false;
  private connKeepAlive = false;
  // Bodies.
  private remaining = 0;
  private chunkDigits = 0;

  constructor(options: { fastPath?: boolean } = {}) {
    this.fastPath = options.fastPath ?? true;
  }

  /** Prepares for the response to the next request. */
  reset(expectNoBody: boolean): void {
    this.expectNoBody = expectNoBody;
    this.complete = false;
    this.error = '';
    this.bodyBytes = 0;
    this.statusCode = 0;
    this.state = S_IDLE;
    this.beginMessage();
  }

  /** True when no byte of a response has been seen since reset(). */
  get idle(): boolean {
    return this.state === S_IDLE;
  }

  /**
   * Consumes bytes [start, end) of buf. Returns how many bytes were consumed: all of them, or
   * fewer when a final response completed earlier (the rest belongs to whatever follows), or -1
   * when the response is malformed. After a completion or an error, call reset() before more input.
   */
  execute(buf: Uint8Array, start: number, end: number): number {
    if (this.state === S_DONE) return 0;
    if (this.state === S_ERROR) return -1;
    let i = start;
    if (this.state === S_IDLE && this.fastPath) {
      const n = this.sameAsMemo(buf, start, end) ? this.fromMemo() : this.fastHeaders(buf, start, end);
      if (n > 0) {
        this.fastPathHits++;
        if (this.headersDone()) return n;
        i += n;
      }
    }
    for (; i < end; i++) {
      const c = buf[i]!;
      switch (this.state) {
        case S_IDLE:
          if (c === CR || c === LF) continue; // stray line breaks between messages
          if (c !== PROTO[0]) return this.fail('the response does not start with "HTTP/"');
          this.state = S_PROTO;
          this.idx = 1;
          break;
        case S_PROTO:
          if (c !== PROTO[this.idx]) return this.fail('the response does not start with "HTTP/"');
          if (++this.idx === PROTO.length) this.state = S_MAJOR;
          break;
        case S_MAJOR:
          if (c !== 49 /* 1 */) return this.fail(`unsupported HTTP major version "${String.fromCharCode(c)}"`);
          this.state = S_DOT;
          break;
        case S_DOT:
          if (c !== 46 /* . */) return this.fail('malformed HTTP version in the status line');
          this.state = S_MINOR;
          break;
        case S_MINOR:
          if (c < 48 || c > 57) return this.fail('malformed HTTP version in the status line');
          this.httpMinor = c - 48;
          this.state = S_SP_BEFORE_CODE;
          break;
        case S_SP_BEFORE_CODE:
          if (c !== SP) return this.fail('expected a space after the HTTP version');
          this.state = S_CODE;
          this.idx = 0;
          this.statusCode = 0;
          break;
        case S_CODE:
          if (c < 48 || c > 57) return this.fail('the status code is not three digits');
          this.statusCode = this.statusCode * 10 + (c - 48);
          if (++this.idx === 3) {
            if (this.statusCode < 100) return this.fail(`invalid status code ${this.statusCode}`);
            this.state = S_AFTER_CODE;
          }
          break;
        case S_AFTER_CODE:
          // A reason phrase follows a space; some servers send none at all.
          if (c === SP) this.state = S_REASON;
          else if (c === CR) this.state = S_STATUS_LF;
          else if (c === LF) this.state = S_LINE_START;
          else return this.fail('the status code is not three digits');
          break;
        case S_REASON:
          if (c === CR) this.state = S_STATUS_LF;
          else if (c === LF) this.state = S_LINE_START;
          break;
        case S_STATUS_LF:
          if (c !== LF) return this.fail('CR without LF in the status line');
          this.state = S_LINE_START;
          break;
        case S_LINE_START:
          if (c === SP || c === HT) {
            // Obsolete line folding: the previous value continues (RFC 9112 5.2: replace with SP).
            if (!this.pendingHeader) return this.fail('a header line starts with whitespace');
            this.pendingHeader = false;
            this.state = S_VALUE;
            this.valueByte(SP);
            break;
          }
          if (this.pendingHeader && !this.finishHeader()) return -1;
          if (c === CR) {
            this.state = S_HEADERS_LF;
          } else if (c === LF) {
            if (this.headersDone()) return i + 1 - start;
          } else {
            if (TCHAR[c] !== 1) return this.fail(`invalid character 0x${c.toString(16)} in a header name`);
            this.state = S_NAME;
            this.nameLen = 0;
            this.nameMask = H_CONTENT_LENGTH | H_TRANSFER_ENCODING | H_CONNECTION;
            this.nameByte(c);
          }
          break;
        case S_NAME:
          if (c === 58 /* : */) {
            if (!this.startValue()) return -1;
            this.state = S_VALUE;
          } else if (TCHAR[c] === 1) {
            this.nameByte(c);
          } else {
            return this.fail(`invalid character 0x${c.toString(16)} in a header name`);
          }
          break;
        case S_VALUE:
          if (c === CR) this.state = S_VALUE_LF;
          else if (c === LF) {
            this.state = S_LINE_START;
            this.pendingHeader = true;
          } else if (this.header === H_OTHER) {
            // Fast skip over values nobody reads.
            let j = i + 1;
            while (j < end && buf[j] !== CR && buf[j] !== LF) j++;
            this.headerBytes += j - i - 1;
            i = j - 1;
          } else if (!this.valueByte(c)) return -1;
          break;
        case S_VALUE_LF:
          if (c !== LF) return this.fail('CR without LF in a header line');
          this.state = S_LINE_START;
          this.pendingHeader = true;
          break;
        case S_HEADERS_LF:
          if (c !== LF) return this.fail('CR without LF at the end of the headers');
          if (this.headersDone()) return i + 1 - start;
          break;
        case S_BODY_LENGTH: {
          const n = Math.min(this.remaining, end - i);
          this.remaining -= n;
          this.bodyBytes += n;
          i += n - 1;
          if (this.remaining === 0) return this.done(i + 1 - start);
          break;
        }
        case S_BODY_CLOSE:
          this.bodyBytes += end - i;
          i = end - 1;
          break;
        case S_CHUNK_SIZE: {
          const h = HEX[c]!;
          if (h !== 255) {
            if (++this.chunkDigits > MAX_CHUNK_HEX_DIGITS) return this.fail('chunk size too large');
            this.remaining = this.remaining * 16 + h;
          } else if (this.chunkDigits === 0) {
            return this.fail('missing chunk size');
          } else if (c === CR) this.state = S_CHUNK_SIZE_LF;
          else if (c === LF) this.chunkSizeDone();
          else if (c === 59 /* ; */) this.state = S_CHUNK_EXT;
          else if (c === SP || c === HT) this.state = S_CHUNK_SIZE_WS;
          else return this.fail(`invalid character 0x${c.toString(16)} in a chunk size`);
          break;
        }
        case S_CHUNK_SIZE_WS:
          if (c === 59) this.state = S_CHUNK_EXT;
          else if (c === CR) this.state = S_CHUNK_SIZE_LF;
          else if (c === LF) this.chunkSizeDone();
          else if (c !== SP && c !== HT) return this.fail('invalid chunk size line');
          break;
        case S_CHUNK_EXT:
          // Extensions are ignored (quoted strings cannot contain CR/LF either), but bounded.
          if (++this.headerBytes > MAX_HEADER_BYTES) return this.fail('chunk extension too large');
          if (c === CR) this.state = S_CHUNK_SIZE_LF;
          else if (c === LF) this.chunkSizeDone();
          break;
        case S_CHUNK_SIZE_LF:
          if (c !== LF) return this.fail('CR without LF after a chunk size');
          this.chunkSizeDone();
          break;
        case S_CHUNK_DATA: {
          const n = Math.min(this.remaining, end - i);
          this.remaining -= n;
          this.bodyBytes += n;
          i += n - 1;
          if (this.remaining === 0) this.state = S_CHUNK_DATA_CR;
          break;
        }
        case S_CHUNK_DATA_CR:
          if (c === CR) this.state = S_CHUNK_DATA_LF;
          else if (c === LF) this.beginChunk();
          else return this.fail('chunk data is longer than its size');
          break;
        case S_CHUNK_DATA_LF:
          if (c !== LF) return this.fail('CR without LF after chunk data');
          this.beginChunk();
          break;
        case S_TRAILER_START:
          if (c === CR) this.state = S_TRAILER_LF;
          else if (c === LF) return this.done(i + 1 - start);
          else if (TCHAR[c] === 1) this.state = S_TRAILER_LINE;
          else return this.fail(`invalid character 0x${c.toString(16)} in a trailer field`);
          break;
        case S_TRAILER_LINE:
          if (++this.headerBytes > MAX_HEADER_BYTES) return this.fail('trailer section too large');
          if (c === CR) this.state = S_TRAILER_LINE_LF;
          else if (c === LF) this.state = S_TRAILER_START;
          break;
        case S_TRAILER_LINE_LF:
          if (c !== LF) return this.fail('CR without LF in a trailer line');
          this.state = S_TRAILER_START;
          break;
        case S_TRAILER_LF:
          if (c !== LF) return this.fail('CR without LF at the end of the trailers');
          return this.done(i + 1 - start);
      }
      // Bound the header section: a peer that never ends it must not keep us parsing forever.
      if (this.state < S_BODY_LENGTH && ++this.headerBytes > MAX_HEADER_BYTES) {
        return this.fail(`response header section larger than ${MAX_HEADER_BYTES} bytes`);
      }
    }
    return i - start;
  }

  /**
   * The common case at a fraction of the per-byte cost: a whole, plain header section of a final
   * response in these bytes, read by loops over locals rather than a switch and field writes per
   * byte. On success it sets what the byte-at-a-time path would have set by the empty line
   * (headersDone() decides the rest) and returns the section's length. Anything else (cut off,
   * bare LF, obs-fold, 1xx, lists, any malformed byte) returns 0 with nothing changed, and the
   * slow path parses the same bytes from the start, so results and error messages stay its own.
   */
  private fastHeaders(buf: Uint8Array, start: number, end: number): number {
    // A section of at most MAX_HEADER_BYTES is within the slow path's bound (it counts all but the
    // final LF); a larger one is the slow path's to accept or reject.
    const stop = Math.min(end, start + MAX_HEADER_BYTES);
    // Status line "HTTP/1.<minor> <code>", the shortest whole section being "HTTP/1.1 200\r\n\r\n".
    if (stop - start < 16) return 0;
    for (let k = 0; k < PROTO.length; k++) if (buf[start + k] !== PROTO[k]) return 0;
    const minor = buf[start + 7]!;
    const d0 = buf[start + 9]!;
    const d1 = buf[start + 10]!;
    const d2 = buf[start + 11]!;
    if (buf[start + 5] !== 49 || buf[start + 6] !== 46 || !isDigit(minor) || buf[start + 8] !== SP) return 0;
    if (!isDigit(d0) || !isDigit(d1) || !isDigit(d2)) return 0;
    const status = (d0 - 48) * 100 + (d1 - 48) * 10 + (d2 - 48);
    // Interim responses, 101 and invalid codes keep their special handling in the slow path.
    if (status < 200) return 0;
    let i = start + 12;
    if (buf[i] === SP) while (i < stop && buf[i] !== CR && buf[i] !== LF) i++;
    if (i + 1 >= stop || buf[i] !== CR || buf[i + 1] !== LF) return 0;
    i += 2;

    let contentLength = -1;
    let hasTransferEncoding = false;
    let teChunkedLast = false;
    let connClose = false;
    let connKeepAlive = false;
    for (;;) {
      if (i >= stop) return 0;
      if (buf[i] === CR) break;
      // A line starting with SP/HT (obs-fold), LF or a non-tchar fails here: no name.
      const name = i;
      while (i < stop && TCHAR[buf[i]!] === 1) i++;
      const nameLen = i - name;
      if (nameLen === 0 || i >= stop || buf[i] !== 58 /* : */) return 0;
      const value = ++i;
      while (i < stop && buf[i] !== CR && buf[i] !== LF) i++;
      if (i + 1 >= stop || buf[i] !== CR || buf[i + 1] !== LF) return 0;
      const valueEnd = i;
      i += 2;
      if (nameLen === NAME_CL.length && sameWord(buf, name, NAME_CL)) {
        // A repeat, even an identical one, is left to the slow path's list rules.
        if (contentLength >= 0) return 0;
        contentLength = simpleLength(buf, value, valueEnd);
        if (contentLength < 0) return 0;
      } else if (nameLen === NAME_TE.length && sameWord(buf, name, NAME_TE)) {
        const w = simpleToken(buf, value, valueEnd, W_CHUNKED);
        if (w < 0) return 0;
        // As in the slow path, the last header's coding is the final one.
        hasTransferEncoding = true;
        teChunkedLast = w === W_CHUNKED;
      } else if (nameLen === NAME_CONN.length && sameWord(buf, name, NAME_CONN)) {
        const w = simpleToken(buf, value, valueEnd, W_CLOSE | W_KEEP_ALIVE);
        if (w < 0) return 0;
        if (w === W_CLOSE) connClose = true;
        else if (w === W_KEEP_ALIVE) connKeepAlive = true;
      }
    }
    if (i + 1 >= stop || buf[i + 1] !== LF) return 0;
    const length = i + 2 - start;

    this.httpMinor = minor - 48;
    this.statusCode = status;
    this.contentLength = contentLength;
    this.hasTransferEncoding = hasTransferEncoding;
    this.teChunkedLast = teChunkedLast;
    this.connClose = connClose;
    this.connKeepAlive = connKeepAlive;
    this.headerBytes = length - 1; // as the slow path counts
    if (length <= MEMO_BYTES) this.remember(buf, start, length);
    return length;
  }

  /** Keeps a section the fast path read, with what it read, for sameAsMemo(). */
  private remember(buf: Uint8Array, start: number, length: number): void {
    for (let k = 0; k < length; k++) memoBytes[k] = buf[start + k]!;
    memoLength = length;
    memoMinor = this.httpMinor;
    memoStatus = this.statusCode;
    memoContentLength = this.contentLength;
    memoFlags = (this.hasTransferEncoding ? 1 : 0) | (this.teChunkedLast ? 2 : 0) | (this.connClose ? 4 : 0) | (this.connKeepAlive ? 8 : 0);
  }

  /**
   * Whether buf[start, start + memoLength) is the remembered section, byte for byte: then the fast
   * path would read the same from it (it ends with the same empty line). Compared a word at a time
   * where buf is 4-byte aligned at start (the generator's reads start at its buffer's first byte).
   */
  private sameAsMemo(buf: Uint8Array, start: number, end: number): boolean {
    const length = memoLength;
    if (length === 0 || end - start < length) return false;
    const words = wordsOf(buf);
    const at = wordBase + start;
    if ((at & 3) !== 0) return false;
    const n = length >> 2;
    const w = at >> 2;
    for (let k = 0; k < n; k++) if (words[w + k] !== memo[k]) return false;
    for (let k = n << 2; k < length; k++) if (buf[start + k] !== memoBytes[k]) return false;
    return true;
  }

  private fromMemo(): number {
    this.memoHits++;
    this.httpMinor = memoMinor;
    this.statusCode = memoStatus;
    this.contentLength = memoContentLength;
    const flags = memoFlags;
    this.hasTransferEncoding = (flags & 1) !== 0;
    this.teChunkedLast = (flags & 2) !== 0;
    this.connClose = (flags & 4) !== 0;
    this.connKeepAlive = (flags & 8) !== 0;
    this.headerBytes = memoLength - 1;
    return memoLength;
  }

  /**
   * The peer closed the connection. Returns true when that completes the response (a body
   * delimited by close); false when the response was cut short or never started (see `idle`).
   */
  finish(): boolean {
    if (this.state === S_BODY_CLOSE) {
      this.keepAlive = false;
      this.state = S_DONE;
      this.complete = true;
      return true;
    }
    return this.state === S_DONE;
  }

  private fail(message: string): number {
    this.state = S_ERROR;
    this.error = message;
    return -1;
  }

  /** fail() for helpers that return a boolean. */
  private invalid(message: string): false {
    this.fail(message);
    return false;
  }

  private done(consumed: number): number {
    this.state = S_DONE;
    this.complete = true;
    return consumed;
  }

  /** Per-message state (also between an interim 1xx response and the final one). */
  private beginMessage(): void {
    this.headerBytes = 0;
    this.pendingHeader = false;
    this.header = H_OTHER;
    this.contentLength = -1;
    this.hasTransferEncoding = false;
    this.teChunkedLast = false;
    this.connClose = false;
    this.connKeepAlive = false;
    this.remaining = 0;
    this.chunkDigits = 0;
    this.keepAlive = true;
  }

  private nameByte(c: number): void {
    const l = lower(c);
    const n = this.nameLen++;
    let m = this.nameMask;
    if (m & H_CONTENT_LENGTH && NAME_CL[n] !== l) m &= ~H_CONTENT_LENGTH;
    if (m & H_TRANSFER_ENCODING && NAME_TE[n] !== l) m &= ~H_TRANSFER_ENCODING;
    if (m & H_CONNECTION && NAME_CONN[n] !== l) m &= ~H_CONNECTION;
    this.nameMask = m;
  }

  private startValue(): boolean {
    if (this.nameLen === 0) return this.invalid('empty header name');
    const m = this.nameMask;
    this.header =
      m & H_CONTENT_LENGTH && this.nameLen === NAME_CL.length
        ? H_CONTENT_LENGTH
        : m & H_TRANSFER_ENCODING && this.nameLen === NAME_TE.length
          ? H_TRANSFER_ENCODING
          : m & H_CONNECTION && this.nameLen === NAME_CONN.length
            ? H_CONNECTION
            : H_OTHER;
    this.clCur = -1;
    this.clSeenSpaceAfter = false;
    this.tokState = T_LEADING;
    this.tokLen = 0;
    this.tokMask = 0;
    if (this.header === H_TRANSFER_ENCODING) this.hasTransferEncoding = true;
    return true;
  }

  /** One byte of an interesting header value (not CR/LF). */
  private valueByte(c: number): boolean {
    if (this.header === H_CONTENT_LENGTH) {
      if (c >= 48 && c <= 57) {
        if (this.clSeenSpaceAfter) return this.invalid('invalid Content-Length');
        this.clCur = this.clCur < 0 ? c - 48 : this.clCur * 10 + (c - 48);
        if (this.clCur > Number.MAX_SAFE_INTEGER) return this.invalid('Content-Length too large');
      } else if (c === SP || c === HT) {
        if (this.clCur >= 0) this.clSeenSpaceAfter = true;
      } else if (c === 44 /* , */) {
        // "Content-Length: 5, 5" is allowed when every element is the same (RFC 9110 8.6).
        if (!this.endContentLengthElement()) return false;
      } else {
        return this.invalid(`invalid Content-Length (character 0x${c.toString(16)})`);
      }
      return true;
    }
    if (this.header === H_OTHER) return true;
    // Transfer-Encoding and Connection: comma-separated tokens, case-insensitive.
    if (c === 44 /* , */) {
      this.endToken();
      return true;
    }
    switch (this.tokState) {
      case T_LEADING:
        if (c === SP || c === HT) return true;
        this.tokState = T_IN;
        this.tokLen = 0;
        this.tokMask = this.header === H_TRANSFER_ENCODING ? W_CHUNKED : W_CLOSE | W_KEEP_ALIVE;
        this.tokenByte(c);
        return true;
      case T_IN:
        if (c === SP || c === HT) this.tokState = T_AFTER;
        else if (c === 59 /* ; */) this.tokState = T_PARAMS;
        else this.tokenByte(c);
        return true;
      case T_AFTER:
        if (c === 59) this.tokState = T_PARAMS;
        else if (c !== SP && c !== HT) this.tokMask = 0; // "chunked x": not the token we look for
        return true;
      default:
        return true; // parameters
    }
  }

  private tokenByte(c: number): void {
    const l = lower(c);
    const n = this.tokLen++;
    let m = this.tokMask;
    if (m & W_CHUNKED && WORD_CHUNKED[n] !== l) m &= ~W_CHUNKED;
    if (m & W_CLOSE && WORD_CLOSE[n] !== l) m &= ~W_CLOSE;
    if (m & W_KEEP_ALIVE && WORD_KEEP_ALIVE[n] !== l) m &= ~W_KEEP_ALIVE;
    this.tokMask = m;
  }

  private endToken(): void {
    if (this.tokState !== T_LEADING) {
      const m = this.tokMask;
      const len = this.tokLen;
      if (this.header === H_TRANSFER_ENCODING) {
        // Only the final coding decides whether the body is chunked.
        this.teChunkedLast = (m & W_CHUNKED) !== 0 && len === WORD_CHUNKED.length;
      } else {
        if (m & W_CLOSE && len === WORD_CLOSE.length) this.connClose = true;
        if (m & W_KEEP_ALIVE && len === WORD_KEEP_ALIVE.length) this.connKeepAlive = true;
      }
    }
    this.tokState = T_LEADING;
    this.tokLen = 0;
    this.tokMask = 0;
  }

  private endContentLengthElement(): boolean {
    if (this.clCur < 0) return this.invalid('invalid Content-Length (empty)');
    if (this.contentLength >= 0 && this.contentLength !== this.clCur) {
      return this.invalid('conflicting Content-Length values');
    }
    this.contentLength = this.clCur;
    this.clCur = -1;
    this.clSeenSpaceAfter = false;
    return true;
  }

  /** A header line (with any folded continuation) has ended. */
  private finishHeader(): boolean {
    this.pendingHeader = false;
    if (this.header === H_CONTENT_LENGTH) {
      if (!this.endContentLengthElement()) return false;
    } else if (this.header === H_TRANSFER_ENCODING || this.header === H_CONNECTION) {
      this.endToken();
    }
    this.header = H_OTHER;
    return true;
  }

  /**
   * The empty line after the headers: decide how the body is delimited (RFC 9112 6.3).
   * Returns true when the response is complete (it has no body).
   */
  private headersDone(): boolean {
    const status = this.statusCode;
    if (status < 200 && status !== 101) {
      // Interim response (100 Continue, 103 Early Hints): the final response follows.
      this.beginMessage();
      this.state = S_IDLE;
      return false;
    }
    this.keepAlive = this.httpMinor >= 1 ? !this.connClose : this.connKeepAlive && !this.connClose;
    if (status === 101) {
      // Switching protocols: the connection is no longer HTTP/1.1 for us.
      this.keepAlive = false;
      this.done(0);
      return true;
    }
    if (this.expectNoBody || status === 204 || status === 304) {
      this.done(0);
      return true;
    }
    if (this.hasTransferEncoding) {
      // Transfer-Encoding overrides Content-Length; a message with both must not be reused.
      if (this.contentLength >= 0) this.keepAlive = false;
      if (this.teChunkedLast) {
        this.beginChunk();
      } else {
        this.keepAlive = false;
        this.state = S_BODY_CLOSE;
      }
      return false;
    }
    if (this.contentLength >= 0) {
      if (this.contentLength === 0) {
        this.done(0);
        return true;
      }
      this.remaining = this.contentLength;
      this.state = S_BODY_LENGTH;
      return false;
    }
    this.keepAlive = false;
    this.state = S_BODY_CLOSE;
    return false;
  }

  private beginChunk(): void {
    this.headerBytes = 0;
    this.state = S_CHUNK_SIZE;
    this.remaining = 0;
    this.chunkDigits = 0;
  }

  private chunkSizeDone(): void {
    if (this.remaining === 0) {
      this.headerBytes = 0;
      this.state = S_TRAILER_START;
    } else {
      this.state = S_CHUNK_DATA;
    }
  }
}
