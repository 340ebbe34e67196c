// The simulated mesh's decision function: given the world (Kubernetes objects as stored) and one
// HTTP call from a pod, where does the call go and is it allowed?
//
// It reads only object *contents* (selectors, service accounts, references between objects),
// never particular names or namespaces: rename everything consistently and every decision stays
// the same (test/mesh-sim/rename.test.ts proves it).
//
// The order follows a sidecar mesh's data path:
//   1. DNS: the URL host becomes a Service (dns.mjs); failure is a transport error.
//   2. The Service must expose the port, or the connection is refused.
//   3. Client side: a TrafficSplit on that (root) Service picks a backend Service by weight
//      (traffic-split-v1alpha4.md). Only a client with a sidecar splits traffic.
//   4. An endpoint (ready pod) of the chosen Service is picked.
//   5. Server side: the destination pod's sidecar enforces TrafficTarget access control
//      (traffic-access-v1alpha3.md): denied by default, allowed when a TrafficTarget names the
//      pod's ServiceAccount as destination, the caller's ServiceAccount among its sources, and
//      its rules (TCPRoute ports, HTTPRouteGroup matches) admit the request.

import { resolveHost } from './dns.mjs';
import { serviceSelects } from './labels.mjs';
import { httpMatchAllows, portRouteAllows, requestFacts } from './routes.mjs';
import { randomBalancer } from './balance.mjs';
import { rulesFor } from './switches.mjs';
import { decideTraefik } from './traefik.mjs';

/**
 * @typedef {object} World  plain Kubernetes objects, as the API server stores them
 * @property {any[]} services
 * @property {any[]} pods
 * @property {any[]} [trafficTargets]   access.smi-spec.io TrafficTarget
 * @property {any[]} [httpRouteGroups]  specs.smi-spec.io HTTPRouteGroup
 * @property {any[]} [tcpRoutes]        specs.smi-spec.io TCPRoute
 * @property {any[]} [udpRoutes]        specs.smi-spec.io UDPRoute
 * @property {any[]} [trafficSplits]    split.smi-spec.io TrafficSplit
 */

/**
 * @typedef {object} Call
 * @property {{ namespace: string, serviceAccount?: string, podLabels?: Record<string,string>, meshed?: boolean, uid?: string }} source
 *   the calling pod; `meshed: false` means it has no sidecar (default true)
 * @property {string} host   e.g. `app-svc.ns.svc.cluster.local` (a trailing dot is allowed)
 * @property {number} [port] default 80
 * @property {string} [method] default GET
 * @property {string} [path]   may carry a query string
 * @property {Record<string, string | string[] | undefined>} [headers]
 */

/**
 * @typedef {'allowed' | 'denied' | 'no-route' | 'reset' | 'dns-error' | 'refused' | 'unavailable'} Outcome
 *   - allowed: forward to `pod`
 *   - denied: the destination's sidecar refuses (HTTP 403)
 *   - no-route: the destination's sidecar has no route for the request (HTTP 404, Envoy's answer)
 *   - reset: the destination's sidecar closes the connection (L4 RBAC): a transport error
 *   - dns-error / refused: transport errors (the client gets no HTTP response)
 *   - unavailable: nothing can take the call (HTTP 503 from the client's sidecar)
 */

/**
 * @typedef {object} Decision
 * @property {boolean} allowed
 * @property {Outcome} outcome
 * @property {string} reason   human-readable, names the rule that decided
 * @property {{ name: string, namespace: string }} [service]  the Service the host resolved to
 * @property {{ name: string, namespace: string }} [split]    the TrafficSplit applied, if any
 * @property {{ service: string, namespace: string }} [backend]  the Service chosen to serve
 * @property {any[]} pods      candidate pods (endpoints of `backend`)
 * @property {any} [pod]       the chosen pod (set for allowed and denied)
 * @property {number} [targetPort]  the port on the pod
 * @property {{ name: string, namespace: string }} [trafficTarget]  the TrafficTarget that allowed it
 */

/**
 * @typedef {object} DecideOptions
 * @property {string} [mode]   `faithful` or a switch name (ignored when `rules` is given)
 * @property {import('./switches.mjs').Rules} [rules]
 * @property {() => number} [random]  used by the default balancer
 * @property {import('./balance.mjs').Balancer} [balancer]  default: weighted random on `random`
 * @property {(pod: any) => boolean} [isMeshed]  does this pod have a sidecar? default: yes
 * @property {string} [clusterDomain]
 * @property {string[]} [meshDomains]
 * @property {'smi' | 'osm' | 'open' | 'traefik'} [routing]  whose reading of SMI the destination applies
 *   (profiles.mjs): `smi` the spec's (default), `osm` OSM v1.2.4's, `open` no access control at all
 *   (meshes without TrafficTarget support), `traefik` Traefik Mesh v1.4.8's ACL mode (traefik.mjs)
 */

