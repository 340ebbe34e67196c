/**
 * Writes a request's bytes to a plain TCP socket, straight into its stream handle when this Node's
 * handle API is one we know.
 *
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
 * convention is recognised from the binding's exported constants, and anything else (or TLS, or a
 * socket still connecting or with bytes queued in its stream) goes through `socket.write()`.
 */
import net from 'node:net';
import { getSystemErrorName } from 'node:util';

interface StreamWrapBinding {
  WriteWrap: new () => WriteReq;
  streamBaseState: Int32Array;
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
  if (inState(binding.kLastWriteErr)) return { kind: 'null', binding, errIndex: binding.kLastWriteErr };
  if (inState(binding.kLastWriteWasAsync)) return { kind: 'wrap', binding, asyncIndex: binding.kLastWriteWasAsync };
  return null;
}

const convention = recognise();

/** Which path writes take on this Node: for the tests and the bench's header. */
export const directWrites: 'wrap' | 'null' | 'off' = convention?.kind ?? 'off';

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

/**
 * Writes `bytes` to `socket`. A failed write destroys the socket with an error whose `code` is the
 * errno name, as socket.write() does, so the socket's 'error' and 'close' listeners see it the same way.
 */
export function writeRequest(socket: net.Socket, bytes: Uint8Array): void {
  const handle = (socket as unknown as { _handle: StreamHandle | null })._handle;
  if (convention === null || handle === null || socket.connecting || socket.writableLength > 0 || (socket as { encrypted?: boolean }).encrypted) {
    socket.write(bytes);
    return;
  }
  if (convention.kind === 'null') {
    const ret = handle.writeBuffer(null, bytes);
    if (typeof ret === 'number') {
      if (ret !== 0) socket.destroy(writeError(ret));
      return;
    }
    const err = convention.binding.streamBaseState[convention.errIndex]!;
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
  const req = spareReq ?? new convention.binding.WriteWrap();
  spareReq = null;
  const err = handle.writeBuffer(req, bytes) as number;
  if (err !== 0) {
    spareReq = req;
    socket.destroy(writeError(err));
    return;
  }
  if (convention.binding.streamBaseState[convention.asyncIndex] === 0) {
    spareReq = req;
    return;
  }
  req.handle = handle;
  req.socket = socket;
  req.buffer = bytes;
  req.oncomplete = onWriteComplete;
}
