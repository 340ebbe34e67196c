// Traefik Mesh v1.4.8 in ACL mode: how its proxies route and authorize one HTTP call to
// `<svc>.<ns>.traefik.mesh` (traefik/mesh v1.4.8, `pkg/topology/builder.go` and
// `pkg/provider/provider.go`, `pkg/provider/rule.go`). Traefik Mesh has no sidecars: a client
// opts in by calling a mesh name, which resolves to the node's proxy; names in the cluster zone go
// straight to the Service, unrouted and unchecked.
//
// What the proxy does with a call to Service S, port P:
// 1. A TrafficSplit whose root is S (router priority 4): the caller must be one of the pods that
//    may reach the split's backends (`ts.Incoming`: the sources of the TrafficTargets of the
//    backend Services), or it gets 403 (IPWhiteList). A backend is picked by weight (a weight-0
//    backend gets nothing), and the call goes on to `<backend>.<ns>.traefik.mesh`, step 2.
// 2. One router per (Service, TrafficTarget) whose destination ServiceAccount has pods behind S
//    (priority 2). Its rule is the Service's host AND the OR of the TrafficTarget's HTTPRouteGroup
//    matches (a TCPRoute rule adds no condition), its whitelist the pods of the TrafficTarget's
//    sources, and its servers only the pods with the destination ServiceAccount. A TrafficTarget
//    whose rules name a route that does not exist is dropped. Among routers whose rules match, one
//    wins (equal priorities; this simulation takes the first by TrafficTarget name); a caller not
//    on its whitelist gets 403.
// 3. No router matches: the block-all router (priority 1) answers 403.
// Without ACL mode (the `allow-by-default` switch) every call is routed, split if a TrafficSplit
// says so.

import { endpointsOf, named, ref, resolveTargetPort, serviceAccountOf, splitChoices, splitFor } from './decide.mjs';
import { httpMatchAllows } from './routes.mjs';

/**
 * @param {any} w  the normalized world
 * @param {import('./switches.mjs').Rules} rules
 * @param {{ dns: any, src: any, srcId: string, port: number, req: import('./routes.mjs').HttpRequestFacts, balancer: import('./balance.mjs').Balancer }} c
 * @returns {import('./decide.mjs').Decision}
 */
