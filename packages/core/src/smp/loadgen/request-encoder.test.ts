import { describe, expect, it } from 'vitest';
import { encodeRequest, resolveMethod, RequestSpecError, USER_AGENT } from './request-encoder.js';

const text = (b: Buffer) => b.toString('latin1');

describe('resolveMethod', () => {
  it('uses the given method, else POST with a body, else GET', () => {
    expect(resolveMethod('put', 'x')).toBe('PUT');
    expect(resolveMethod('GET', 'x')).toBe('GET');
    expect(resolveMethod('', 'x')).toBe('POST');
    expect(resolveMethod(undefined, undefined)).toBe('GET');
    expect(resolveMethod('  ', '')).toBe('GET');
  });
});

describe('encodeRequest', () => {
  it('builds a GET with Host, User-Agent and the path with its query', () => {
    const r = encodeRequest('http://127.0.0.1:8080/a/b?x=1&y=%20', {});
    expect(text(r.bytes)).toBe(`GET /a/b?x=1&y=%20 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: ${USER_AGENT}\r\n\r\n`);
    expect(r).toMatchObject({ tls: false, host: '127.0.0.1', port: 8080, origin: 'http://127.0.0.1:8080', isHead: false, closeAfter: false });
  });

  it('defaults ports and path, and sets SNI only for names', () => {
    expect(encodeRequest('https://example.test', {})).toMatchObject({ port: 443, tls: true, servername: 'example.test' });
    expect(text(encodeRequest('https://example.test', {}).bytes)).toMatch(/^GET \/ HTTP\/1.1\r\nHost: example.test\r\n/);
    expect(encodeRequest('https://10.0.0.1/', {}).servername).toBeUndefined();
    expect(encodeRequest('http://[::1]:9000/', {})).toMatchObject({ host: '::1', port: 9000, servername: undefined });
    expect(encodeRequest('http://h/', {}).port).toBe(80);
  });

  it('frames a body with Content-Type and a byte-exact Content-Length, ignoring a user length', () => {
    const r = encodeRequest('http://h/p', {
      body: 'héllo',
      contentType: 'text/plain; charset=utf-8',
      headers: { 'content-length': '999', 'Transfer-Encoding': 'chunked', 'X-A': ' padded ' },
    });
    const s = r.bytes.toString('utf8');
    expect(s.startsWith('POST /p HTTP/1.1\r\n')).toBe(true);
    expect(s).toContain('\r\nContent-Type: text/plain; charset=utf-8\r\n');
    expect(s).toContain('\r\nContent-Length: 6\r\n');
    expect(s).toContain('\r\nX-A: padded\r\n');
    expect(s).not.toMatch(/999|Transfer-Encoding/i);
    expect(s.endsWith('\r\n\r\nhéllo')).toBe(true);
  });

  it('sends Content-Length: 0 for an empty POST and none for GET', () => {
    expect(text(encodeRequest('http://h/', { method: 'post' }).bytes)).toContain('Content-Length: 0\r\n');
    expect(text(encodeRequest('http://h/', {}).bytes)).not.toContain('Content-Length');
  });

  it('joins cookies into one header, after any Cookie header given', () => {
    expect(text(encodeRequest('http://h/', { cookies: { a: '1', b: '"q"' } }).bytes)).toContain('\r\nCookie: a=1; b="q"\r\n');
    expect(text(encodeRequest('http://h/', { headers: { cookie: 'z=0' }, cookies: { a: '1' } }).bytes)).toContain('\r\ncookie: z=0; a=1\r\n');
  });

  it('lets user headers replace ours, case-insensitively', () => {
    const s = text(encodeRequest('http://h/', { headers: { host: 'virtual.test', 'user-agent': 'mine' } }).bytes);
    expect(s).toContain('\r\nhost: virtual.test\r\n');
    expect(s).toContain('\r\nuser-agent: mine\r\n');
    expect(s.match(/host:/gi)).toHaveLength(1);
  });

  it('turns URL credentials into Basic auth and redacts them in the URL it reports', () => {
    const r = encodeRequest('http://al%40ice:p%3Ass@h/', {});
    expect(text(r.bytes)).toContain(`Authorization: Basic ${Buffer.from('al@ice:p:ss').toString('base64')}`);
    expect(r.redactedUrl).not.toContain('p%3Ass');
    expect(r.url).toContain('p%3Ass');
  });

  it('knows HEAD and Connection: close requests', () => {
    expect(encodeRequest('http://h/', { method: 'head' }).isHead).toBe(true);
    expect(encodeRequest('http://h/', { headers: { Connection: 'Upgrade, Close' } }).closeAfter).toBe(true);
  });

  it('rejects what cannot be sent, naming it', () => {
    const bad: [string, Parameters<typeof encodeRequest>[1], RegExp][] = [
      ['ftp://h/', {}, /only http and https/],
      ['not a url', {}, /not an absolute URL/],
      ['http://h/', { method: 'GE T' }, /invalid HTTP method/],
      ['http://h/', { headers: { 'Bad Name': 'x' } }, /invalid header name "Bad Name"/],
      ['http://h/', { headers: { 'X-Inject': 'a\r\nEvil: 1' } }, /header X-Inject: .*line break/],
      ['http://h/', { cookies: { 'a b': '1' } }, /invalid cookie name/],
      ['http://h/', { cookies: { a: 'x;y' } }, /cookie a/],
      ['http://h/', { headers: { 'X-Emoji': '😀' } }, /Latin-1/],
    ];
    for (const [url, spec, message] of bad) {
      expect(() => encodeRequest(url, spec)).toThrow(RequestSpecError);
      expect(() => encodeRequest(url, spec)).toThrow(message);
    }
  });
});