/**
 * @param {World} world
 * @param {Call} call
 * @param {DecideOptions} [options]
 * @returns {Decision}
 */
export function decide(world, call, options = {}) {
  const rules = options.rules ?? rulesFor(options.mode);
  const balancer = options.balancer ?? randomBalancer(options.random ?? Math.random);
  const isMeshed = options.isMeshed ?? (() => true);
  const w = normalize(world);
  const src = call.source;
  const srcMeshed = src.meshed !== false;
  const srcId = src.uid ?? `${src.namespace}/${src.serviceAccount ?? 'default'}`;
  const port = Number(call.port ?? 80);
  const req = requestFacts(call);

  // 1. DNS
  const dns = resolveHost(w, call.host, src.namespace, options);
  if (!dns.ok) return { allowed: false, outcome: 'dns-error', reason: dns.reason, pods: [] };
  if (options.routing === 'traefik' && 'service' in dns) {
    return decideTraefik(w, rules, { dns, src, srcId, port, req, balancer });
  }

  // A pod addressed by IP: no Service, no split; the destination sidecar still decides.
  if ('pod' in dns) {
    const pod = dns.pod;
    if (!isEndpoint(pod)) return refused(`pod ${ref(pod)} is not running`);
    return authorize(w, rules, { src, srcMeshed, pod, port, req, isMeshed }, { pods: [pod], pod, targetPort: port });
  }

  // 2. The Service must expose the port the client dialled.
  const root = dns.service;
  const service = { name: root.metadata.name, namespace: root.metadata.namespace };
  const rootPort = (root.spec?.ports ?? []).find((/** @type {any} */ p) => Number(p.port) === port);
  if (!rootPort) return { ...refused(`service ${ref(root)} has no port ${port}`), service };

  // 3. TrafficSplit, applied by the client's sidecar.
  let backend = root;
  let backendPort = rootPort;
  /** @type {{name: string, namespace: string} | undefined} */
  let split;
  if (srcMeshed) {
    const ts = splitFor(w, root);
    if (ts && splitMatches(w, ts, req)) {
      split = { name: ts.metadata.name, namespace: ts.metadata.namespace };
      const choices = splitChoices(w, ts, port, rules);
      if (choices.length === 0) {
        return {
          allowed: false,
          outcome: 'unavailable',
          reason: `TrafficSplit ${ref(ts)} has no backend that can take traffic (weight 0, missing Service, or no port ${port})`,
          service,
          split,
          pods: [],
        };
      }
      const i = balancer.pick(`split|${srcId}|${ref(ts)}|${port}`, choices.map((c) => c.weight));
      backend = choices[i].service;
      backendPort = choices[i].port;
    }
  }
  const backendRef = { service: backend.metadata.name, namespace: backend.metadata.namespace };

  // 4. An endpoint of the chosen Service.
  const pods = endpointsOf(w, backend);
  if (pods.length === 0) {
    return {
      allowed: false,
      outcome: 'unavailable',
      reason: `no healthy upstream: service ${ref(backend)} has no ready endpoints`,
      service,
      split,
      backend: backendRef,
      pods,
    };
  }
  const pod = pods[balancer.pick(`endpoints|${srcId}|${ref(backend)}`, pods.map(() => 1))];
  const targetPort = resolveTargetPort(backendPort, pod);

  // 5. Access control at the destination.
  // What every decision from here on reports, whichever way access control goes.
  const base = { service, split, backend: backendRef, pods, pod, targetPort };
  const facts = { src, srcMeshed, pod, port: targetPort, req, isMeshed };
  if (options.routing === 'osm') return authorizeOsm(w, rules, { ...facts, protocol: osmProtocol(backendPort) }, base);
  const open = options.routing === 'open' ? { ...rules, accessControl: false } : rules;
  return authorize(w, open, facts, base);
}

/**
 * Server-side TrafficTarget enforcement.
 * @param {ReturnType<typeof normalize>} w
 * @param {import('./switches.mjs').Rules} rules
 * @param {{ src: Call['source'], srcMeshed: boolean, pod: any, port: number, req: import('./routes.mjs').HttpRequestFacts, isMeshed: (pod: any) => boolean }} c
 * @param {Omit<Decision, 'allowed' | 'outcome' | 'reason'>} base
 * @returns {Decision}
 */
