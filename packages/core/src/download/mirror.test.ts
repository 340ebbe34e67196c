import { describe, expect, it } from 'vitest';
import { MeshspecError } from '../errors.js';
import { githubReleaseUrl, resolveMirror, throughMirror } from './mirror.js';

describe('resolveMirror', () => {
  it('takes the input first, then MESHSPEC_DOWNLOAD_MIRROR, and drops trailing slashes', () => {
    expect(resolveMirror('https://m.example/gh/', { MESHSPEC_DOWNLOAD_MIRROR: 'https://other.example' })).toBe('https://m.example/gh');
    expect(resolveMirror(undefined, { MESHSPEC_DOWNLOAD_MIRROR: 'https://other.example//' })).toBe('https://other.example');
    expect(resolveMirror('  ', {})).toBeUndefined();
  });

  it.each([
    ['not a URL', 'mirror.example', /is not a URL/],
    ['plain http to a remote host', 'http://mirror.example', /must use https/],
    ['credentials', 'https://u:p@mirror.example', /without credentials/],
    ['a query', 'https://mirror.example/?x=1', /without credentials, query/],
  ])('refuses %s, naming the input', (_name, value, message) => {
    const error = (() => {
      try {
        resolveMirror(value, {});
      } catch (e) {
        return e as MeshspecError;
      }
    })();
    expect(error).toBeInstanceOf(MeshspecError);
    expect(error!.kind).toBe('input');
    expect(error!.message).toMatch(/^download_mirror: /);
    expect(error!.message).toMatch(message);
  });

  it('accepts plain http on loopback (tests, a local cache)', () => {
    expect(resolveMirror('http://127.0.0.1:8080/', {})).toBe('http://127.0.0.1:8080');
  });
});

describe('throughMirror', () => {
  it.each([
    ['https://github.com/kubernetes/minikube/releases/download/v1.38.1/minikube-linux-amd64', 'https://m.example/kubernetes/minikube/releases/download/v1.38.1/minikube-linux-amd64'],
    ['https://get.helm.sh/helm-v3.21.4-linux-amd64.tar.gz', 'https://m.example/get.helm.sh/helm-v3.21.4-linux-amd64.tar.gz'],
    ['https://api.github.com/repos/linkerd/linkerd2/releases/tags/edge-26.8.3', 'https://m.example/api.github.com/repos/linkerd/linkerd2/releases/tags/edge-26.8.3'],
  ])('%s', (upstream, mirrored) => {
    expect(throughMirror(upstream, 'https://m.example')).toBe(mirrored);
    expect(throughMirror(upstream, undefined)).toBe(upstream);
  });

  it('builds release URLs with the mirror standing in for https://github.com', () => {
    expect(githubReleaseUrl('kubernetes/minikube', 'v1.38.1', 'minikube-linux-amd64', 'https://m.example/gh')).toBe(
      'https://m.example/gh/kubernetes/minikube/releases/download/v1.38.1/minikube-linux-amd64',
    );
  });
});
