/**
 * A fake Kubernetes API server: node:http on 127.0.0.1, plain http, the real JSON REST protocol.
 *
 *   import { startFakeCluster } from './api-server.mjs';
 *   const cluster = await startFakeCluster({
 *     simulation?: ({ store, controlPlane }) => MeshSimulation | Promise<MeshSimulation>,  // see mesh/index.mjs
 *     podRuntime?: PodRuntime,          // overrides the simulation's; default: an HTTP echo server per pod
 *     crds?: object[],                  // extra CRDs to install at start (e.g. loadSmiCrds() from crds.mjs)
 *     aggregatedApis?: AggregatedApi[], // extra aggregated APIs (besides the simulation's)
 *     controlPlane?: string,            // passed to the simulation; default 'osm'
 *     token?: string,                   // bearer token the kubeconfig carries and the server requires
 *     kubernetesVersion?: string,       // default 'v1.30.0'
 *     requestLog?: (line: string, request: { method, url, status, contentType, userAgent }) => void,
 *     onError?: (err: unknown) => void, // controller errors; default: console.error
 *   });
 *
 *   FakeCluster = {
 *     url: string,                      // http://127.0.0.1:<port>
 *     kubeconfig: string,               // YAML; context 'fake-cluster', namespace default, token user, insecure-skip-tls-verify
 *     token: string,
 *     writeKubeconfig(path): Promise<string>,  // writes the kubeconfig (mode 0600), returns the path
 *     store: Store,                     // see store.mjs
 *     simulation: MeshSimulation | undefined,
 *     registerAggregatedApi(api): () => void,  // serve an aggregated API; the returned function withdraws it
 *     idle(): Promise<void>,            // resolves when the controllers have nothing queued or in flight
 *     close(): Promise<void>,           // ends watches, WebSockets and sockets, stops pods, closes the simulation
 *   }
 *
 *   AggregatedApi = { group, version, resources: APIResource[], handle(req, res, { namespace, resource, name, subresource, query, path }) }
 *     Requests under /apis/<group>/<version>/... go to `handle` while an APIService `<version>.<group>` with a
 *     `spec.service` exists (one is created at registration) and the handler is registered; only then is the group
 *     listed in discovery. /apis/<group>/<version> itself answers with the APIResourceList built from `resources`.
 *
 * Served: /version, /healthz, /readyz, /livez, /api, /api/v1, /apis, /apis/<g>, /apis/<g>/<v>; CRUD, list (labelSelector,
 * fieldSelector, limit/continue), watch (?watch=1, JSON lines), status subresources, pods/log, pods/portforward
 * (WebSocket, v4.channel.k8s.io). Errors are `kind: Status` bodies. Bodies are JSON (YAML accepted); protobuf gets 415.
 */