function authorize(w, rules, c, base) {
  const allow = (/** @type {string} */ reason, /** @type {any} */ tt = undefined) => ({
    ...base,
    allowed: true,
    outcome: /** @type {const} */ ('allowed'),
    reason,
    ...(tt ? { trafficTarget: { name: tt.metadata.name, namespace: tt.metadata.namespace } } : {}),
  });
  const deny = (/** @type {string} */ reason) => ({ ...base, allowed: false, outcome: /** @type {const} */ ('denied'), reason });

  if (!c.isMeshed(c.pod)) return allow(`destination pod ${ref(c.pod)} has no sidecar, so nothing enforces access`);
  if (!rules.accessControl) return allow('access control is off (permissive mode)');
  if (!c.srcMeshed) return deny('the caller has no sidecar, so it has no mesh identity to authorize');

  const destNs = c.pod.metadata.namespace;
  const destSa = serviceAccountOf(c.pod);
  const srcSa = c.src.serviceAccount || 'default';
  const targets = w.trafficTargets.filter((tt) => {
    const d = tt.spec?.destination;
    // A TrafficTarget governs destinations in its own namespace only: "Allowing destination
    // traffic should only be possible with permission of the service owner" (OSM does the same).
    return (
      d?.kind === 'ServiceAccount' &&
      d.name === destSa &&
      (d.namespace || tt.metadata.namespace) === destNs &&
      tt.metadata.namespace === destNs
    );
  });
  if (targets.length === 0) {
    return deny(
      `no TrafficTarget names ServiceAccount ${destNs}/${destSa} as its destination; SMI denies traffic by default`,
    );
  }

  const why = [];
  for (const tt of targets) {
    const ttNs = tt.metadata.namespace;
    const sources = Array.isArray(tt.spec?.sources) ? tt.spec.sources : [];
    const sourceOk =
      !rules.checkSources ||
      sources.some(
        (/** @type {any} */ s) =>
          s?.kind === 'ServiceAccount' && s.name === srcSa && (s.namespace || ttNs) === c.src.namespace,
      );
    if (!sourceOk) {
      why.push(`TrafficTarget ${ref(tt)} does not list ServiceAccount ${c.src.namespace}/${srcSa} in its sources`);
      continue;
    }
    // v1alpha2 had destination.port; honour it if an old object carries one.
    const destPort = tt.spec?.destination?.port;
    if (destPort !== undefined && destPort !== null && Number(destPort) !== c.port) {
      why.push(`TrafficTarget ${ref(tt)} allows only destination port ${destPort}`);
      continue;
    }
    const verdict = rulesAdmit(w, tt, c.req, c.port, rules);
    if (verdict.ok) return allow(`TrafficTarget ${ref(tt)} allows it (${verdict.via})`, tt);
    why.push(`TrafficTarget ${ref(tt)}: ${verdict.why}`);
  }
  return deny(why.join('; '));
}

/**
 * Do a TrafficTarget's rules admit this HTTP request on this port?
 *
 * Rules of one kind are alternatives (OR). Rules of different kinds narrow different layers:
 * TCPRoute rules say which ports, HTTPRouteGroup rules which requests, so an HTTP request must
 * satisfy both kinds when both are present. This is the reading the spec's own L7 example
 * requires (traffic-access-v1alpha3.md, "Example implementation for L7"): each TrafficTarget
 * there lists a TCPRoute for port 8080 *and* an HTTPRouteGroup match, and the table allows
 * prometheus only `GET /metrics`, which an OR of the two rules would not give. A TrafficTarget
 * with only TCPRoute rules admits all HTTP on its ports (Meshery's traffic-access step 04).
 * UDPRoute rules admit UDP only; the calls simulated here are HTTP over TCP.
 * @param {ReturnType<typeof normalize>} w
 * @param {any} tt
 * @param {import('./routes.mjs').HttpRequestFacts} req
 * @param {number} port
 * @param {import('./switches.mjs').Rules} rules
 * @returns {{ ok: true, via: string } | { ok: false, why: string }}
 */
