// The direct-write scenarios of stream-handle.ts, runnable in vitest's process (Node 20) and as a
// script under another Node (Node 24 strips the module's types itself), because the handle
// convention they exercise differs between Node versions:
//   node test/loadgen/stream-handle-scenarios.mjs   -> prints one JSON line with the results
import net from 'node:net';
import tls from 'node:tls';
import { once } from 'node:events';
import { createHash } from 'node:crypto';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

/** A server on 127.0.0.1 that hashes what each connection sends; `hold` keeps it from reading. */
async function sink({ hold = false, closeAfterFirst = false } = {}) {
  const received = [];
  const server = net.createServer((sock) => {
    const entry = { bytes: 0, hash: createHash('sha256'), done: null, sock };
    entry.done = new Promise((resolve) => sock.on('close', resolve));
    received.push(entry);
    if (hold) sock.pause();
    sock.on('data', (d) => {
      entry.bytes += d.length;
      entry.hash.update(d);
      if (closeAfterFirst) sock.destroy();
    });
    sock.on('error', () => {});
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, port: server.address().port, received };
}

async function connected(port, options = {}) {
  const sock = net.connect({ host: '127.0.0.1', port, ...options });
  await once(sock, 'connect');
  return sock;
}

/** Counts socket.write() calls (the fallback path) while still writing. */
function spyOnWrite(sock) {
  const spy = { calls: 0 };
  const original = sock.write.bind(sock);
  sock.write = (...args) => {
    spy.calls++;
    return original(...args);
  };
  return spy;
}

function pattern(n, seed) {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed) & 0xff;
  return b;
}

const sha = (...bufs) => {
  const h = createHash('sha256');
  for (const b of bufs) h.update(b);
  return h.digest('hex');
};

/**
 * @param {{ writeRequest: (s: net.Socket, b: Uint8Array) => void, readDirect: (s: net.Socket, r: { onBytes(n: number): void }) => boolean, directWrites: string }} mod
 * @returns {Promise<any>} the observations, checked by stream-handle.test.ts
 */
