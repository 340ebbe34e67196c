/**
 * Real local targets for the load generator tests: node:http, https and raw TCP servers on
 * 127.0.0.1 only. Each returns its base URL and a close() that also ends open connections.
 */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface Target {
  url: string;
  port: number;
  close(): Promise<void>;
}

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

function closer(server: net.Server, sockets: Set<net.Socket>): () => Promise<void> {
  return () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
}

function track(server: net.Server): Set<net.Socket> {
  const sockets = new Set<net.Socket>();
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return sockets;
}

/** A node:http server running `handler`. */
export async function httpTarget(handler: http.RequestListener, options: http.ServerOptions = {}): Promise<Target> {
  const server = http.createServer({ keepAliveTimeout: 30_000, ...options }, handler);
  const sockets = track(server);
  const port = await listen(server);
  return { url: `http://127.0.0.1:${port}`, port, close: closer(server, sockets) };
}

/** An https server with the given key and certificate. */
export async function httpsTarget(key: string, cert: string, handler: http.RequestListener): Promise<Target> {
  const server = https.createServer({ key, cert, keepAliveTimeout: 30_000 }, handler);
  const sockets = new Set<net.Socket>();
  server.on('secureConnection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const port = await listen(server);
  return { url: `https://127.0.0.1:${port}`, port, close: closer(server, sockets) };
}

/** A raw TCP server: `onData` sees each socket's bytes and answers however it likes. */
export async function tcpTarget(onData: (socket: net.Socket, data: Buffer) => void): Promise<Target> {
  const server = net.createServer((s) => {
    s.on('error', () => {});
    s.on('data', (d) => onData(s, d));
  });
  const sockets = track(server);
  const port = await listen(server);
  return { url: `http://127.0.0.1:${port}`, port, close: closer(server, sockets) };
}

/** A port on 127.0.0.1 that nothing listens on (it was free a moment ago). */
export async function deadPort(): Promise<number> {
  const server = net.createServer();
  const port = await listen(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * A server that freezes for `freezeMs` at the end of every `periodMs`: requests that arrive
 * during a freeze are answered when it ends. Otherwise it answers at once.
 */
export async function freezingTarget(periodMs: number, freezeMs: number): Promise<Target & { freezes(): number }> {
  const start = performance.now();
  const held: http.ServerResponse[] = [];
  let freezes = 0;
  let timer: NodeJS.Timeout | null = null;
  const release = () => {
    timer = null;
    for (const res of held.splice(0)) res.end('ok');
  };
  const target = await httpTarget((_req, res) => {
    const phase = (performance.now() - start) % periodMs;
    if (phase < periodMs - freezeMs) {
      res.end('ok');
      return;
    }
    held.push(res);
    if (timer === null) {
      freezes++;
      timer = setTimeout(release, periodMs - phase);
    }
  });
  return {
    ...target,
    freezes: () => freezes,
    close: async () => {
      if (timer) clearTimeout(timer);
      release();
      await target.close();
    },
  };
}