function rulesAdmit(w, tt, req, port, rules) {
  const ns = tt.metadata.namespace;
  const all = (Array.isArray(tt.spec?.rules) ? tt.spec.rules : []).filter((/** @type {any} */ r) => r && typeof r === 'object');
  const tcp = all.filter((/** @type {any} */ r) => r.kind === 'TCPRoute');
  const http = all.filter((/** @type {any} */ r) => r.kind === 'HTTPRouteGroup');
  if (tcp.length === 0 && http.length === 0) return { ok: false, why: 'it has no TCPRoute or HTTPRouteGroup rule' };

  const tcpHit = tcp.find((/** @type {any} */ r) => {
    const route = named(w.tcpRoutes, ns, r.name);
    return !!route && portRouteAllows(route, port);
  });
  if (tcp.length > 0 && !tcpHit) return { ok: false, why: `no TCPRoute rule admits port ${port}` };

  const httpHit = http.find((/** @type {any} */ r) => {
    const group = named(w.httpRouteGroups, ns, r.name);
    if (!group) return false;
    let matches = Array.isArray(group.spec?.matches) ? group.spec.matches : [];
    // "The matches field is optional and if omitted, a rule is valid for all the matches in a
    // traffic spec (a OR relationship)."
    if (Array.isArray(r.matches) && r.matches.length > 0) {
      matches = matches.filter((/** @type {any} */ m) => r.matches.includes(m?.name));
    }
    return matches.some((/** @type {any} */ m) =>
      httpMatchAllows(m, req, { checkPaths: rules.checkPaths, checkMethods: rules.checkMethods }),
    );
  });
  if (http.length > 0 && !httpHit) return { ok: false, why: `no HTTPRouteGroup rule matches ${req.method} ${req.path}` };

  const via = [tcpHit && `TCPRoute ${tcpHit.name}`, httpHit && `HTTPRouteGroup ${httpHit.name}`].filter(Boolean).join(' and ');
  return { ok: true, via };
}

/**
 * OSM v1.2.4's reading of TrafficTarget (openservicemesh/osm v1.2.4):
 * - a Service port's protocol is its `appProtocol`, else the prefix of its name (`tcp-...`,
 *   `http-...`), else HTTP (`pkg/k8s/client.go` ServiceToMeshServices);
 * - on an HTTP port the inbound routes come only from HTTPRouteGroup rules
 *   (`pkg/catalog/inbound_traffic_policies.go` routesFromRules); each route admits the sources of
 *   its TrafficTargets (per-route RBAC, 403), and a request that matches no route gets Envoy's 404
 *   (`pkg/envoy/rds/route/route_config.go`). A TCPRoute rule adds nothing on an HTTP port;
 * - on a TCP port the L4 RBAC filter admits the sources of TrafficTargets whose TCPRoute rules
 *   admit the port and closes any other connection (`pkg/envoy/lds/rbac.go`,
 *   `pkg/catalog/traffictarget.go`);
 * - permissive mode is off (meshspec installs it so): nothing is allowed without a TrafficTarget.
 * @param {ReturnType<typeof normalize>} w
 * @param {import('./switches.mjs').Rules} rules
 * @param {{ src: Call['source'], srcMeshed: boolean, pod: any, port: number, req: import('./routes.mjs').HttpRequestFacts, isMeshed: (pod: any) => boolean, protocol: string }} c
 * @param {Omit<Decision, 'allowed' | 'outcome' | 'reason'>} base
 * @returns {Decision}
 */
