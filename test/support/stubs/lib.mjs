// Shared behaviour of the stub executables (minikube, kubectl, helm, osm, linkerd, linkerd-smi,
// istioctl, kumactl). Each stub records its argv as a JSON line in $MESHSPEC_STUB_LOG and acts on
// the fake API server from test/support/fake-cluster the way the real tool acts on a cluster:
//   minikube start      writes a kubeconfig (context = profile) pointing at $MESHSPEC_STUB_CLUSTER_URL
//                       with token $MESHSPEC_STUB_CLUSTER_TOKEN, and creates kube-system/coredns;
//                       MESHSPEC_STUB_FAIL_FIRST=1 fails the first start, MESHSPEC_STUB_FAIL_ALWAYS=1 every start
//   minikube status|delete|logs|update-context   track the profile in $MESHSPEC_STUB_STATE
//   osm install, istioctl install, helm install  create the mesh's control plane (the fake's
//                       controlPlaneManifests) through the REST API; uninstall removes it
//   linkerd/linkerd-smi/kumactl install          print the control plane as YAML, for `kubectl apply -f -`
//   kubectl apply|delete -f <file|->             create/replace or delete those objects (JSON REST, not protobuf)
// The executables themselves are a few lines that import this module through $MESHSPEC_STUBS_DIR,
// because the tests serve them through the release server and run them from the tool cache.
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import yaml from 'js-yaml';
import { controlPlaneManifests } from '../fake-cluster/mesh/control-plane.mjs';

const env = process.env;

function record(tool, argv) {
  if (!env.MESHSPEC_STUB_LOG) return;
  const line = { tool, argv, githubToken: env.GITHUB_TOKEN ?? null, kubeconfig: env.KUBECONFIG ?? null };
  appendFileSync(env.MESHSPEC_STUB_LOG, `${JSON.stringify(line)}\n`);
}

function stateDir() {
  const dir = env.MESHSPEC_STUB_STATE ?? (env.MESHSPEC_STUB_LOG ? dirname(env.MESHSPEC_STUB_LOG) : process.cwd());
  mkdirSync(dir, { recursive: true });
  return dir;
}

const flag = (argv, name) => {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === name) return argv[i + 1];
    if (argv[i].startsWith(`${name}=`)) return argv[i].slice(name.length + 1);
  }
  return undefined;
};

// --- talking to the fake API server --------------------------------------------------------------------------------

function cluster() {
  const config = yaml.load(readFileSync(env.KUBECONFIG, 'utf8'));
  const ctx = config.contexts.find((c) => c.name === config['current-context']).context;
  const server = config.clusters.find((c) => c.name === ctx.cluster).cluster.server;
  const token = config.users.find((u) => u.name === ctx.user)?.user?.token;
  return { server, token };
}

const CLUSTER_SCOPED = new Set(['Namespace', 'CustomResourceDefinition', 'ClusterRole', 'ClusterRoleBinding']);
const PLURALS = { Namespace: 'namespaces', Deployment: 'deployments', ConfigMap: 'configmaps', ServiceAccount: 'serviceaccounts', Service: 'services' };

function collection(obj) {
  const [group, version] = obj.apiVersion.includes('/') ? obj.apiVersion.split('/') : ['', obj.apiVersion];
  const base = group ? `/apis/${group}/${version}` : `/api/${version}`;
  const plural = PLURALS[obj.kind] ?? `${obj.kind.toLowerCase()}s`;
  const ns = CLUSTER_SCOPED.has(obj.kind) ? '' : `/namespaces/${obj.metadata.namespace ?? 'default'}`;
  return `${base}${ns}/${plural}`;
}

