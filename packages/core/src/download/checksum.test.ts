import { describe, expect, it } from 'vitest';
import { parseChecksumFile, parseGithubDigest } from './checksum.js';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);

describe('parseChecksumFile', () => {
  it.each([
    ['hex only (minikube, helm .sha256, linkerd-smi)', `${A}\n`, 'minikube-linux-amd64', A],
    ['hex only, uppercase', `${A.toUpperCase()}`, 'x', A],
    ['sha256sum lines (osm sha256sums.txt)', `${B}  osm-v1.2.4-darwin-amd64.tar.gz\n${A}  osm-v1.2.4-linux-amd64.tar.gz\n`, 'osm-v1.2.4-linux-amd64.tar.gz', A],
    ['sha256sum binary mode', `${A} *helm-v3.21.4-linux-amd64.tar.gz`, 'helm-v3.21.4-linux-amd64.tar.gz', A],
    ['istioctl: one space', `${A} istioctl-1.30.3-linux-amd64.tar.gz\n`, 'istioctl-1.30.3-linux-amd64.tar.gz', A],
    ['a path before the name', `${A}  ./dist/osm-v1.2.4-linux-amd64.tar.gz`, 'osm-v1.2.4-linux-amd64.tar.gz', A],
  ])('%s', (_name, text, asset, expected) => {
    expect(parseChecksumFile(text, asset)).toBe(expected);
  });

  it('gives nothing for an asset the file does not list', () => {
    expect(parseChecksumFile(`${A}  osm-v1.2.4-darwin-amd64.tar.gz\n${B}  other\n`, 'osm-v1.2.4-linux-amd64.tar.gz')).toBeUndefined();
  });

  it('gives nothing for an HTML error page served with status 200', () => {
    expect(parseChecksumFile('<html><body>Rate limit exceeded</body></html>', 'minikube-linux-amd64')).toBeUndefined();
  });

  it('rejects a digest that is not 64 hex digits', () => {
    expect(parseChecksumFile(`${A.slice(1)}  x`, 'x')).toBeUndefined();
  });
});

describe('parseGithubDigest', () => {
  it('reads sha256:<hex>', () => expect(parseGithubDigest(`sha256:${A.toUpperCase()}`)).toBe(A));
  it.each([null, undefined, '', `sha512:${A}`, `sha256:${A.slice(2)}`])('rejects %s', (v) => expect(parseGithubDigest(v)).toBeUndefined());
});