function authorizeOsm(w, rules, c, base) {
  const verdict = (/** @type {Outcome} */ outcome, /** @type {string} */ reason, /** @type {any} */ tt = undefined) => ({
    ...base,
    allowed: outcome === 'allowed',
    outcome,
    reason: `OSM: ${reason}`,
    ...(tt ? { trafficTarget: { name: tt.metadata.name, namespace: tt.metadata.namespace } } : {}),
  });
  if (!c.isMeshed(c.pod)) return verdict('allowed', `destination pod ${ref(c.pod)} has no sidecar`);
  if (!rules.accessControl) return verdict('allowed', 'permissive traffic policy mode');
  const tcp = c.protocol === 'tcp';
  if (!c.srcMeshed) return verdict(tcp ? 'reset' : 'denied', 'the caller has no sidecar, so it has no mesh identity');
  const destNs = c.pod.metadata.namespace;
  const destSa = serviceAccountOf(c.pod);
  const srcSa = c.src.serviceAccount || 'default';
  const targets = w.trafficTargets.filter((tt) => {
    const d = tt.spec?.destination;
    return d?.kind === 'ServiceAccount' && d.name === destSa && (d.namespace || tt.metadata.namespace) === destNs && tt.metadata.namespace === destNs;
  });
  const admitsSource = (/** @type {any} */ tt) =>
    !rules.checkSources ||
    (tt.spec?.sources ?? []).some((/** @type {any} */ s) => s?.kind === 'ServiceAccount' && s.name === srcSa && (s.namespace || tt.metadata.namespace) === c.src.namespace);
  const rulesOf = (/** @type {any} */ tt, /** @type {string} */ kind) => (Array.isArray(tt.spec?.rules) ? tt.spec.rules : []).filter((/** @type {any} */ r) => r?.kind === kind);

  if (tcp) {
    const tt = targets.find((t) => admitsSource(t) && rulesOf(t, 'TCPRoute').some((/** @type {any} */ r) => {
      const route = named(w.tcpRoutes, t.metadata.namespace, r.name);
      return !!route && portRouteAllows(route, c.port);
    }));
    if (tt) return verdict('allowed', `TCP port ${c.port}: TrafficTarget ${ref(tt)} admits it at L4 (TCPRoute)`, tt);
    return verdict('reset', `TCP port ${c.port}: no TrafficTarget with a TCPRoute for this port admits ServiceAccount ${c.src.namespace}/${srcSa}; the L4 RBAC filter closes the connection`);
  }

  // HTTP: the routes are the HTTPRouteGroup matches of every TrafficTarget to this destination.
  let routeMatched = false;
  for (const tt of targets) {
    const matched = rulesOf(tt, 'HTTPRouteGroup').some((/** @type {any} */ r) => {
      const group = named(w.httpRouteGroups, tt.metadata.namespace, r.name);
      let matches = Array.isArray(group?.spec?.matches) ? group.spec.matches : [];
      if (Array.isArray(r.matches) && r.matches.length > 0) matches = matches.filter((/** @type {any} */ m) => r.matches.includes(m?.name));
      return matches.some((/** @type {any} */ m) => httpMatchAllows(m, c.req, { checkPaths: rules.checkPaths, checkMethods: rules.checkMethods }));
    });
    if (!matched) continue;
    routeMatched = true;
    if (admitsSource(tt)) return verdict('allowed', `HTTP port ${c.port}: TrafficTarget ${ref(tt)} has an HTTPRouteGroup route for ${c.req.method} ${c.req.path}`, tt);
  }
  if (routeMatched) return verdict('denied', `HTTP port ${c.port}: the route for ${c.req.method} ${c.req.path} does not admit ServiceAccount ${c.src.namespace}/${srcSa} (RBAC: access denied)`);
  return verdict('no-route', `HTTP port ${c.port}: no HTTPRouteGroup rule of a TrafficTarget to ${destNs}/${destSa} matches ${c.req.method} ${c.req.path} (TCPRoute rules add no HTTP route), so Envoy answers 404`);
}

/** OSM's protocol of a Service port. @param {any} servicePort */
function osmProtocol(servicePort) {
  const declared = servicePort?.appProtocol;
  if (typeof declared === 'string' && declared) return declared.toLowerCase();
  const name = String(servicePort?.name ?? '');
  for (const p of ['http', 'tcp', 'grpc']) if (name.startsWith(`${p}-`)) return p;
  return 'http';
}

/**
 * The TrafficSplit whose root is this Service. Splits live in the root's namespace; if several
 * claim the same root, the oldest wins.
 * @param {ReturnType<typeof normalize>} w
 * @param {any} root
 */
export function splitFor(w, root) {
  const ns = root.metadata.namespace;
  const mine = w.trafficSplits.filter((ts) => ts.metadata?.namespace === ns && rootName(ts.spec?.service, ns) === root.metadata.name);
  // Array.prototype.sort is stable: equal timestamps keep the store's (creation) order.
  mine.sort((a, b) => String(a.metadata.creationTimestamp ?? '').localeCompare(String(b.metadata.creationTimestamp ?? '')));
  return mine[0];
}

/**
 * `spec.service` "is the FQDN that applications will use": accept `svc`, `svc.ns`,
 * `svc.ns.svc[.cluster.local]`, in the split's own namespace.
 * @param {unknown} value @param {string} ns
 */
function rootName(value, ns) {
  if (typeof value !== 'string' || !value) return undefined;
  const parts = value.replace(/\.$/, '').split('.');
  if (parts.length === 1) return parts[0];
  return parts[1] === ns ? parts[0] : undefined;
}