async function request(method, path, body) {
  const { server, token } = cluster();
  const res = await fetch(`${server}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, text };
}

/** kubectl apply: create, or replace what is there. */
export async function applyObjects(objects) {
  for (const obj of objects) {
    const created = await request('POST', collection(obj), obj);
    if (created.status === 409) {
      const path = `${collection(obj)}/${obj.metadata.name}`;
      const current = JSON.parse((await request('GET', path)).text);
      const replaced = await request('PUT', path, { ...obj, metadata: { ...obj.metadata, resourceVersion: current.metadata.resourceVersion } });
      if (replaced.status >= 300) throw new Error(`replace ${path}: HTTP ${replaced.status} ${replaced.text}`);
      process.stdout.write(`${obj.kind.toLowerCase()}/${obj.metadata.name} configured\n`);
    } else if (created.status >= 300) {
      throw new Error(`create ${obj.kind} ${obj.metadata.name}: HTTP ${created.status} ${created.text}`);
    } else {
      process.stdout.write(`${obj.kind.toLowerCase()}/${obj.metadata.name} created\n`);
    }
  }
}

export async function deleteObjects(objects, { ignoreNotFound = false } = {}) {
  for (const obj of [...objects].reverse()) {
    const res = await request('DELETE', `${collection(obj)}/${obj.metadata.name}`);
    if (res.status === 404 && ignoreNotFound) continue;
    if (res.status >= 300) throw new Error(`delete ${obj.kind} ${obj.metadata.name}: HTTP ${res.status}`);
    process.stdout.write(`${obj.kind.toLowerCase()}/${obj.metadata.name} deleted\n`);
  }
}

const toYaml = (objects) => objects.map((o) => yaml.dump(o)).join('---\n');
const readStdin = () => readFileSync(0, 'utf8');
const parseYaml = (text) => yaml.loadAll(text).filter((o) => o && typeof o === 'object');

// --- the tools ---------------------------------------------------------------------------------------------------

function writeKubeconfig(profile) {
  const server = env.MESHSPEC_STUB_CLUSTER_URL;
  if (!server) throw new Error('MESHSPEC_STUB_CLUSTER_URL is not set');
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: profile, cluster: { server, 'insecure-skip-tls-verify': true } }],
    users: [{ name: profile, user: { token: env.MESHSPEC_STUB_CLUSTER_TOKEN ?? 'stub' } }],
    contexts: [{ name: profile, context: { cluster: profile, user: profile, namespace: 'default' } }],
    'current-context': profile,
  };
  mkdirSync(dirname(env.KUBECONFIG), { recursive: true });
  writeFileSync(env.KUBECONFIG, yaml.dump(config), { mode: 0o600 });
}

const coredns = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'coredns', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } },
  spec: {
    replicas: 1,
    selector: { matchLabels: { 'k8s-app': 'kube-dns' } },
    template: { metadata: { labels: { 'k8s-app': 'kube-dns' } }, spec: { containers: [{ name: 'coredns', image: 'registry.k8s.io/coredns/coredns:v1.12.0' }] } },
  },
};

async function minikube(argv) {
  const profile = flag(argv, '--profile') ?? flag(argv, '-p') ?? 'minikube';
  const running = join(stateDir(), `minikube-${profile}.running`);
  switch (argv[0]) {
    case 'start': {
      const failedOnce = join(stateDir(), 'minikube-start-failed-once');
      if (env.MESHSPEC_STUB_FAIL_ALWAYS === '1' || (env.MESHSPEC_STUB_FAIL_FIRST === '1' && !existsSync(failedOnce))) {
        writeFileSync(failedOnce, '');
        process.stdout.write(`* [${profile}] minikube v1.38.1 on Debian\n* Creating docker container (CPUs=2, Memory=4096MB) ...\n`);
        process.stderr.write('X Exiting due to GUEST_PROVISION: error provisioning guest: stub failure\n');
        return 80;
      }
      writeKubeconfig(profile);
      await applyObjects([coredns]);
      writeFileSync(running, '');
      process.stdout.write(`* Done! kubectl is now configured to use "${profile}" cluster and "default" namespace by default\n`);
      return 0;
    }
    case 'status':
      if (!existsSync(running)) {
        process.stdout.write(`{"Name":"${profile}","Host":"Nonexistent"}\n`);
        return 85;
      }
      process.stdout.write(`{"Name":"${profile}","Host":"Running","Kubelet":"Running","APIServer":"Running"}\n`);
      return 0;
    case 'update-context':
      writeKubeconfig(profile);
      return 0;
    case 'delete':
      rmSync(running, { force: true });
      process.stdout.write(`* Deleting "${profile}" in docker ...\n* Removed all traces of the "${profile}" cluster.\n`);
      return 0;
    case 'logs':
      process.stdout.write(`==> Audit <==\n| start | --profile=${profile} |\n==> Last Start <==\nstub minikube log line\n`);
      return 0;
    default:
      process.stderr.write(`stub minikube: unsupported ${argv[0]}\n`);
      return 64;
  }
}

async function kubectl(argv) {
  const verb = argv[0];
  const file = flag(argv, '-f');
  if ((verb === 'apply' || verb === 'delete') && file) {
    const objects = parseYaml(file === '-' ? readStdin() : readFileSync(file, 'utf8'));
    if (verb === 'apply') await applyObjects(objects);
    else await deleteObjects(objects, { ignoreNotFound: argv.includes('--ignore-not-found') });
    return 0;
  }
  process.stderr.write(`stub kubectl: unsupported ${argv.join(' ')}\n`);
  return 64;
}

/** The control plane of a mesh, split by namespace (linkerd's SMI extension lives in linkerd-smi). */
const manifests = (meshId, namespace) =>
  controlPlaneManifests(meshId).filter((o) => (o.kind === 'Namespace' ? o.metadata.name : o.metadata.namespace) === namespace);

async function osm(argv) {
  if (argv[0] === 'install') {
    const ns = flag(argv, '--osm-namespace') ?? 'osm-system';
    await applyObjects(manifests('osm', ns));
    process.stdout.write(`OSM installed successfully in namespace [${ns}] with mesh name [${flag(argv, '--mesh-name')}]\n`);
    return 0;
  }
  if (argv[0] === 'uninstall') {
    await deleteObjects(manifests('osm', flag(argv, '--osm-namespace') ?? 'osm-system'), { ignoreNotFound: true });
    return 0;
  }
  return 64;
}

async function linkerd(argv) {
  if (argv[0] === 'install' && argv.includes('--crds')) {
    // The real output is CRDs; a ConfigMap stands in, so that kubectl apply has something to apply.
    process.stdout.write(toYaml([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'linkerd-crds-stub', namespace: 'default' }, data: { crds: 'stub' } }]));
    return 0;
  }
  if (argv[0] === 'install' || argv[0] === 'uninstall') {
    process.stdout.write(toYaml(manifests('linkerd', 'linkerd')));
    return 0;
  }
  return 64;
}

async function linkerdSmi(argv) {
  if (argv[0] === 'install' || argv[0] === 'uninstall') {
    process.stdout.write(toYaml(manifests('linkerd', 'linkerd-smi')));
    return 0;
  }
  return 64;
}

async function istioctl(argv) {
  if (argv[0] === 'install') {
    await applyObjects(manifests('istio', 'istio-system'));
    process.stdout.write('✔ Istio core installed\n✔ Istiod installed\n✔ Installation complete\n');
    return 0;
  }
  if (argv[0] === 'uninstall') {
    await deleteObjects(manifests('istio', 'istio-system'), { ignoreNotFound: true });
    return 0;
  }
  return 64;
}

const HELM_RELEASES = { 'traefik-mesh': 'traefik_mesh', consul: 'consul', kuma: 'kuma' };

async function helm(argv) {
  const release = argv[1];
  const meshId = HELM_RELEASES[release];
  const ns = flag(argv, '--namespace') ?? 'default';
  if (argv[0] === 'install' && meshId) {
    if (!existsSync(argv[2])) {
      process.stderr.write(`Error: INSTALLATION FAILED: path "${argv[2]}" not found\n`);
      return 1;
    }
    await applyObjects(manifests(meshId, ns));
    process.stdout.write(`NAME: ${release}\nNAMESPACE: ${ns}\nSTATUS: deployed\n`);
    return 0;
  }
  if (argv[0] === 'uninstall' && meshId) {
    await deleteObjects(manifests(meshId, ns), { ignoreNotFound: true });
    process.stdout.write(`release "${release}" uninstalled\n`);
    return 0;
  }
  return 64;
}

async function kumactl(argv) {
  if (argv[0] === 'install' && argv[1] === 'control-plane') {
    process.stdout.write(toYaml(manifests('kuma', 'kuma-system')));
    return 0;
  }
  return 64;
}

const TOOLS = { minikube, kubectl, osm, linkerd, 'linkerd-smi': linkerdSmi, istioctl, helm, kumactl };

/** The entry point every stub executable calls. */
export function run(tool, argv) {
  record(tool, argv);
  if (env.MESHSPEC_STUB_EXECUTED) appendFileSync(env.MESHSPEC_STUB_EXECUTED, `${tool}\n`);
  Promise.resolve()
    .then(() => TOOLS[tool](argv))
    .then(
      (code) => {
        process.exitCode = code;
      },
      (error) => {
        process.stderr.write(`stub ${tool}: ${error.stack ?? error}\n`);
        process.exitCode = 1;
      },
    );
}
