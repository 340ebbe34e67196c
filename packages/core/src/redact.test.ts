import { describe, expect, it } from 'vitest';
import { addSensitiveNames, isSensitiveHeader, isSensitiveParam, redactHeaders, redactUrl, redactUrlsIn, SecretScrubber, sensitiveValues } from './redact.js';

describe('redaction', () => {
  it('masks the query parameters that carry credentials, in any case', () => {
    const names = ['sig', 'signature', 'jwt', 'token', 'access_token', 'id_token', 'key', 'api_key', 'apikey', 'code', 'password', 'secret', 'auth', 'session', 'credential', 'x-amz-signature', 'x-amz-credential', 'x-amz-security-token'];
    for (const n of names) {
      expect(isSensitiveParam(n), n).toBe(true);
      expect(isSensitiveParam(n.toUpperCase()), n).toBe(true);
    }
    for (const n of ['page', 'q', 'limit', 'zipcode']) expect(isSensitiveParam(n), n).toBe(false);
    expect(redactUrl('https://b.example/o?X-Amz-Signature=abc&Sig=def&page=2')).toBe('https://b.example/o?X-Amz-Signature=%5Bredacted%5D&Sig=%5Bredacted%5D&page=2');
  });

  it('masks the headers that carry credentials, by name and by suffix', () => {
    for (const n of ['Authorization', 'proxy-authorization', 'Cookie', 'SET-COOKIE', 'X-Signature', 'x-goog-signature', 'X-Csrf-Token', 'X-Api-Key', 'x-client-secret', 'X-Web-Session']) {
      expect(isSensitiveHeader(n), n).toBe(true);
    }
    for (const n of ['Accept', 'Content-Type', 'X-Request-Id', 'User-Agent']) expect(isSensitiveHeader(n), n).toBe(false);
    expect(redactHeaders({ 'X-Signature': 'v1', Accept: '*/*' })).toEqual({ 'X-Signature': '[redacted]', Accept: '*/*' });
  });

  it('adds names given with --redact or the redact input', () => {
    expect(isSensitiveHeader('X-Tenant')).toBe(false);
    addSensitiveNames(['X-Tenant', ' p ']);
    expect(isSensitiveHeader('x-tenant')).toBe(true);
    expect(isSensitiveParam('P')).toBe(true);
  });

  it('hands every redacted value to the scrubber, so it is masked wherever else it appears', () => {
    const values = sensitiveValues({
      urls: ['http://u:pa%24s@h/x?sig=ab%2Fcd&page=2'],
      headers: { Authorization: 'Bearer tok123', Accept: 'x' },
      cookies: { s: 'cookie-value' },
    });
    expect(values).toEqual(expect.arrayContaining(['pa%24s', 'pa$s', 'ab/cd', 'ab%2Fcd', 'Bearer tok123', 'tok123', 'cookie-value']));
    expect(values).not.toContain('2');
    const scrubber = new SecretScrubber();
    values.forEach((v) => scrubber.add(v));
    expect(scrubber.scrub('connect to h failed: sig ab%2Fcd, token tok123')).toBe('connect to h failed: sig [redacted], token [redacted]');
  });

  it('redacts URLs inside free text such as an error message', () => {
    expect(redactUrlsIn('GET http://h/x?jwt=abc failed')).toBe('GET http://h/x?jwt=%5Bredacted%5D failed');
  });
});