export async function runScenarios(mod) {
  const out = { node: process.version, directWrites: mod.directWrites };

  // 1. Small writes on an idle socket: all bytes arrive, in order, without socket.write().
  {
    const { server, port, received } = await sink();
    const sock = await connected(port);
    const spy = spyOnWrite(sock);
    const parts = Array.from({ length: 500 }, (_, i) => pattern(120, i));
    for (const p of parts) mod.writeRequest(sock, p);
    sock.end();
    await once(sock, 'close');
    await received[0].done;
    out.small = { fallbackCalls: spy.calls, bytes: received[0].bytes, same: received[0].hash.digest('hex') === sha(...parts) };
    server.close();
  }

  // 2. A write larger than the kernel takes at once while the peer does not read: it goes
  //    asynchronous; a second write queues behind it; both arrive whole and in order.
  {
    const { server, port, received } = await sink({ hold: true });
    const sock = await connected(port);
    const spy = spyOnWrite(sock);
    const big = pattern(32 * 1024 * 1024, 7);
    const tail = pattern(1024 * 1024, 9);
    const errors = [];
    sock.on('error', (e) => errors.push(e.code));
    mod.writeRequest(sock, big);
    const queuedAfterBig = sock._handle.writeQueueSize;
    mod.writeRequest(sock, tail);
    while (received.length === 0) await new Promise((r) => setTimeout(r, 5));
    received[0].sock.resume();
    // The client learns that its writes completed when the handle's queue drains.
    const deadline = Date.now() + 20_000;
    while (sock._handle.writeQueueSize > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    sock.end();
    await once(sock, 'close');
    await received[0].done;
    out.async = {
      queuedAfterBig,
      fallbackCalls: spy.calls,
      bytes: received[0].bytes,
      expected: big.length + tail.length,
      same: received[0].hash.digest('hex') === sha(big, tail),
      errors,
    };
    server.close();
  }

  // 3. Writing to a connection the peer has closed: the socket is destroyed with the errno's name
  //    as its code, as socket.write() does.
  {
    const { server, port } = await sink({ closeAfterFirst: true });
    const sock = await connected(port, { allowHalfOpen: true });
    sock.resume(); // flowing, so that the peer's FIN is seen as 'end'
    const closed = new Promise((resolve) => sock.on('close', resolve)); // once() would reject on the 'error'
    const errors = [];
    sock.on('error', (e) => errors.push({ code: e.code, syscall: e.syscall }));
    mod.writeRequest(sock, pattern(100, 1));
    await once(sock, 'end');
    const deadline = Date.now() + 5_000;
    while (!sock.destroyed && Date.now() < deadline) {
      mod.writeRequest(sock, pattern(100, 2));
      await new Promise((r) => setTimeout(r, 10));
    }
    await closed;
    out.closedPeer = { destroyed: sock.destroyed, errors };
    server.close();
  }

  // 4. A socket still connecting goes through socket.write() (Node queues it until connected).
  {
    const { server, port, received } = await sink();
    const sock = net.connect({ host: '127.0.0.1', port });
    const spy = spyOnWrite(sock);
    const p = pattern(64, 3);
    mod.writeRequest(sock, p);
    await once(sock, 'connect');
    sock.end();
    await once(sock, 'close');
    await received[0].done;
    out.connecting = { fallbackCalls: spy.calls, same: received[0].hash.digest('hex') === sha(p) };
    server.close();
  }

  // 5. Reads: with readDirect, data reaches reader.onBytes straight from the handle (the onread
  //    callback is not called), in the socket's buffer, each socket's to its own reader (the handle
  //    function is shared); the peer's FIN still ends and closes the socket.
  {
    const payloads = [pattern(300_000, 5), pattern(200_000, 6)];
    let served = 0;
    const server = net.createServer((s) => s.end(payloads[served++]));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const reads = await Promise.all(
      payloads.map(async (payload, k) => {
        // One connection at a time reaches the server in order, so connection k gets payload k.
        await new Promise((r) => setTimeout(r, k * 50));
        const buffer = Buffer.alloc(16 * 1024);
        let viaCallback = 0;
        let viaDirect = 0;
        const hash = createHash('sha256');
        const sock = net.connect({
          host: '127.0.0.1',
          port: server.address().port,
          onread: { buffer, callback: (n) => ((viaCallback += n), true) },
        });
        const direct = mod.readDirect(sock, {
          onBytes(n) {
            viaDirect += n;
            hash.update(buffer.subarray(0, n));
          },
        });
        let ended = false;
        sock.on('end', () => (ended = true));
        await new Promise((resolve) => sock.on('close', resolve));
        return { direct, viaCallback, viaDirect, same: hash.digest('hex') === sha(payload), ended };
      }),
    );
    out.reads = reads;
    server.close();
  }

  // 6. A reset by the peer is still the socket's 'error', from Node's own read path.
  {
    const server = net.createServer((s) => s.on('data', () => s.resetAndDestroy()));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const buffer = Buffer.alloc(1024);
    const sock = net.connect({ host: '127.0.0.1', port: server.address().port, onread: { buffer, callback: () => true } });
    const direct = mod.readDirect(sock, { onBytes() {} });
    const errors = [];
    sock.on('error', (e) => errors.push({ code: e.code, syscall: e.syscall }));
    const closed = new Promise((resolve) => sock.on('close', resolve));
    await once(sock, 'connect');
    mod.writeRequest(sock, pattern(10, 1));
    await closed;
    out.readReset = { direct, errors };
    server.close();
  }

  // 7. TLS: the decrypted bytes reach the reader straight from the TLS handle as well, and the
  //    write that asked for them went through socket.write() (TLS writes stay with Node).
  {
    const { generate } = await import('selfsigned');
    const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }]);
    const payload = pattern(150_000, 7);
    const server = tls.createServer({ key: pems.private, cert: pems.cert }, (s) => s.once('data', () => s.end(payload)));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const buffer = Buffer.alloc(16 * 1024);
    let viaCallback = 0;
    let viaDirect = 0;
    const hash = createHash('sha256');
    const sock = tls.connect({ host: '127.0.0.1', port: server.address().port, rejectUnauthorized: false, onread: { buffer, callback: (n) => ((viaCallback += n), true) } });
    const direct = mod.readDirect(sock, {
      onBytes(n) {
        viaDirect += n;
        hash.update(buffer.subarray(0, n));
      },
    });
    const spy = spyOnWrite(sock);
    let ended = false;
    sock.on('end', () => (ended = true));
    const closed = new Promise((resolve) => sock.on('close', resolve));
    await once(sock, 'secureConnect');
    mod.writeRequest(sock, pattern(10, 2));
    await closed;
    out.tlsReads = { direct, viaCallback, viaDirect, same: hash.digest('hex') === sha(payload), ended, fallbackCalls: spy.calls };
    server.close();
  }
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const here = dirname(fileURLToPath(import.meta.url));
  const mod = await import(pathToFileURL(join(here, '../../packages/core/src/smp/loadgen/stream-handle.ts')).href);
  process.stdout.write(`${JSON.stringify(await runScenarios(mod))}\n`);
}
