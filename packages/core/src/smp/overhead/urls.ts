import { isIP } from 'node:net';
import { inputError } from '../../errors.js';
import { redactUrl } from '../../redact.js';
import type { SmpProfile } from '../profile.js';

/**
 * What a comparison asks of the profile before anything is deployed.
 *
 * The load must come from inside the cluster: from the runner an in-cluster Service is reachable
 * only through a port-forward, which connects on the pod's loopback, where no sidecar intercepts;
 * both sides would then measure the bare service and the "overhead" would be zero by construction.
 *
 * Every URL must name the service by its short name (`http://<service>:<port>/path`). Each side's
 * load pods resolve it through their own namespace's search list (`<ns>.svc.cluster.local` first),
 * so the one profile reaches the meshed copy from the meshed pods and the plain copy from the plain
 * ones. A dotted host (namespace-qualified, a full name, an address) reaches the same backend from
 * both sides, and `localhost` the load pod itself.
 */
export function assertComparableProfile(profile: SmpProfile, option: string): void {
  const runner = profile.clients.map((c, i) => (c.internal ? undefined : `clients[${i}]`)).filter((x): x is string => x !== undefined);
  if (runner.length > 0) {
    throw inputError(
      `${option}: ${profile.source}: ${runner.join(', ')} load${runner.length === 1 ? 's' : ''} from the runner, which reaches an in-cluster service only through a port-forward ` +
        "on the pod's loopback, where no sidecar intercepts: both sides would measure the bare service. Set internal: true on the clients so the load runs as pods in each side's namespace",
    );
  }
  profile.clients.forEach((c, i) =>
    c.endpoint_urls.forEach((raw, j) => {
      const why = hostProblem(raw);
      if (why) {
        throw inputError(
          `${option}: ${profile.source}: clients[${i}].endpoint_urls[${j}] (${redactUrl(raw)}): ${why}. ` +
            "Name the service by its short name, http://<service>:<port>/path: each side's load pods resolve it in their own namespace, so one profile reaches each copy",
        );
      }
    }),
  );
}

function hostProblem(raw: string): string | undefined {
  let host: string;
  try {
    host = new URL(raw).hostname;
  } catch {
    return 'not a URL';
  }
  const bare = host.replace(/^\[|\]$/g, '');
  if (isIP(bare)) return `"${host}" is an address, the same backend from both sides`;
  if (host.includes('.')) return `"${host}" is namespace-qualified or a full name, the same backend from both sides`;
  if (host.toLowerCase() === 'localhost') return '"localhost" is the load pod itself';
  return undefined;
}
