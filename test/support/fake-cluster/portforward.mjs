// `pods/portforward` over WebSocket, as kube-apiserver and the kubelet speak it (see research/portforward.md):
// - the only subprotocol accepted is `v4.channel.k8s.io` (ws would otherwise pick the client's first offer, v5);
// - right after the upgrade, each port i gets two binary frames [2i, portLo, portHi] and [2i+1, portLo, portHi];
// - every frame is binary with byte 0 = channel: 2i carries data, 2i+1 carries error text;
// - a failed dial sends the kubelet's error text on the error channel, then closes with 1000;
// - the pod connection ending closes the WebSocket (1000); the WebSocket closing destroys the pod connection.
import net from 'node:net';
import { WebSocketServer } from 'ws';
import { ApiError, errors } from './errors.mjs';

const PROTOCOL = 'v4.channel.k8s.io';

/**
 * @typedef {{ pod: any, endpoint: { host: string, port: number } }} ForwardTarget
 * @param {{ resolve: (namespace: string, name: string) => ForwardTarget }} o resolve throws an ApiError when the pod
 *   cannot be forwarded to (not found, not running)
 */
export function createPortForward({ resolve }) {
  const wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    handleProtocols: (protocols) => (protocols.has(PROTOCOL) ? PROTOCOL : false),
  });
  /** @type {Set<net.Socket>} */
  const podSockets = new Set();

  /**
   * @param {import('node:http').IncomingMessage} req
   * @param {import('node:stream').Duplex} socket
   * @param {Buffer} head
   * @param {{ namespace: string, name: string, query: URLSearchParams }} target
   */
  function handleUpgrade(req, socket, head, { namespace, name, query }) {
    try {
      const offered = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim());
      if (!offered.includes(PROTOCOL)) {
        throw errors.badRequest(`unable to upgrade connection: no supported subprotocol; the server supports ${PROTOCOL}`);
      }
      const ports = query.getAll('ports').flatMap((p) => p.split(',')).map((p) => p.trim()).filter(Boolean);
      if (ports.length === 0) throw errors.badRequest('at least 1 port must be specified');
      const numbers = ports.map((p) => {
        const n = Number(p);
        if (!Number.isInteger(n) || n < 1 || n > 65535) throw errors.badRequest(`unable to parse "${p}" as a port: must be between 1 and 65535`);
        return n;
      });
      const t = resolve(namespace, name);
      wss.handleUpgrade(req, socket, head, (ws) => serve(ws, numbers, t));
    } catch (err) {
      const e = err instanceof ApiError ? err : errors.internal(String(err));
      const body = JSON.stringify(e.toStatus());
      socket.end(
        `HTTP/1.1 ${e.code} ${httpText(e.code)}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    }
  }

  /** @param {import('ws').WebSocket} ws @param {number[]} ports @param {ForwardTarget} t */
  function serve(ws, ports, t) {
    ports.forEach((port, i) => {
      const header = (ch) => Buffer.from([ch, port & 0xff, (port >> 8) & 0xff]);
      ws.send(header(2 * i));
      ws.send(header(2 * i + 1));
    });
    const declared = (t.pod.spec?.containers ?? []).flatMap((c) => (c.ports ?? []).map((p) => p.containerPort));
    /** @type {Array<net.Socket | undefined>} */
    const conns = ports.map((port, i) => {
      const refuse = (why) => {
        const text = `error forwarding port ${port} to pod ${t.pod.metadata.uid}, uid : failed to connect to localhost:${port} inside namespace "${t.pod.metadata.name}": ${why}`;
        if (ws.readyState === ws.OPEN) ws.send(Buffer.concat([Buffer.from([2 * i + 1]), Buffer.from(text)]));
        ws.close(1000);
      };
      if (declared.length > 0 && !declared.includes(port)) {
        refuse(`dial tcp4 127.0.0.1:${port}: connect: connection refused`);
        return undefined;
      }
      const conn = net.connect(t.endpoint.port, t.endpoint.host);
      podSockets.add(conn);
      conn.on('data', (d) => {
        if (ws.readyState === ws.OPEN) ws.send(Buffer.concat([Buffer.from([2 * i]), d]));
      });
      conn.on('error', (err) => refuse(`dial tcp4 127.0.0.1:${port}: ${err.message}`));
      conn.on('end', () => ws.close(1000));
      conn.on('close', () => {
        podSockets.delete(conn);
        if (ws.readyState === ws.OPEN) ws.close(1000);
      });
      return conn;
    });
    ws.on('message', (data, isBinary) => {
      if (!isBinary) return;
      const buf = Buffer.isBuffer(data) ? data : Buffer.concat(/** @type {Buffer[]} */ (Array.isArray(data) ? data : [Buffer.from(/** @type {ArrayBuffer} */ (data))]));
      if (buf.length === 0) return;
      const ch = buf[0];
      const conn = ch % 2 === 0 ? conns[ch / 2] : undefined;
      if (conn && !conn.destroyed && buf.length > 1) conn.write(buf.subarray(1));
    });
    ws.on('close', () => {
      for (const c of conns) c?.destroy();
    });
    ws.on('error', () => ws.terminate());
  }

  return {
    handleUpgrade,
    /** Terminates every WebSocket and pod connection. */
    close() {
      for (const ws of wss.clients) ws.terminate();
      for (const s of podSockets) s.destroy();
      wss.close();
    },
  };
}

function httpText(code) {
  return { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 500: 'Internal Server Error' }[code] ?? 'Error';
}
