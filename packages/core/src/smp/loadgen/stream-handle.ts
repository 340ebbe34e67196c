/**
 * Reads and writes of the load generator's sockets, straight on their stream handles when this
 * Node's handle API is one we know: reads of plain TCP and TLS sockets, writes of plain TCP ones.
 *
 * Reads: a socket made with `net.connect({onread})` or `tls.connect({onread})` already reads into
 * the generator's one buffer (a TLS handle decrypts into it); its handle then calls Node's
 * `onStreamRead` (lib/internal/stream_base_commons.js), which updates
 * the socket's idle timer, checks `destroyed` and calls the `onread` callback. The generator sets no
 * socket timeout and ignores reads of replaced sockets itself, so `readDirect` puts its own function
 * in the handle's `onread` for reads of data, and leaves end of stream and errors to Node's.
 *
 * Writes:
 * Why: `socket.write()` runs the Writable stream layer for every request (state checks, a write
 * callback deferred with `process.nextTick`, and on Node 20 to 24.19 a `WriteWrap` allocated per
 * write), and the generator's request is always one small prebuilt buffer written to a socket with
 * nothing else queued. `npm run bench` measured that layer as the largest part of the generator's
 * own CPU time after the parser (bench/README.md, "Direct writes").
 *
 * What is called is what net.Socket itself calls: the handle's `writeBuffer`
 * (lib/internal/stream_base_commons.js, `writeGeneric`, in Node's own source). Its calling
 * convention is internal and changed inside Node 24 (v24.19.0: `writeBuffer(req, data)` with a
 * `WriteWrap` and the async flag in `streamBaseState[kLastWriteWasAsync]`; v24.22.3: `writeBuffer(null,
 * data)` returning the error number, or a request object when the write went asynchronous, with
 * `kLastWriteErr`). A wrong guess aborts the process (a C++ CHECK), not a catchable error, so the
 * convention is recognised from the binding's exported constants, and anything else (or a socket
 * still connecting or with bytes queued in its stream) goes through `socket.write()`. So do TLS
 * sockets: a TLS handle completes every write asynchronously and aborts the process if a second
 * write arrives before the first completed (`CHECK(!current_write_)` in TLSWrap::DoWrite,
 * src/crypto/crypto_tls.cc), an order that Node's Writable layer keeps and a direct write would
 * have to keep itself.
 */
import net from 'node:net';
import { getSystemErrorName } from 'node:util';

interface StreamWrapBinding {
  WriteWrap: new () => WriteReq;
  streamBaseState: Int32Array;
  kReadBytesOrError: number;
  kLastWriteWasAsync?: number;
  kLastWriteErr?: number;
}

interface WriteReq {
  oncomplete?: (status: number) => void;
  handle?: unknown;
  buffer?: Uint8Array | null;
  writeStatus?: number | null;
  socket?: net.Socket;
}

interface StreamHandle {
  writeBuffer(req: WriteReq | null, data: Uint8Array): number | WriteReq;
  onread: (this: StreamHandle, arrayBuffer: unknown) => unknown;
}

type Convention =
  | { kind: 'wrap'; binding: StreamWrapBinding; asyncIndex: number }
  | { kind: 'null'; binding: StreamWrapBinding; errIndex: number };

/** The handle convention of the running Node, or null: then every write goes through socket.write(). */
function recognise(): Convention | null {
  // process.binding prints a deprecation warning under --pending-deprecation; stay silent instead.
  if (process.execArgv.includes('--pending-deprecation') || /--pending-deprecation/.test(process.env['NODE_OPTIONS'] ?? '')) return null;
  let binding: StreamWrapBinding;
  try {
    binding = (process as unknown as { binding(name: string): StreamWrapBinding }).binding('stream_wrap');
  } catch {
    return null;
  }
  if (typeof binding?.WriteWrap !== 'function' || !(binding.streamBaseState instanceof Int32Array)) return null;
  const size = binding.streamBaseState.length;
  const inState = (k: number | undefined): k is number => Number.isInteger(k) && k! >= 0 && k! < size;
  if (!inState(binding.kReadBytesOrError)) return null;
  if (inState(binding.kLastWriteErr)) return { kind: 'null', binding, errIndex: binding.kLastWriteErr };
  if (inState(binding.kLastWriteWasAsync)) return { kind: 'wrap', binding, asyncIndex: binding.kLastWriteWasAsync };
  return null;
}

const convention = recognise();

/** Which path writes take on this Node: for the tests and the bench's header. */
export const directWrites: 'wrap' | 'null' | 'off' = convention?.kind ?? 'off';

/** What a direct read delivers to (the generator's connection: a socket it replaces is destroyed first, which stops its handle's reads). */
export interface HandleReader {
  onBytes(nread: number): void;
}

const kReader = Symbol('meshspec.handleReader');
type ReadingHandle = StreamHandle & { [kReader]?: HandleReader };
/** Node's own onStreamRead, taken from the first handle: end of stream and errors are its business. */
let nodeOnread: StreamHandle['onread'] | null = null;

