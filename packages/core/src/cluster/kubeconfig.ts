import { existsSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { inputError } from '../errors.js';

/**
 * The kubeconfig file meshspec reads and minikube writes: the explicit path, else the first entry
 * of KUBECONFIG, else ~/.kube/config, as kubectl does.
 */
export function kubeconfigPath(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (explicit) return explicit;
  const fromEnv = (env.KUBECONFIG ?? '').split(delimiter).find((p) => p !== '');
  return fromEnv ?? join(env.HOME || homedir(), '.kube', 'config');
}

/** Loads a kubeconfig; `context` switches to a named context. A missing file names the input. */
export function loadKubeConfig(path: string, context?: string): KubeConfig {
  if (!existsSync(path)) throw inputError(`kubeconfig ${path} does not exist; pass --kubeconfig (input kubeconfig) or start a cluster with cluster: minikube`);
  const kc = new KubeConfig();
  try {
    kc.loadFromFile(path);
  } catch (error) {
    throw inputError(`kubeconfig ${path} cannot be read: ${(error as Error).message}`, { cause: error });
  }
  if (context) {
    if (!kc.getContexts().some((c) => c.name === context)) {
      throw inputError(`kubeconfig ${path} has no context "${context}"; it has ${kc.getContexts().map((c) => c.name).join(', ') || 'none'}`);
    }
    kc.setCurrentContext(context);
  }
  return kc;
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
    const req = lib.request(url, { ...opts, timeout: timeoutMs }, (res) => {
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
    const timer = setTimeout(() => {
      req.destroy(new Error(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    req.on('error', (error) => resolve({ ok: false, reason: `${url.origin}: ${error.message}` }));
    req.on('close', () => clearTimeout(timer));
    req.end();
  });
}
