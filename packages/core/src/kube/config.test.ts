import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MeshspecError } from '../errors.js';
import { loadKubeConfigFile, readKubeConfigFile, resolveKubeConfig } from './config.js';

const dir = mkdtempSync(join(tmpdir(), 'meshspec-kubeconfig-'));

/** A kubeconfig with a `proxy` context (kubectl proxy's address) and an `https` one; `current` is current. */
function kubeconfig(name: string, current: string, proxyCluster: Record<string, unknown> = {}): string {
  const file = join(dir, name);
  writeFileSync(
    file,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      `- name: proxied\n  cluster:\n    server: http://127.0.0.1:8001${Object.entries(proxyCluster).map(([k, v]) => `\n    ${k}: ${v}`).join('')}`,
      '- name: remote\n  cluster:\n    server: https://127.0.0.1:6443\n    insecure-skip-tls-verify: true',
      'users:\n- name: u\n  user:\n    token: t',
      'contexts:',
      '- name: proxy\n  context:\n    cluster: proxied\n    user: u',
      '- name: https\n  context:\n    cluster: remote\n    user: u',
      `current-context: ${current}`,
      '',
    ].join('\n'),
  );
  return file;
}

function refusal(fn: () => unknown): MeshspecError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(MeshspecError);
    return error as MeshspecError;
  }
  throw new Error('expected a refusal');
}

describe('kubeconfig loading', () => {
  it('refuses a plain-http server without insecure-skip-tls-verify at load time (input), naming the context, server and cluster', () => {
    const file = kubeconfig('plain', 'proxy');
    for (const e of [refusal(() => loadKubeConfigFile(file)), refusal(() => resolveKubeConfig({ kubeconfig: file }))]) {
      expect(e.kind).toBe('input');
      expect(e.message).toBe(
        `${file}: context "proxy" points at http://127.0.0.1:8001, plain http, which the Kubernetes client meshspec uses refuses unless the cluster entry sets insecure-skip-tls-verify: true. ` +
          'Set it on cluster "proxied" (for kubectl proxy), or use the cluster\'s https address',
      );
    }
  });

  it('takes plain http with insecure-skip-tls-verify, and judges only the context in use', () => {
    const skip = kubeconfig('skip', 'proxy', { 'insecure-skip-tls-verify': true });
    expect(loadKubeConfigFile(skip).getCurrentCluster()?.server).toBe('http://127.0.0.1:8001');
    expect(resolveKubeConfig({ kubeconfig: skip }).server).toBe('http://127.0.0.1:8001');
    // The current context is plain http, the one asked for is https: that one is used.
    const plain = kubeconfig('plain-current', 'proxy');
    expect(loadKubeConfigFile(plain, 'https').getCurrentContext()).toBe('https');
    expect(resolveKubeConfig({ kubeconfig: plain, context: 'https' }).server).toBe('https://127.0.0.1:6443');
    expect(readKubeConfigFile(plain).getCurrentContext()).toBe('proxy');
  });
});