export function decideTraefik(w, rules, c) {
  const root = c.dns.service;
  const service = { name: root.metadata.name, namespace: root.metadata.namespace };
  const rootPort = (root.spec?.ports ?? []).find((/** @type {any} */ p) => Number(p.port) === c.port);
  if (!rootPort) return { allowed: false, outcome: 'refused', reason: `connect: connection refused (service ${ref(root)} has no port ${c.port})`, service, pods: [] };
  const srcSa = c.src.serviceAccount || 'default';
  const isSource = (/** @type {any} */ tt) =>
    !rules.checkSources ||
    (tt.spec?.sources ?? []).some((/** @type {any} */ s) => s?.kind === 'ServiceAccount' && s.name === srcSa && (s.namespace || tt.metadata.namespace) === c.src.namespace);
  const deny = (/** @type {string} */ reason, /** @type {any} */ extra = {}) => ({ allowed: false, outcome: /** @type {const} */ ('denied'), reason: `Traefik Mesh: ${reason}`, service, pods: [], ...extra });

  /** Routes a call that reached Service `svc` (directly, or as a split's backend). @param {any} svc @param {any} extra */
  const route = (svc, extra) => {
    const port = (svc.spec?.ports ?? []).find((/** @type {any} */ p) => Number(p.port) === c.port) ?? rootPort;
    const backend = { service: svc.metadata.name, namespace: svc.metadata.namespace };
    if (!rules.accessControl) return forward(svc, endpointsOf(w, svc), port, { ...extra, backend }, 'ACL mode is off');
    const routers = trafficTargetsOf(w, svc, c.port)
      .filter((r) => r.matches.length === 0 || r.matches.some((/** @type {any} */ m) => httpMatchAllows(m, c.req, { checkPaths: rules.checkPaths, checkMethods: rules.checkMethods })))
      .sort((a, b) => (a.tt.metadata.name < b.tt.metadata.name ? -1 : a.tt.metadata.name > b.tt.metadata.name ? 1 : 0));
    if (routers.length === 0) return deny(`no TrafficTarget router of ${ref(svc)} matches ${c.req.method} ${c.req.path}; the block-all router answers 403`, { ...extra, backend });
    const chosen = routers[0];
    if (!isSource(chosen.tt)) return deny(`TrafficTarget ${ref(chosen.tt)} does not list ServiceAccount ${c.src.namespace}/${srcSa} (IPWhiteList)`, { ...extra, backend });
    return forward(svc, chosen.pods, port, { ...extra, backend, trafficTarget: { name: chosen.tt.metadata.name, namespace: chosen.tt.metadata.namespace } }, `TrafficTarget ${ref(chosen.tt)} routes it`);
  };

  /** @param {any} svc @param {any[]} pods @param {any} port @param {any} extra @param {string} why */
  const forward = (svc, pods, port, extra, why) => {
    if (pods.length === 0) return { allowed: false, outcome: /** @type {const} */ ('unavailable'), reason: `Traefik Mesh: ${ref(svc)} has no ready server for this route`, service, pods, ...extra };
    const pod = pods[c.balancer.pick(`traefik|${c.srcId}|${ref(svc)}|${pods.length}`, pods.map(() => 1))];
    return { allowed: true, outcome: /** @type {const} */ ('allowed'), reason: `Traefik Mesh: ${why}`, service, pods, pod, targetPort: resolveTargetPort(port, pod), ...extra };
  };

  const ts = splitFor(w, root);
  if (ts && (ts.spec?.backends ?? []).every((/** @type {any} */ b) => named(w.services, ts.metadata.namespace, b?.service))) {
    const split = { name: ts.metadata.name, namespace: ts.metadata.namespace };
    if (rules.accessControl) {
      const backends = (ts.spec?.backends ?? []).map((/** @type {any} */ b) => named(w.services, ts.metadata.namespace, b.service));
      const incoming = backends.some((/** @type {any} */ svc) => trafficTargetsOf(w, svc, c.port).some((r) => isSource(r.tt)));
      if (!incoming) return deny(`TrafficSplit ${ref(ts)}: the caller may reach none of its backends (IPWhiteList)`, { split });
    }
    const choices = splitChoices(w, ts, c.port, rules);
    if (choices.length === 0) return { allowed: false, outcome: 'unavailable', reason: `Traefik Mesh: TrafficSplit ${ref(ts)} has no backend with weight`, service, split, pods: [] };
    const i = c.balancer.pick(`split|${c.srcId}|${ref(ts)}|${c.port}`, choices.map((x) => x.weight));
    return route(choices[i].service, { split });
  }
  return route(root, {});
}

/**
 * The TrafficTarget routers of a Service: TrafficTargets whose destination ServiceAccount has ready
 * pods behind it, whose referenced routes all exist, and whose (v1alpha2) destination port, if any,
 * is this port.
 * @param {any} w @param {any} svc @param {number} port
 * @returns {Array<{ tt: any, pods: any[], matches: any[] }>}
 */
function trafficTargetsOf(w, svc, port) {
  const out = [];
  const pods = endpointsOf(w, svc);
  for (const tt of w.trafficTargets) {
    const d = tt.spec?.destination;
    if (d?.kind !== 'ServiceAccount') continue;
    const ns = d.namespace || tt.metadata.namespace;
    const mine = pods.filter((/** @type {any} */ p) => p.metadata.namespace === ns && serviceAccountOf(p) === d.name);
    if (mine.length === 0) continue;
    if (d.port !== undefined && d.port !== null && Number(d.port) !== port) continue;
    const matches = [];
    let valid = true;
    for (const r of Array.isArray(tt.spec?.rules) ? tt.spec.rules : []) {
      if (r?.kind === 'TCPRoute') {
        if (!named(w.tcpRoutes, tt.metadata.namespace, r.name)) valid = false;
      } else if (r?.kind === 'HTTPRouteGroup') {
        const group = named(w.httpRouteGroups, tt.metadata.namespace, r.name);
        if (!group) {
          valid = false;
          continue;
        }
        const all = Array.isArray(group.spec?.matches) ? group.spec.matches : [];
        const wanted = Array.isArray(r.matches) && r.matches.length > 0 ? r.matches : all.map((/** @type {any} */ m) => m?.name);
        for (const name of wanted) {
          const m = all.find((/** @type {any} */ x) => x?.name === name);
          if (!m) valid = false;
          else matches.push(m);
        }
      } else valid = false;
    }
    if (valid) out.push({ tt, pods: mine, matches });
  }
  return out;
}
