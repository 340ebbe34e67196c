import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MeshspecError } from '../errors.js';
import { credentialOf, decodeToken, expiryWarning, isExpired, parseTokenInput, readTokenFile, secretsOf, secretsOfInput } from './token.js';

/** auth.json's token: unpadded standard base64 of an oauth2.Token JSON (provider-protocol.md §3). */
function encode(o: object): string {
  return Buffer.from(JSON.stringify(o)).toString('base64').replace(/=+$/, '');
}

const ACCESS = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyIn0.c2lnbmF0dXJl';
const REFRESH = 'refresh-abc-123';

describe('decodeToken', () => {
  it('decodes an auth.json token into its OAuth2 parts', () => {
    const raw = encode({ access_token: ACCESS, token_type: 'bearer', refresh_token: REFRESH, expiry: '2031-05-04T10:00:00Z' });
    expect(raw).not.toContain('=');
    const t = decodeToken(`${raw}\n`);
    expect(t).toMatchObject({ raw, decoded: true, accessToken: ACCESS, refreshToken: REFRESH, tokenType: 'bearer' });
    expect(t.expiry?.toISOString()).toBe('2031-05-04T10:00:00.000Z');
  });

  it('accepts a padded encoding too', () => {
    const padded = Buffer.from(JSON.stringify({ access_token: 'a12' })).toString('base64');
    expect(padded).toMatch(/==$/);
    expect(decodeToken(padded)).toMatchObject({ decoded: true, accessToken: 'a12' });
  });

  it('uses a value that does not decode as it is', () => {
    for (const raw of [ACCESS, 'not base64 at all!', encode({ no_access: 'x' }), encode(['a']), 'abcd', 'Zm9v']) {
      const t = decodeToken(raw);
      expect(t).toEqual({ raw, decoded: false, accessToken: raw });
    }
  });

  it("reads Go's zero expiry as no expiry", () => {
    const t = decodeToken(encode({ access_token: 'a', expiry: '0001-01-01T00:00:00Z' }));
    expect(t.expiry).toBeUndefined();
    expect(isExpired(t)).toBe(false);
  });

  it('selects the credential by token mode', () => {
    const raw = encode({ access_token: ACCESS });
    const t = decodeToken(raw);
    expect(credentialOf(t)).toBe(raw);
    expect(credentialOf(t, 'token')).toBe(raw);
    expect(credentialOf(t, 'access_token')).toBe(ACCESS);
    expect(credentialOf(decodeToken('plain-token'), 'access_token')).toBe('plain-token');
  });
});

describe('secretsOf', () => {
  it('lists the raw, access and refresh tokens once each', () => {
    const raw = encode({ access_token: ACCESS, refresh_token: REFRESH });
    expect(secretsOf(decodeToken(raw))).toEqual([raw, ACCESS, REFRESH]);
    expect(secretsOf(decodeToken('plain-token'))).toEqual(['plain-token']);
  });
});

describe('secretsOfInput', () => {
  it('masks a token, the parts of a whole auth.json, and even a malformed value', () => {
    const raw = encode({ access_token: ACCESS, refresh_token: REFRESH });
    expect(secretsOfInput(`${raw}\n`)).toEqual([raw, ACCESS, REFRESH]);
    expect(secretsOfInput(JSON.stringify({ 'meshery-provider': 'Layer5', token: raw }))).toEqual([raw, ACCESS, REFRESH]);
    expect(secretsOfInput('two words')).toEqual(['two words']);
    expect(secretsOfInput('  ')).toEqual([]);
  });
});

describe('expiry', () => {
  const now = new Date('2030-01-01T00:00:00Z');
  it('warns about an expired token and says whether a refresh will be tried', () => {
    const withRefresh = decodeToken(encode({ access_token: 'a', refresh_token: 'r', expiry: '2029-12-31T23:00:00Z' }));
    const without = decodeToken(encode({ access_token: 'a', expiry: '2029-12-31T23:00:00Z' }));
    expect(isExpired(withRefresh, now)).toBe(true);
    expect(expiryWarning(withRefresh, now)).toMatch(/expired at 2029-12-31T23:00:00.000Z.*refresh it once/);
    expect(expiryWarning(without, now)).toMatch(/no refresh token.*MESHSPEC_PROVIDER_TOKEN/);
  });
  it('is silent for a valid token or one without expiry', () => {
    expect(expiryWarning(decodeToken(encode({ access_token: 'a', expiry: '2030-06-01T00:00:00Z' })), now)).toBeUndefined();
    expect(expiryWarning(decodeToken('plain'), now)).toBeUndefined();
  });
});

describe('parseTokenInput', () => {
  it('takes a token, trimmed', () => {
    expect(parseTokenInput('  abc.def \n', 'provider_token')).toEqual({ token: 'abc.def' });
  });
  it('takes a whole auth.json and keeps its provider name', () => {
    const text = JSON.stringify({ 'meshery-provider': 'Layer5', token: 'tok123' });
    expect(parseTokenInput(text, 'auth.json')).toEqual({ token: 'tok123', providerName: 'Layer5' });
  });
  it('refuses empty, multi-line and malformed values without echoing them', () => {
    const cases = ['', '   ', 'abc def', 'abc\ndef', '{"token": ', '{"other": "x"}', 'tök'];
    for (const c of cases) {
      let error: unknown;
      try {
        parseTokenInput(c, 'provider_token');
      } catch (e) {
        error = e;
      }
      expect(error, JSON.stringify(c)).toBeInstanceOf(MeshspecError);
      expect((error as MeshspecError).kind).toBe('input');
      expect((error as MeshspecError).message).toMatch(/^provider_token: /);
      if (c.trim().length > 3) expect((error as MeshspecError).message).not.toContain(c.trim());
    }
  });
});

describe('readTokenFile', () => {
  it('reads a token file and names the file in errors', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'meshspec-token-'));
    const good = join(dir, 'token');
    await writeFile(good, 'tok-xyz\n');
    expect(await readTokenFile(good)).toEqual({ token: 'tok-xyz' });

    const empty = join(dir, 'empty');
    await writeFile(empty, '\n');
    await expect(readTokenFile(empty)).rejects.toMatchObject({ kind: 'input', file: empty });
    await expect(readTokenFile(join(dir, 'missing'))).rejects.toMatchObject({ kind: 'input', message: expect.stringContaining('ENOENT') });
  });
});
