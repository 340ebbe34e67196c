import { existsSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import { homedir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { inputError } from '../errors.js';
import { formatGoDuration } from '../duration.js';
import { deadlineSignal } from '../wait.js';
import { CLI_WORDING, type Wording } from '../wording.js';

/**
 * Kubeconfig loading, one name for each thing (docs/architecture.md, "kube/"):
 * - kubeconfigPath: which file minikube writes and a path-less run reads;
 * - loadKubeConfigFile: one named file (the lifecycle, which knows the path);
 * - resolveKubeConfig: kubectl's lookup order for a run against an existing cluster;
 * - checkReachable: a bounded /version probe for `cluster: auto`.
 */

/**
 * The kubeconfig file meshspec reads and minikube writes: the explicit path, else the first entry
 * of KUBECONFIG, else ~/.kube/config, as kubectl does.
 */
export function kubeconfigPath(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (explicit) return explicit;
  const fromEnv = (env.KUBECONFIG ?? '').split(delimiter).find((p) => p !== '');
  return fromEnv ?? join(env.HOME || homedir(), '.kube', 'config');
}

/** Every file kubectl would look at, for messages: the explicit path, else KUBECONFIG's entries, else ~/.kube/config. */
export function kubeconfigCandidates(explicit?: string, env: NodeJS.ProcessEnv = process.env): string[] {
  if (explicit) return [explicit];
  const fromEnv = (env.KUBECONFIG ?? '').split(delimiter).filter((p) => p !== '');
  return fromEnv.length ? fromEnv.map((p) => `${p} (KUBECONFIG)`) : [join(env.HOME || homedir(), '.kube', 'config')];
}

/** Loads a kubeconfig; `context` switches to a named context. A missing file names the input. */
export function loadKubeConfigFile(path: string, context?: string, wording: Wording = CLI_WORDING): KubeConfig {
  return useContext(readKubeConfigFile(path, wording), path, context);
}

/** Reads a kubeconfig file as it is, its own current context still current. A missing file names the input. */
export function readKubeConfigFile(path: string, wording: Wording = CLI_WORDING): KubeConfig {
  if (!existsSync(path)) throw inputError(`kubeconfig ${path} does not exist; give another with ${wording.kubeconfig}, or ${wording.startCluster}`);
  const kc = new KubeConfig();
  try {
    kc.loadFromFile(path);
  } catch (error) {
    throw inputError(`kubeconfig ${path} cannot be read: ${(error as Error).message}`, { cause: error });
  }
  return kc;
}

/** Switches a kubeconfig read from `path` to `context` (when given) and checks that its server can be used. */
export function useContext(kc: KubeConfig, path: string, context?: string): KubeConfig {
  if (context) {
    if (!kc.getContexts().some((c) => c.name === context)) {
      throw inputError(`kubeconfig ${path} has no context "${context}"; it has ${kc.getContexts().map((c) => c.name).join(', ') || 'none'}`);
    }
    kc.setCurrentContext(context);
  }
  refusePlainHttp(kc, path);
  return kc;
}

/**
 * @kubernetes/client-node refuses a plain-http server unless the cluster entry sets
 * insecure-skip-tls-verify (dist/config.js, createAgent: "HTTP protocol is not allowed when
 * skipTLSVerify is not set or false", v1.4.0), and it says so only at the first request, from
 * wherever that is. kubectl takes such a kubeconfig (kubectl proxy serves http://127.0.0.1:8001).
 */
function refusePlainHttp(kc: KubeConfig, source: string): void {
  const cluster = kc.getCurrentCluster();
  if (!cluster?.server.startsWith('http:') || cluster.skipTLSVerify || cluster.proxyUrl) return;
  throw inputError(
    `${source}: context "${kc.getCurrentContext()}" points at ${cluster.server}, plain http, which the Kubernetes client meshspec uses refuses unless the cluster entry sets insecure-skip-tls-verify: true. ` +
      `Set it on cluster "${cluster.name}" (for kubectl proxy), or use the cluster's https address`,
  );
}

/** Where the kubeconfig comes from, in kubectl's order: the flag/input, then KUBECONFIG, then ~/.kube/config. */
export interface KubeTarget {
  /** Path from --kubeconfig or the `kubeconfig` input. */
  kubeconfig?: string;
  /** Context from --context; the kubeconfig's current context otherwise. */
  context?: string;
  /** The name of the flag or input the path came from, for error messages. */
  kubeconfigSource?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export interface LoadedKubeConfig {
  kc: KubeConfig;
  /** Where it was read from, for messages. */
  source: string;
  context: string;
  server: string;
}

export function resolveKubeConfig(target: KubeTarget): LoadedKubeConfig {
  const env = target.env ?? process.env;
  const kc = new KubeConfig();
  let source: string;
  if (target.kubeconfig) {
    const file = resolve(target.cwd ?? process.cwd(), target.kubeconfig);
    const from = target.kubeconfigSource ?? '--kubeconfig';
    if (!existsSync(file)) throw inputError(`${from}: kubeconfig file ${file} does not exist; pass the path of a kubeconfig, or leave it empty to use KUBECONFIG or ~/.kube/config`);
    loadFile(kc, file, from);
    source = file;
  } else if (env.KUBECONFIG) {
    const files = env.KUBECONFIG.split(delimiter).filter((f) => f !== '' && existsSync(f));
    if (files.length === 0) throw inputError(`KUBECONFIG=${env.KUBECONFIG}: no such file; point KUBECONFIG at a kubeconfig or pass --kubeconfig`);
    loadFile(kc, files[0]!, 'KUBECONFIG');
    // kubectl merges every file in KUBECONFIG; the first one that sets a value wins.
    for (const f of files.slice(1)) {
      const extra = new KubeConfig();
      loadFile(extra, f, 'KUBECONFIG');
      kc.mergeConfig(extra, true);
    }
    source = `KUBECONFIG (${files.join(delimiter)})`;
  } else {
    const file = join(env.HOME ?? homedir(), '.kube', 'config');
    if (!existsSync(file)) {
      throw inputError(`no kubeconfig: ${file} does not exist and KUBECONFIG is not set; pass --kubeconfig (the kubeconfig input in a workflow) or start a cluster first`);
    }
    loadFile(kc, file, file);
    source = file;
  }
  if (target.context) {
    if (!kc.getContextObject(target.context)) {
      throw inputError(`--context: no context "${target.context}" in ${source}; it has ${kc.getContexts().map((c) => c.name).join(', ') || 'no contexts'}`);
    }
    kc.setCurrentContext(target.context);
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw inputError(`${source}: the current context "${kc.getCurrentContext()}" names no cluster; set current-context or pass --context`);
  refusePlainHttp(kc, source);
  return { kc, source, context: kc.getCurrentContext(), server: cluster.server };
}

function loadFile(kc: KubeConfig, file: string, from: string): void {
  try {
    kc.loadFromFile(file);
  } catch (error) {
    throw inputError(`${from}: ${file} is not a valid kubeconfig: ${(error as Error).message}`);
  }
}

export interface Reachability {
  ok: boolean;
  /** The server's gitVersion when it answered, e.g. v1.35.1. */
  version?: string;
  /** Why not, when it did not. */
  reason?: string;
}

/**
 * Asks the current context's API server for /version within a short deadline. `auto` uses the
 * answer to choose between the existing cluster and minikube, so it must not hang on a dead
 * address: the request is destroyed when the deadline passes.
 */
export async function checkReachable(kc: KubeConfig, timeoutMs = 5000): Promise<Reachability> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) return { ok: false, reason: `the kubeconfig has no current context` };
  let url: URL;
  try {
    url = new URL('/version', cluster.server);
  } catch {
    return { ok: false, reason: `the cluster's server "${cluster.server}" is not a URL` };
  }
  const opts: https.RequestOptions = { method: 'GET', headers: { accept: 'application/json' } };
  try {
    await kc.applyToHTTPSOptions(opts);
  } catch (error) {
    return { ok: false, reason: `credentials for context ${kc.getCurrentContext()}: ${(error as Error).message}` };
  }
  const lib = url.protocol === 'http:' ? http : https;
  return new Promise<Reachability>((resolve) => {
    const req = lib.request(url, { ...opts, signal: deadlineSignal(timeoutMs) }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => {
        if ((res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300) {
          let version: string | undefined;
          try {
            version = (JSON.parse(body) as { gitVersion?: string }).gitVersion;
          } catch {
            /* an answer is an answer */
          }
          resolve({ ok: true, version });
        } else {
          resolve({ ok: false, reason: `${url.origin} answered /version with HTTP ${res.statusCode}` });
        }
      });
    });
    req.on('error', (error) => resolve({ ok: false, reason: `${url.origin}: ${error.name === 'AbortError' ? `no answer within ${formatGoDuration(timeoutMs)}` : error.message}` }));
    req.end();
  });
}
