import { describe, expect, it } from 'vitest';
import { ChallengeIssuer, InMemoryChallengeStore, buildLoginMessage, parseLoginMessage } from '../../../src/cert/index.js';

describe('challenges', () => {
  it('are 256-bit random base64url values, unique, bound to a session, with an expiry', async () => {
    const now = new Date('2026-01-01T00:00:00Z');
    const store = new InMemoryChallengeStore({ now: () => now });
    const issuer = new ChallengeIssuer({ store, now: () => now, ttlMs: 60_000 });
    const values = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const c = await issuer.issue('s1');
      expect(c.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(c.value, 'base64url')).toHaveLength(32);
      expect(c.expiresAt).toEqual(new Date('2026-01-01T00:01:00Z'));
      values.add(c.value);
    }
    expect(values.size).toBe(200);
    const first = [...values][0] as string;
    expect(await store.consume(first)).toMatchObject({ alreadyUsed: false, record: { sessionId: 's1' } });
    expect(await store.consume(first)).toMatchObject({ alreadyUsed: true });
    expect(await store.consume('never-issued')).toBeUndefined();
  });

  it('refuses weak settings and empty sessions', async () => {
    expect(() => new ChallengeIssuer({ bytes: 16 })).toThrow(RangeError);
    expect(() => new ChallengeIssuer({ ttlMs: 0 })).toThrow(RangeError);
    await expect(new ChallengeIssuer().issue('')).rejects.toThrow(RangeError);
  });

  it('purges expired challenges and caps the store size', async () => {
    let now = new Date('2026-01-01T00:00:00Z');
    const store = new InMemoryChallengeStore({ now: () => now, maxEntries: 3 });
    const issuer = new ChallengeIssuer({ store, now: () => now, ttlMs: 1000 });
    const a = await issuer.issue('s');
    await issuer.issue('s');
    await issuer.issue('s');
    await issuer.issue('s');
    expect(store.size).toBe(3);
    expect(await store.consume(a.value)).toBeUndefined(); // the oldest was dropped
    now = new Date(now.getTime() + 5000);
    await issuer.issue('s');
    expect(store.size).toBe(1);
  });
});

describe('login message', () => {
  it('round-trips and rejects anything else', () => {
    const text = buildLoginMessage({ origin: 'https://a.gov.tw', challenge: 'abc_-1' });
    expect(text).toBe('twpki-login/1\norigin=https://a.gov.tw\nchallenge=abc_-1');
    expect(parseLoginMessage(text)).toEqual({ origin: 'https://a.gov.tw', challenge: 'abc_-1' });
    expect(parseLoginMessage(`${text}\n`)).toEqual({ origin: 'https://a.gov.tw', challenge: 'abc_-1' });
    expect(parseLoginMessage(`${text}\nextra=1`)).toBeUndefined();
    expect(parseLoginMessage(text.replace('twpki-login/1', 'twpki-login/2'))).toBeUndefined();
    expect(() => buildLoginMessage({ origin: 'https://a\n', challenge: 'x' })).toThrow(RangeError);
  });
});