import http from 'node:http';
import { randomBytes, randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import yaml from 'js-yaml';
import { Store, now } from './store.mjs';
import { Registry, BUILTIN_TYPES } from './resources.mjs';
import { Rest, PATCH_TYPES, gv } from './rest.mjs';
import { ApiError, errors } from './errors.mjs';
import { startControllers, localApiService, NODE_NAME, isReady } from './controllers.mjs';
import { createPortForward } from './portforward.mjs';
import { createEchoPodRuntime } from './pod-runtime.mjs';
import { renderCriLog, textToCriRecords } from './cri-log.mjs';
import { compileLabelSelector, matchesLabels, parseFieldSelector, matchesFields } from './selectors.mjs';

const MAX_BODY = 3 * 1024 * 1024;

/**
 * @param {{ simulation?: (o: { store: Store, controlPlane: string }) => any, podRuntime?: any, crds?: any[],
 *   aggregatedApis?: any[], controlPlane?: string, token?: string, kubernetesVersion?: string,
 *   requestLog?: (line: string, request: { method: string, url: string, status: number, contentType: string, userAgent: string }) => void,
 *   onError?: (err: unknown) => void }} [options]
 */
export async function startFakeCluster(options = {}) {
  const token = options.token ?? randomBytes(16).toString('hex');
  const kubernetesVersion = options.kubernetesVersion ?? 'v1.30.0';
  const controlPlane = options.controlPlane ?? 'osm';
  const store = new Store();
  const simulation = options.simulation ? await options.simulation({ store, controlPlane }) : undefined;
  const echo = options.podRuntime || simulation?.podRuntime ? undefined : createEchoPodRuntime();
  const podRuntime = options.podRuntime ?? simulation?.podRuntime ?? echo;
  const controllers = startControllers({ store, podRuntime, onError: options.onError });

  /** @type {Map<string, any>} `${version}.${group}` -> AggregatedApi */
  const handlers = new Map();
  const apiServiceRef = (name) => ({ group: 'apiregistration.k8s.io', resource: 'apiservices', name });
  const aggregated = () =>
    [...handlers.values()].filter((a) => store.get(apiServiceRef(`${a.version}.${a.group}`))?.spec?.service);
  const registry = new Registry(store, aggregated, kubernetesVersion);
  const rest = new Rest({
    store,
    kubernetesVersion,
    admitApiService(obj) {
      const { group, version, service } = obj.spec ?? {};
      const available = !service || handlers.has(`${version}.${group}`);
      const prev = (obj.status?.conditions ?? []).find((c) => c.type === 'Available');
      const status = available ? 'True' : 'False';
      obj.status = {
        conditions: [{
          type: 'Available',
          status,
          lastTransitionTime: prev?.status === status ? prev.lastTransitionTime : now(),
          reason: !service ? 'Local' : available ? 'Passed' : 'ServiceNotFound',
          message: !service ? 'Local APIServices are always available' : available ? 'all checks passed' : `service/${service.name} in "${service.namespace}" is not present`,
        }],
      };
    },
  });
  const typeOf = (group, resource) => BUILTIN_TYPES.find((t) => t.group === group && t.resource === resource);

  function registerAggregatedApi(api) {
    const key = `${api.version}.${api.group}`;
    handlers.set(key, api);
    const type = typeOf('apiregistration.k8s.io', 'apiservices');
    const existing = store.get(apiServiceRef(key));
    const body = {
      apiVersion: 'apiregistration.k8s.io/v1',
      kind: 'APIService',
      metadata: { name: key },
      spec: {
        group: api.group,
        version: api.version,
        service: { namespace: 'kube-system', name: api.group.split('.')[0], port: 443 },
        insecureSkipTLSVerify: true,
        groupPriorityMinimum: 100,
        versionPriority: 100,
      },
    };
    if (!existing) rest.create(type, undefined, body, { fieldManager: 'fake-cluster' });
    else rest.update(type, undefined, key, { ...existing, spec: existing.spec.service ? existing.spec : body.spec }, { fieldManager: 'fake-cluster' });
    return () => {
      if (handlers.get(key) !== api) return;
      handlers.delete(key);
      const cur = store.get(apiServiceRef(key));
      if (cur) rest.update(type, undefined, key, cur, { subresource: 'status', fieldManager: 'fake-cluster' });
    };
  }

  // --- the cluster's initial state ------------------------------------------------------------------------------
  for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
    rest.create(typeOf('', 'namespaces'), undefined, { metadata: { name: ns } }, { fieldManager: 'kube-apiserver' });
  }
  store.create({ group: '', resource: 'nodes' }, fakeNode(kubernetesVersion));
  const groupVersions = new Set(registry.builtins.map((t) => `${t.version}.${t.group}`));
  for (const key of groupVersions) {
    const [version, ...g] = key.split('.');
    store.create({ group: 'apiregistration.k8s.io', resource: 'apiservices' }, localApiService(g.join('.'), version));
  }
  const crdType = typeOf('apiextensions.k8s.io', 'customresourcedefinitions');
  for (const crd of [...(options.crds ?? []), ...(simulation?.crdManifests?.() ?? [])]) {
    rest.create(crdType, undefined, structuredClone(crd), { fieldManager: 'fake-cluster' });
  }
  for (const api of [...(options.aggregatedApis ?? []), ...(simulation?.aggregatedApis?.() ?? [])]) registerAggregatedApi(api);
  // The mesh's control plane (namespace and Deployments, as a real install names them), so that
  // `mesh_deployed` verification has something real to find. The controllers make it Ready.
  for (const obj of simulation?.controlPlaneManifests?.() ?? []) {
    const [group, version] = obj.apiVersion.includes('/') ? obj.apiVersion.split('/') : ['', obj.apiVersion];
    const type = BUILTIN_TYPES.find((t) => t.group === group && t.version === version && t.kind === obj.kind);
    if (!type) throw new Error(`control plane object of unknown kind ${obj.apiVersion} ${obj.kind}`);
    rest.create(type, obj.metadata.namespace, structuredClone(obj), { fieldManager: 'fake-cluster' });
  }

  // --- HTTP -------------------------------------------------------------------------------------------------------
  /** @type {Set<http.ServerResponse>} */
  const watches = new Set();
  let closing = false;

  const portForward = createPortForward({
    resolve(namespace, name) {
      const pod = store.get({ group: '', resource: 'pods', namespace, name });
      if (!pod) throw errors.notFound({ group: '', resource: 'pods' }, name);
      const endpoint = controllers.podEndpoint(pod);
      if (!endpoint || pod.status?.phase !== 'Running') {
        throw errors.badRequest(`unable to upgrade connection: pod ${name} is not running (phase ${pod.status?.phase ?? 'Pending'})`);
      }
      return { pod, endpoint };
    },
  });

  const authorized = (req) => req.headers.authorization === `Bearer ${token}`;

  const server = http.createServer((req, res) => {
    const started = Date.now();
    res.on('finish', () =>
      options.requestLog?.(`${req.method} ${req.url} -> ${res.statusCode} (${Date.now() - started} ms)`, {
        method: req.method ?? '',
        url: req.url ?? '',
        status: res.statusCode,
        contentType: String(req.headers['content-type'] ?? ''),
        userAgent: String(req.headers['user-agent'] ?? ''),
      }),
    );
    handle(req, res).catch((err) => {
      const e = err instanceof ApiError ? err : errors.internal(String(/** @type {Error} */ (err)?.stack ?? err));
      if (!(err instanceof ApiError)) options.onError?.(err);
      if (res.headersSent) res.destroy();
      else sendJson(res, e.code, e.toStatus());
    });
  });

  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => {});
    const url = new URL(req.url ?? '/', 'http://localhost');
    const m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/portforward$/.exec(url.pathname);
    if (!authorized(req)) return rawError(socket, errors.unauthorized());
    if (!m || closing) return rawError(socket, errors.notFoundPath());
    portForward.handleUpgrade(req, socket, head, { namespace: decodeURIComponent(m[1]), name: decodeURIComponent(m[2]), query: url.searchParams });
  });

  /** @param {http.IncomingMessage} req @param {http.ServerResponse} res */
  async function handle(req, res) {
    res.setHeader('Audit-Id', randomUUID());
    res.setHeader('Cache-Control', 'no-cache, private');
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    if (['/healthz', '/readyz', '/livez'].includes(path)) return sendText(res, 200, 'ok');
    if (path === '/version') return sendJson(res, 200, versionInfo(kubernetesVersion));
    if (!authorized(req)) throw errors.unauthorized();
    const segs = path.split('/').filter(Boolean).map(decodeURIComponent);
    const method = req.method ?? 'GET';

    if (segs[0] === 'api' && segs.length === 1) {
      return sendJson(res, 200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: `127.0.0.1:${port}` }] });
    }
    if (segs[0] === 'apis' && segs.length === 1) {
      const groups = registry.groups().map((g) => registry.apiGroup(g.name));
      return sendJson(res, 200, { kind: 'APIGroupList', apiVersion: 'v1', groups });
    }
    if (segs[0] === 'apis' && segs.length === 2) {
      const g = registry.apiGroup(segs[1]);
      if (!g) throw errors.notFoundPath();
      return sendJson(res, 200, { kind: 'APIGroup', apiVersion: 'v1', ...g });
    }
    let group;
    let version;
    let rest0;
    if (segs[0] === 'api' && segs[1] === 'v1') [group, version, rest0] = ['', 'v1', segs.slice(2)];
    else if (segs[0] === 'apis' && segs.length >= 3) [group, version, rest0] = [segs[1], segs[2], segs.slice(3)];
    else throw errors.notFoundPath();

    const agg = group ? registry.aggregatedApi(group, version) : undefined;
    if (agg && aggregated().includes(agg)) return delegate(agg, req, res, rest0, url);
    if (rest0.length === 0) {
      const list = registry.resourceList(group, version);
      if (!list) throw errors.notFoundPath();
      return sendJson(res, 200, list);
    }
    let watch = url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1';
    let r = rest0;
    if (r[0] === 'watch') [watch, r] = [true, r.slice(1)];
    const target = parseResourcePath(group, r);
    if (!target) throw errors.notFoundPath();
    const type = registry.lookup(group, version, target.resource);
    if (!type) throw errors.notFoundPath();
    const { namespace, name, subresource } = target;
    if (namespace !== undefined && !type.namespaced) throw errors.notFoundPath();
    if (type.namespaced && namespace === undefined && name !== undefined) throw errors.notFoundPath();
    if (subresource && !type.subresources.includes(subresource)) throw errors.notFoundPath();
    if (!subresource) {
      const verb = name === undefined
        ? { GET: watch ? 'watch' : 'list', POST: 'create', DELETE: 'deletecollection' }[method]
        : { GET: 'get', PUT: 'update', PATCH: 'patch', DELETE: 'delete' }[method];
      if (!verb || !type.verbs.includes(verb)) throw errors.methodNotAllowed(method);
    }
    const q = url.searchParams;
    const writeOpts = {
      fieldManager: q.get('fieldManager') ?? undefined,
      userAgent: String(req.headers['user-agent'] ?? ''),
      dryRun: q.getAll('dryRun').includes('All'),
      fieldValidation: q.get('fieldValidation') ?? undefined,
    };

    if (name === undefined) {
      if (method === 'GET' && watch) return serveWatch(type, namespace, q, req, res);
      if (method === 'GET') return sendJson(res, 200, rest.list(type, namespace, q));
      if (method === 'POST') {
        const { object, warnings } = rest.create(type, namespace, await readObject(req), writeOpts);
        return sendJson(res, 201, object, warnings);
      }
      if (method === 'DELETE') return sendJson(res, 200, rest.deleteCollection(type, namespace, q, deleteOptions(q, undefined)));
      throw errors.methodNotAllowed(method);
    }
    if (subresource === 'log') {
      if (method !== 'GET') throw errors.methodNotAllowed(method);
      return serveLogs(namespace, name, q, res);
    }
    if (subresource === 'portforward') throw errors.badRequest('Upgrade request required');
    const sub = subresource === 'status' ? 'status' : undefined;
    switch (method) {
      case 'GET':
        return sendJson(res, 200, rest.get(type, namespace, name));
      case 'PUT': {
        const { object, warnings } = rest.update(type, namespace, name, await readObject(req), { ...writeOpts, subresource: sub });
        return sendJson(res, 200, object, warnings);
      }
      case 'PATCH': {
        const contentType = String(req.headers['content-type'] ?? '').split(';')[0].trim();
        const force = q.has('force') ? q.get('force') === 'true' : undefined;
        const result = rest.patch(type, namespace, name, contentType, (await readBody(req)).toString('utf8'), { ...writeOpts, subresource: sub, force });
        return sendJson(res, result.created ? 201 : 200, result.object, result.warnings);
      }
      case 'DELETE': {
        const body = await readBody(req);
        const opts = body.length ? parseJson(body) : undefined;
        const { object, code } = rest.delete(type, namespace, name, deleteOptions(q, opts));
        return sendJson(res, code, object);
      }
      default:
        throw errors.methodNotAllowed(method);
    }
  }

  function delegate(agg, req, res, segs, url) {
    if (segs.length === 0) return sendJson(res, 200, registry.resourceList(agg.group, agg.version));
    let namespace;
    let r = segs;
    if (r[0] === 'namespaces' && r.length >= 3) [namespace, r] = [r[1], r.slice(2)];
    const [resource, name, subresource] = r;
    return agg.handle(req, res, { namespace, resource, name, subresource, query: url.searchParams, path: url.pathname });
  }

  /** @param {import('./resources.mjs').ResourceType} type @param {URLSearchParams} q */
  function serveWatch(type, namespace, q, req, res) {
    const labels = compileLabelSelector(q.get('labelSelector') ?? undefined);
    const fields = parseFieldSelector(q.get('fieldSelector') ?? undefined);
    rest.select(type, namespace, q); // validates the selectors
    const matches = (o) => o && (!namespace || o.metadata.namespace === namespace) && matchesLabels(labels, o.metadata.labels) && matchesFields(fields, o);
    const rv = q.get('resourceVersion');
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();
    watches.add(res);
    const send = (type0, object) => res.write(`${JSON.stringify({ type: type0, object: rest.present(type, object) })}\n`);
    const forward = (ev) => {
      if (ev.group !== type.group || ev.resource !== type.resource) return;
      const now_ = matches(ev.object);
      const before = ev.type === 'MODIFIED' && matches(ev.oldObject);
      if (ev.type === 'MODIFIED' && before && !now_) send('DELETED', ev.object);
      else if (ev.type === 'MODIFIED' && !before && now_) send('ADDED', ev.object);
      else if (now_) send(ev.type, ev.object);
    };
    if (!rv || rv === '0') {
      for (const o of store.list({ ...rest.ref(type, namespace), labelSelector: q.get('labelSelector') ?? undefined, fieldSelector: q.get('fieldSelector') ?? undefined })) send('ADDED', o);
    } else {
      const past = store.eventsSince(rv);
      if (!past) {
        res.end(`${JSON.stringify({ type: 'ERROR', object: errors.gone(`too old resource version: ${rv} (${store.resourceVersion})`).toStatus() })}\n`);
        watches.delete(res);
        return;
      }
      past.forEach(forward);
    }
    store.on('change', forward);
    const timeout = Number(q.get('timeoutSeconds') ?? 0);
    const timer = timeout > 0 ? setTimeout(() => res.end(), timeout * 1000) : undefined;
    const stop = () => {
      store.off('change', forward);
      if (timer) clearTimeout(timer);
      watches.delete(res);
    };
    res.on('close', stop);
  }

  /** @param {URLSearchParams} q @param {http.ServerResponse} res */
  function serveLogs(namespace, name, q, res) {
    const pod = store.get({ group: '', resource: 'pods', namespace, name });
    if (!pod) throw errors.notFound({ group: '', resource: 'pods' }, name);
    const names = [...(pod.spec.initContainers ?? []), ...(pod.spec.containers ?? [])].map((c) => c.name);
    let container = q.get('container') ?? '';
    if (!container) {
      if ((pod.spec.containers ?? []).length !== 1) {
        throw errors.badRequest(`a container name must be specified for pod ${name}, choose one of: [${(pod.spec.containers ?? []).map((c) => c.name).join(' ')}]`);
      }
      container = pod.spec.containers[0].name;
    }
    if (!names.includes(container)) throw errors.badRequest(`container ${container} is not valid for pod ${name}`);
    if (q.get('previous') === 'true') throw errors.badRequest(`previous terminated container "${container}" in pod "${name}" not found`);
    const processLog = controllers.processLog(pod, container);
    const state = pod.status?.containerStatuses?.find((c) => c.name === container)?.state;
    if (processLog ? state?.waiting || !state : !controllers.podEndpoint(pod)) {
      const reason = state?.waiting?.reason ?? 'ContainerCreating';
      throw errors.badRequest(`container "${container}" in pod "${name}" is waiting to start: ${reason}`);
    }
    const at = pod.status?.startTime ? new Date(pod.status.startTime).toISOString().replace('Z', '000000Z') : now();
    const log = processLog ?? textToCriRecords(String(podRuntime.logs(pod, { container }) ?? ''), at);
    const number = (k) => (q.has(k) ? Number(q.get(k)) : undefined);
    const sinceSeconds = number('sinceSeconds');
    const sinceTime = q.get('sinceTime') ? Date.parse(String(q.get('sinceTime'))) : sinceSeconds !== undefined ? Date.now() - sinceSeconds * 1000 : undefined;
    const text = renderCriLog(log, { tailLines: number('tailLines'), limitBytes: number('limitBytes'), timestamps: q.get('timestamps') === 'true', sinceTime });
    return sendText(res, 200, text);
  }

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(undefined));
  });
  const port = /** @type {import('node:net').AddressInfo} */ (server.address()).port;
  const url = `http://127.0.0.1:${port}`;

  rest.create(typeOf('', 'services'), 'default', {
    metadata: { name: 'kubernetes', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: { clusterIP: '10.96.0.1', ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: port }] },
  }, { fieldManager: 'kube-apiserver' });
  store.create({ group: '', resource: 'endpoints' }, {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
    subsets: [{ addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'https', port, protocol: 'TCP' }] }],
  });
  await controllers.idle();

  const kubeconfig = makeKubeconfig(url, token);
  return {
    url,
    kubeconfig,
    token,
    store,
    simulation,
    registerAggregatedApi,
    idle: () => controllers.idle(),
    async writeKubeconfig(path) {
      await writeFile(path, kubeconfig, { mode: 0o600 });
      return path;
    },
    async close() {
      if (closing) return;
      closing = true;
      for (const w of watches) w.end();
      portForward.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(() => resolve(undefined)));
      await controllers.close();
      await simulation?.close?.();
      await echo?.close();
    },
  };
}

