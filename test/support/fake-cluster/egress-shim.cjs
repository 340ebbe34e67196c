// Preloaded (NODE_OPTIONS=--require) into the Node processes of the fake cluster's process pods: sends every TCP
// connection to an address other than 127.0.0.1, localhost or ::1 (a cluster name, a ClusterIP, a pod IP) to the
// pod's egress listener (egress.mjs), as a pod's iptables rules send its traffic to the sidecar. It runs before
// any DNS lookup, so cluster names never reach the host's resolver. Unix sockets and loopback stay untouched.
'use strict';
const net = require('node:net');

const target = /^127\.0\.0\.1:(\d+)$/.exec(process.env.MESHSPEC_FAKE_EGRESS || '');
if (target) {
  const port = Number(target[1]);
  const direct = (host) => host === undefined || host === null || host === '' || host === '127.0.0.1' || host === '::1' || host === '[::1]' || String(host).toLowerCase() === 'localhost';
  const connect = net.Socket.prototype.connect;
  net.Socket.prototype.connect = function connectThroughEgress(...args) {
    const first = args[0];
    // net.createConnection passes its normalized [options, callback] array; users pass options or (port, host).
    const options = Array.isArray(first) ? first[0] : first !== null && typeof first === 'object' ? first : undefined;
    if (options) {
      if (options.path == null && !direct(options.host)) {
        // A copy: http.Agent keys its pool of free sockets by the options it passed, so they must stay as they were.
        const redirected = { ...options, host: '127.0.0.1', port };
        delete redirected.lookup;
        if (Array.isArray(first)) {
          const copy = [redirected, ...first.slice(1)];
          for (const sym of Object.getOwnPropertySymbols(first)) copy[sym] = first[sym]; // net's "normalized" marker
          args[0] = copy;
        } else args[0] = redirected;
      }
    } else if (typeof args[1] === 'string' && !direct(args[1])) {
      args[0] = port;
      args[1] = '127.0.0.1';
    }
    return connect.apply(this, args);
  };
}