/**
 * One function for every handle (not a closure per socket): the handle's C++ side reads the
 * function object on every read, and one object stays in cache where 200 would not
 * (`v8::Value::IsFunction` showed at 1% of the generator's CPU at 200 connections).
 */
function onread(this: ReadingHandle, arrayBuffer: unknown): unknown {
  const nread = convention!.binding.streamBaseState[readIndex]!;
  if (nread > 0) {
    this[kReader]!.onBytes(nread);
    return undefined;
  }
  return nodeOnread!.call(this, arrayBuffer);
}
const readIndex = convention?.binding.kReadBytesOrError ?? 0;

/**
 * Delivers every read of data on a socket created with `net.connect({onread})` or `tls.connect({onread})` to
 * `reader.onBytes(nread)` (the bytes are in the onread buffer), bypassing Node's onStreamRead; end
 * of stream and read errors still go through Node (the socket's 'end', 'error' and 'close' events).
 * Returns false, changing nothing, when the socket or this Node is not one it knows: then the
 * `onread` callback keeps being called.
 */
export function readDirect(socket: net.Socket, reader: HandleReader): boolean {
  const handle = (socket as unknown as { _handle: ReadingHandle | null })._handle;
  if (convention === null || handle === null || typeof handle.onread !== 'function') return false;
  if (handle.onread !== onread) {
    if (nodeOnread === null) nodeOnread = handle.onread;
    else if (handle.onread !== nodeOnread) return false; // someone else's reader: leave it alone
  }
  handle[kReader] = reader;
  handle.onread = onread;
  return true;
}

/** Reused for every write that completes synchronously (the handle keeps no reference to it then). */
let spareReq: WriteReq | null = null;

function writeError(status: number): Error {
  let code: string;
  try {
    code = getSystemErrorName(status);
  } catch {
    code = 'UNKNOWN';
  }
  return Object.assign(new Error(`write ${code}`), { code, errno: status, syscall: 'write' });
}

function onWriteComplete(this: WriteReq, status: number): void {
  const socket = this.socket!;
  this.socket = undefined;
  this.buffer = null;
  if (status < 0 && !socket.destroyed) socket.destroy(writeError(status));
}

/** An opaque stream handle that writeToHandle can write to. */
export type DirectHandle = { readonly __directHandle: unique symbol };

/**
 * The socket's handle, when requests can be written straight to it now: a plain TCP socket,
 * connected, with nothing queued in its stream, on a Node whose handle convention is known.
 * A caller may keep it while the socket stays open and its peer has not ended it ('end').
 */
export function directHandle(socket: net.Socket): DirectHandle | null {
  const handle = (socket as unknown as { _handle: StreamHandle | null })._handle;
  if (convention === null || handle === null || socket.connecting || socket.writableLength > 0 || (socket as { encrypted?: boolean }).encrypted) return null;
  return handle as unknown as DirectHandle;
}

/**
 * Writes `bytes` to `socket`, straight to its handle when it can. A failed write destroys the
 * socket with an error whose `code` is the errno name, as socket.write() does, so the socket's
 * 'error' and 'close' listeners see it the same way.
 */
export function writeRequest(socket: net.Socket, bytes: Uint8Array): void {
  const handle = directHandle(socket);
  if (handle === null) socket.write(bytes);
  else writeToHandle(handle, socket, bytes);
}

/** Writes `bytes` to a handle from directHandle(socket); errors destroy `socket` (see writeRequest). */
export function writeToHandle(direct: DirectHandle, socket: net.Socket, bytes: Uint8Array): void {
  const handle = direct as unknown as StreamHandle;
  const conv = convention!;
  if (conv.kind === 'null') {
    const ret = handle.writeBuffer(null, bytes);
    if (typeof ret === 'number') {
      if (ret !== 0) socket.destroy(writeError(ret));
      return;
    }
    const err = conv.binding.streamBaseState[conv.errIndex]!;
    if (err !== 0) {
      socket.destroy(writeError(err));
      return;
    }
    // Asynchronous: the handle calls oncomplete when the kernel took the rest; keep the bytes alive until then.
    ret.handle = handle;
    ret.socket = socket;
    ret.buffer = bytes;
    ret.oncomplete = onWriteComplete;
    const status = ret.writeStatus;
    if (status !== null && status !== undefined) {
      ret.writeStatus = null;
      ret.oncomplete(status);
    }
    return;
  }
  const req = spareReq ?? new conv.binding.WriteWrap();
  spareReq = null;
  const err = handle.writeBuffer(req, bytes) as number;
  if (err !== 0) {
    spareReq = req;
    socket.destroy(writeError(err));
    return;
  }
  if (conv.binding.streamBaseState[conv.asyncIndex] === 0) {
    spareReq = req;
    return;
  }
  req.handle = handle;
  req.socket = socket;
  req.buffer = bytes;
  req.oncomplete = onWriteComplete;
}