/**
 * "If the header conditions don't match the incoming request, then routing will be handled by
 * the Kubernetes service with the same name as spec.service. If multiple HTTP route groups are
 * specified, all routes will be merged into a single group." No `matches`: the split applies.
 * @param {ReturnType<typeof normalize>} w @param {any} ts @param {import('./routes.mjs').HttpRequestFacts} req
 */
function splitMatches(w, ts, req) {
  const refs = Array.isArray(ts.spec?.matches) ? ts.spec.matches : [];
  if (refs.length === 0) return true;
  const merged = refs
    .filter((/** @type {any} */ r) => (r?.kind ?? 'HTTPRouteGroup') === 'HTTPRouteGroup')
    .map((/** @type {any} */ r) => named(w.httpRouteGroups, ts.metadata.namespace, r.name))
    .flatMap((/** @type {any} */ g) => (Array.isArray(g?.spec?.matches) ? g.spec.matches : []));
  return merged.some((/** @type {any} */ m) => httpMatchAllows(m, req));
}

/**
 * The backends that may receive traffic, with their effective weights.
 * "There must be a match between a port on the root service and a port on every destination
 * backend service. If they do not match, the backend service is not included."
 * @param {ReturnType<typeof normalize>} w @param {any} ts @param {number} port
 * @param {import('./switches.mjs').Rules} rules
 */
export function splitChoices(w, ts, port, rules) {
  const ns = ts.metadata.namespace;
  const out = [];
  for (const b of Array.isArray(ts.spec?.backends) ? ts.spec.backends : []) {
    const service = named(w.services, ns, b?.service);
    const svcPort = (service?.spec?.ports ?? []).find((/** @type {any} */ p) => Number(p.port) === port);
    if (!service || !svcPort) continue;
    let weight = Number(b.weight);
    if (!Number.isFinite(weight) || weight < 0) weight = 0;
    if (weight === 0 && !rules.zeroWeightGetsNone) weight = 1;
    if (weight > 0 && !rules.splitWeights) weight = 1;
    if (weight > 0) out.push({ service, port: svcPort, weight });
  }
  return out;
}

/** Ready, non-terminating pods a Service selects, in the store's order. @param {ReturnType<typeof normalize>} w @param {any} svc */
export function endpointsOf(w, svc) {
  const ns = svc.metadata.namespace;
  return w.pods
    .filter((p) => p.metadata?.namespace === ns && serviceSelects(svc.spec?.selector, p.metadata?.labels) && isEndpoint(p));
}

/**
 * Kubernetes lists only Ready pods as endpoints. A pod object with no status at all (as in
 * unit tests) counts as ready.
 * @param {any} pod
 */
function isEndpoint(pod) {
  if (pod.metadata?.deletionTimestamp) return false;
  const st = pod.status;
  if (!st) return true;
  if (st.phase && st.phase !== 'Running') return false;
  const ready = (st.conditions ?? []).find((/** @type {any} */ c) => c.type === 'Ready');
  return !ready || ready.status === 'True';
}

/** @param {any} servicePort @param {any} pod */
export function resolveTargetPort(servicePort, pod) {
  const tp = servicePort.targetPort;
  if (tp === undefined || tp === null || tp === '') return Number(servicePort.port);
  if (typeof tp === 'number' || /^\d+$/.test(String(tp))) return Number(tp);
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) if (p.name === tp) return Number(p.containerPort);
  }
  return Number(servicePort.port);
}

/** @param {any} pod */
export function serviceAccountOf(pod) {
  return pod.spec?.serviceAccountName || pod.spec?.serviceAccount || 'default';
}

/** @param {any[]} list @param {string} ns @param {unknown} name */
export function named(list, ns, name) {
  return list.find((o) => o.metadata?.namespace === ns && o.metadata?.name === name);
}

/** @param {any} o */
export function ref(o) {
  return `${o.metadata?.namespace}/${o.metadata?.name}`;
}

/** @param {string} reason @returns {Decision} */
function refused(reason) {
  return { allowed: false, outcome: 'refused', reason: `connect: connection refused (${reason})`, pods: [] };
}

/** @param {World} world */
function normalize(world) {
  return {
    services: world.services ?? [],
    pods: world.pods ?? [],
    trafficTargets: world.trafficTargets ?? [],
    httpRouteGroups: world.httpRouteGroups ?? [],
    tcpRoutes: world.tcpRoutes ?? [],
    udpRoutes: world.udpRoutes ?? [],
    trafficSplits: world.trafficSplits ?? [],
  };
}
