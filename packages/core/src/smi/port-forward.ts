import net from 'node:net';
import { Writable } from 'node:stream';
import { PortForward, type KubeConfig } from '@kubernetes/client-node';
import type WebSocket from 'ws';

/**
 * A local TCP port that forwards to a pod's port through the API server (`pods/portforward`), so
 * the runner outside the cluster can reach the sample apps. Sidecars do not intercept
 * port-forwarded traffic, which is what we want: the mesh is judged on the calls the apps make to
 * each other, not on ours.
 *
 * client-node's PortForward has bugs this works around (research/portforward.md, all measured):
 * - it never passes a WebSocket close on to the local socket, so a closed pod port or a
 *   close-delimited response would hang: we end the socket when the WebSocket closes;
 * - it ignores a local socket destroyed without FIN: we close the WebSocket on the socket's close;
 * - it has no 'error' listener on the local socket: we add one so a reset cannot crash the process;
 * - with `err = null` it throws channel 1 (the kubelet's error text) away: we collect it.
 * One WebSocket per local connection keeps each HTTP connection on its own pod connection.
 */
export interface PortForwardHandle {
  readonly host: string;
  readonly port: number;
  /** The last error text the API server sent on the error channel (e.g. connection refused). */
  readonly lastError: string | undefined;
  close(): Promise<void>;
}

export async function openPortForward(kc: KubeConfig, target: { namespace: string; pod: string; port: number }): Promise<PortForwardHandle> {
  const forwarder = new PortForward(kc, true);
  const sockets = new Set<net.Socket>();
  const sockets2ws = new Map<net.Socket, WebSocket>();
  let lastError: string | undefined;

  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {
      /* a reset local connection is normal during teardown */
    });
    socket.on('close', () => sockets.delete(socket));
    const errors = new Writable({
      write(chunk: Buffer, _enc, done) {
        const text = chunk.toString('utf8').trim();
        if (text !== '') lastError = text;
        done();
      },
    });
    forwarder.portForward(target.namespace, target.pod, [target.port], socket, errors, socket).then(
      (result) => {
        // With retryCount 0, client-node returns the WebSocket itself (its type says it may be a factory).
        const ws = result as unknown as WebSocket;
        sockets2ws.set(socket, ws);
        ws.on('close', () => socket.end());
        ws.on('error', () => socket.destroy());
        socket.on('close', () => {
          sockets2ws.delete(socket);
          ws.close();
        });
      },
      (error: unknown) => {
        lastError = (error as Error)?.message ?? String(error);
        socket.destroy();
      },
    );
  });

  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolvePromise());
  });
  const address = server.address() as net.AddressInfo;

  return {
    host: '127.0.0.1',
    port: address.port,
    get lastError() {
      return lastError;
    },
    async close() {
      // Terminate open WebSockets and sockets first, or server.close() waits for them.
      for (const ws of sockets2ws.values()) ws.terminate();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolvePromise) => server.close(() => resolvePromise()));
    },
  };
}