/** Parses `[namespaces/<ns>/]<resource>[/<name>[/<subresource>]]`. */
function parseResourcePath(group, segs) {
  let namespace;
  let r = segs;
  const namespaceSub = group === '' && r[0] === 'namespaces' && r.length === 3 && ['status', 'finalize'].includes(r[2]);
  if (r[0] === 'namespaces' && r.length >= 3 && !namespaceSub) [namespace, r] = [r[1], r.slice(2)];
  if (r.length === 0 || r.length > 3) return undefined;
  return { namespace, resource: r[0], name: r[1], subresource: r[2] };
}

function deleteOptions(q, body) {
  return {
    propagationPolicy: q.get('propagationPolicy') ?? body?.propagationPolicy ?? undefined,
    orphanDependents: q.has('orphanDependents') ? q.get('orphanDependents') === 'true' : body?.orphanDependents ?? undefined,
    preconditions: body?.preconditions,
    dryRun: q.getAll('dryRun').includes('All') || (body?.dryRun ?? []).includes('All'),
  };
}

/** @param {http.IncomingMessage} req @returns {Promise<Buffer>} */
function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new ApiError(413, 'RequestEntityTooLarge', 'Request entity too large: limit is 3145728'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** A JSON (or YAML) request body as an object. @param {http.IncomingMessage} req */
async function readObject(req) {
  const type = String(req.headers['content-type'] ?? 'application/json').split(';')[0].trim();
  const body = await readBody(req);
  if (type === 'application/yaml') {
    try {
      return yaml.load(body.toString('utf8'));
    } catch (err) {
      throw errors.badRequest(`error converting YAML to JSON: ${/** @type {Error} */ (err).message}`);
    }
  }
  if (type !== 'application/json' && type !== '*/*') {
    const e = errors.unsupportedMediaType(['application/json', 'application/yaml']);
    if (type.includes('protobuf')) e.message += ' (this fake API server speaks no protobuf: use JSON)';
    throw e;
  }
  return parseJson(body);
}

function parseJson(buf) {
  try {
    return JSON.parse(buf.toString('utf8'));
  } catch (err) {
    throw errors.badRequest(`couldn't get version/kind; json parse error: ${/** @type {Error} */ (err).message}`);
  }
}

/** @param {http.ServerResponse} res @param {string[]} [warnings] */
function sendJson(res, code, body, warnings = []) {
  const text = JSON.stringify(body);
  if (warnings.length) res.setHeader('Warning', warnings.map((w) => `299 - ${JSON.stringify(w)}`));
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** @param {http.ServerResponse} res @param {number} code @param {string | Buffer} text */
function sendText(res, code, text) {
  res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function rawError(socket, err) {
  const body = JSON.stringify(err.toStatus());
  socket.end(`HTTP/1.1 ${err.code} ${http.STATUS_CODES[err.code]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

function versionInfo(gitVersion) {
  const m = /^v(\d+)\.(\d+)/.exec(gitVersion);
  return {
    major: m?.[1] ?? '1',
    minor: m?.[2] ?? '30',
    gitVersion,
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2024-01-01T00:00:00Z',
    goVersion: 'go1.22.0',
    compiler: 'gc',
    platform: `linux/${process.arch === 'arm64' ? 'arm64' : 'amd64'}`,
  };
}

function fakeNode(kubeletVersion) {
  const at = now();
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: NODE_NAME, labels: { 'kubernetes.io/hostname': NODE_NAME, 'kubernetes.io/os': 'linux', 'node-role.kubernetes.io/control-plane': '' } },
    spec: { podCIDR: '127.0.0.0/16' },
    status: {
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: at, lastTransitionTime: at }],
      addresses: [{ type: 'InternalIP', address: '127.0.0.1' }, { type: 'Hostname', address: NODE_NAME }],
      nodeInfo: { kubeletVersion, containerRuntimeVersion: 'fake://1.0', operatingSystem: 'linux', architecture: process.arch === 'arm64' ? 'arm64' : 'amd64' },
      capacity: { cpu: '2', memory: '4Gi', pods: '110' },
      allocatable: { cpu: '2', memory: '4Gi', pods: '110' },
    },
  };
}

/** @param {string} url @param {string} token */
function makeKubeconfig(url, token, name = 'fake-cluster') {
  return yaml.dump({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server: url, 'insecure-skip-tls-verify': true } }],
    users: [{ name: `${name}-user`, user: { token } }],
    contexts: [{ name, context: { cluster: name, user: `${name}-user`, namespace: 'default' } }],
    'current-context': name,
    preferences: {},
  });
}

