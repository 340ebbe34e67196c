// Cluster DNS as a pod sees it (kube-dns / CoreDNS behind a pod's resolv.conf):
//   search <ns>.svc.<domain> svc.<domain> <domain>
//   options ndots:5
// So `app-b` resolves in the caller's namespace, `app-b.ns` and `app-b.ns.svc` through the
// search list, `app-b.ns.svc.cluster.local` as is, and a trailing dot makes a name absolute
// (no search list). A name that is not a valid DNS name (an empty label, as in Meshery's
// `app-b.<ns>..svc.cluster.local.`) fails the way Go's resolver fails it: "no such host".
//
// Only Services have names here. An IPv4 literal reaches a Service by its ClusterIP or a pod by
// its podIP, as on a real cluster network.

import { isIPv4 } from 'node:net';

const LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * @typedef {object} DnsOptions
 * @property {string} [clusterDomain]  default `cluster.local`
 * @property {string[]} [meshDomains]  extra `<svc>.<ns>.<suffix>` zones a mesh serves
 *   (Traefik Mesh answers `*.traefik.mesh` and the older `*.maesh`)
 */

/**
 * @typedef {{ ok: true, service: any, fqdn: string, meshZone?: string } | { ok: true, pod: any, fqdn: string } | { ok: false, reason: string }} Resolution
 *   meshZone: set when the name was in one of the mesh's own zones (Traefik Mesh routes only those)
 */

/**
 * @param {{ services: any[], pods: any[] }} world
 * @param {string} rawHost   the URL's hostname, as the client wrote it
 * @param {string} sourceNamespace  the caller's namespace, for the search list
 * @param {DnsOptions} [opts]
 * @returns {Resolution}
 */
export function resolveHost(world, rawHost, sourceNamespace, opts = {}) {
  const domain = (opts.clusterDomain ?? 'cluster.local').toLowerCase();
  let host = String(rawHost ?? '').toLowerCase();
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);

  if (isIPv4(host)) {
    const service = world.services.find((s) => s.spec?.clusterIP === host);
    if (service) return { ok: true, service, fqdn: host };
    const pod = world.pods.find((p) => p.status?.podIP === host);
    if (pod) return { ok: true, pod, fqdn: host };
    return { ok: false, reason: `dial tcp ${host}: connect: no route to host` };
  }

  const absolute = host.endsWith('.');
  const name = absolute ? host.slice(0, -1) : host;
  const labels = name.split('.');
  if (!name || labels.some((l) => !LABEL.test(l))) {
    return { ok: false, reason: `lookup ${rawHost}: no such host (not a valid DNS name)` };
  }

  const search = [`${sourceNamespace}.svc.${domain}`, `svc.${domain}`, domain];
  const viaSearch = search.map((s) => `${name}.${s}`);
  // ndots:5: a name with fewer than 5 dots tries the search list first, then itself.
  const candidates = absolute ? [name] : labels.length - 1 >= 5 ? [name, ...viaSearch] : [...viaSearch, name];

  const zones = [`svc.${domain}`, ...(opts.meshDomains ?? []).map((d) => d.toLowerCase())];
  for (const fqdn of candidates) {
    for (const zone of zones) {
      if (!fqdn.endsWith(`.${zone}`)) continue;
      const parts = fqdn.slice(0, -(zone.length + 1)).split('.');
      if (parts.length !== 2) continue;
      const [svc, ns] = parts;
      const service = world.services.find((s) => s.metadata?.name === svc && s.metadata?.namespace === ns);
      if (service) return { ok: true, service, fqdn, ...(zone === `svc.${domain}` ? {} : { meshZone: zone }) };
    }
  }
  return { ok: false, reason: `lookup ${rawHost}: no such host` };
}
