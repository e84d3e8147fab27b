/**
 * The test key pool (`useTestKeyPool`, `generateTestKeyPool`): a test PKI takes its keys from it in order, each
 * once per process, then generates again; bad pools are refused with the reason. This file sets its own pools
 * over the run's (test/setup/key-pool.ts).
 */
import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { createTestPki, generateTestKeyPool, TestPkiError, useTestKeyPool } from '../../../src/testing/index.js';
import { thrownBy } from '../../support/thrown-by.js';

const modulus = (key: KeyObject): string => String(key.export({ format: 'jwk' }).n);
const blocksOf = (pem: string): string[] => pem.match(/-----BEGIN PRIVATE KEY-----[^-]+-----END PRIVATE KEY-----/g) ?? [];
const moduliOf = (pem: string): string[] => blocksOf(pem).map((block) => modulus(createPrivateKey(block)));
const pem = (key: KeyObject): string => key.export({ type: 'pkcs8', format: 'pem' }).toString();

async function refusal(pool: unknown): Promise<TestPkiError> {
  const error = await thrownBy(() => useTestKeyPool(pool as string));
  expect(error).toBeInstanceOf(TestPkiError);
  expect((error as TestPkiError).code).toBe('BAD_OPTIONS');
  return error as TestPkiError;
}

describe('a test key pool', () => {
  it('is drawn in order by a test PKI and its certificates, then keys are generated again, all distinct', async () => {
    const pool = await generateTestKeyPool(3);
    const pooled = moduliOf(pool);
    expect(new Set(pooled).size).toBe(3);
    useTestKeyPool(pool);
    const pki = await createTestPki({ authorities: ['moica'] });
    const moica = pki.issuer('moica');
    expect([modulus(pki.root.publicKey), modulus(moica.publicKey)]).toEqual(pooled.slice(0, 2));
    const first = await pki.issueCertificate({ issuer: moica, subject: 'CN=一號' });
    const second = await pki.issueCertificate({ issuer: moica, subject: 'CN=二號' });
    expect(modulus(first.publicKey)).toBe(pooled[2]);
    expect(modulus(first.privateKey)).toBe(pooled[2]);
    expect(pooled).not.toContain(modulus(second.publicKey));
    expect(second.privateKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
  });

  it('never hands a key out twice in a process: given again, or from a second copy of the module', async () => {
    const pool = await generateTestKeyPool(2);
    const pooled = moduliOf(pool);
    useTestKeyPool(pool);
    const a = await createTestPki({ authorities: [] });
    expect(modulus(a.root.publicKey)).toBe(pooled[0]);
    // The same pool again, and through a fresh copy of the kit (as ES module and CommonJS copies meet).
    vi.resetModules();
    const again = (await import('../../../src/testing/index.js')) as typeof import('../../../src/testing/index.js');
    again.useTestKeyPool(pool);
    const b = await again.createTestPki({ authorities: [] });
    expect(modulus(b.root.publicKey)).toBe(pooled[1]);
    const c = await createTestPki({ authorities: [] });
    expect(pooled).not.toContain(modulus(c.root.publicKey));
  });

  it('with reuse, hands the whole pool out again from the start (one file after another in one process)', async () => {
    const pool = await generateTestKeyPool(2);
    const pooled = moduliOf(pool);
    useTestKeyPool(pool);
    expect(modulus((await createTestPki({ authorities: [] })).root.publicKey)).toBe(pooled[0]);
    // The next file: both keys again, in order, then generated ones.
    useTestKeyPool(pool, { reuse: true });
    const roots = [];
    for (let i = 0; i < 3; i++) roots.push(modulus((await createTestPki({ authorities: [] })).root.publicKey));
    expect(roots.slice(0, 2)).toEqual(pooled);
    expect(pooled).not.toContain(roots[2]);
    // Without reuse, given again: none left.
    useTestKeyPool(pool);
    expect(pooled).not.toContain(modulus((await createTestPki({ authorities: [] })).root.publicKey));
  });

  it('refuses options that are not { reuse: boolean }, naming the option', async () => {
    const pool = await generateTestKeyPool(1);
    for (const [options, message] of [
      [null, /options must be an object such as \{ reuse: true \}/],
      [[], /options must be an object/],
      [{ reuse: 'yes' }, /options\.reuse must be true or false/],
      [{ resue: true }, /"resue" is not an option \(they are reuse\)/],
    ] as const) {
      const error = await thrownBy(() => useTestKeyPool(pool, options as never));
      expect(error).toBeInstanceOf(TestPkiError);
      expect((error as TestPkiError).message).toMatch(message);
    }
  });

  it('null goes back to generating every key', async () => {
    useTestKeyPool(await generateTestKeyPool(1));
    useTestKeyPool(null);
    const pki = await createTestPki({ authorities: [] });
    expect(pki.root.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    // The pooled key was not handed out: giving the pool again would hand it (checked by the first test's order).
  });

  it('refuses what is not a pool of distinct RSA-2048 keys, saying why', async () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    expect((await refusal(undefined)).message).toMatch(/pool must be PKCS#8 PEM text \(or null to generate every key\), not undefined/);
    expect((await refusal(42)).message).toMatch(/not number/);
    expect((await refusal('')).message).toMatch(/holds no "BEGIN PRIVATE KEY" block/);
    expect((await refusal('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n')).message).toMatch(/key 1 of the pool is not a readable private key/);
    expect((await refusal(pem(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey))).message).toMatch(/key 1 of the pool is not an RSA-2048 key/);
    expect((await refusal(pem(rsa) + pem(generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey))).message).toMatch(/key 2 of the pool is not an RSA-2048 key/);
    expect((await refusal(pem(generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 3 }).privateKey))).message).toMatch(/exponent 65537/);
    // One key twice, even written with other line breaks.
    expect((await refusal(pem(rsa) + pem(rsa).replace(/\n/g, '\r\n'))).message).toMatch(/key 2 of the pool repeats an earlier one/);
  });

  it('generateTestKeyPool refuses a count it cannot make', async () => {
    for (const count of [0, 1.5, -1, Number.NaN, 1_001]) {
      const error = await thrownBy(() => generateTestKeyPool(count));
      expect(error, String(count)).toBeInstanceOf(TestPkiError);
      expect((error as TestPkiError).message).toMatch(/count must be a whole number from 1 to 1000/);
    }
  });
});
