import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ChainValidator, TrustStore, TrustedCertificate, type ChainValidationError } from '../../../src/cert/index.js';
import { chainFailure } from './helpers/chain-failure.js';
import { C, CA_ID, certificate, dn, ecKeyPair, handMadeCas, O, OU, type HandMadeCas, type KeyPair } from './helpers/hand-made-certificates.js';

// Defect 1: CA certificates carried with a signature (CMS, login token) that all claim the signer's
// issuer made the path builder try every ordering of them. Only the public API is used here, so
// these tests run unchanged against the builder before the fix (where they trip the wires below).

const now = new Date('2026-06-01T00:00:00Z');
/** Far more than any bounded build needs; the unbounded builder passes it within a second. */
const TRIPWIRE = 20_000;
/** What a bounded build may do: the budget of candidate issuers, plus the few the rules check. */
const BOUND = 100;

const rootName = dn([C, 'printable', 'TW'], [O, 'utf8', 'Test Root']);
const caName = dn([C, 'printable', 'TW'], [O, 'utf8', '行政院'], [OU, 'utf8', '內政部憑證管理中心']);
const leafName = dn([C, 'printable', 'TW'], [O, 'utf8', '王小明']);
let cas: HandMadeCas;
let caKey: KeyPair;
let attackerKey: KeyPair;
let root: Uint8Array;
let ca: Uint8Array;
let leaf: Uint8Array;

beforeAll(() => {
  cas = handMadeCas(rootName, caName);
  ({ caKey, root, ca } = cas);
  attackerKey = ecKeyPair();
  leaf = certificate({ serial: 3, issuer: caName, subject: leafName, key: attackerKey.publicKey, signer: caKey.privateKey, aki: CA_ID });
});

/**
 * `n` CA certificates with the issuing CA's name that claim key identifier
 * `keyId` as both their own and their issuer's, all signed by `signer`: each
 * one looks like a possible issuer of the leaf and of every other one.
 */
function impostors(n: number, keyId: string, signer: KeyPair): Uint8Array[] {
  return Array.from({ length: n }, (_, i) =>
    certificate({ serial: 0x1000 + i, issuer: caName, subject: caName, key: signer.publicKey, signer: signer.privateKey, ca: true, ski: keyId, aki: keyId }),
  );
}

/**
 * Counts the two things path building's cost is made of, through public
 * methods any builder calls: one anchor check per certificate it reaches,
 * one issuer key per signature it verifies. Past the tripwire the anchor
 * check throws, so an unbounded build fails in well under a second instead
 * of running for minutes.
 */
function meter(): { anchorChecks: () => number; signatureChecks: () => number } {
  let anchorChecks = 0;
  let signatureChecks = 0;
  const isAnchor = TrustStore.prototype.isAnchor;
  const publicKey = TrustedCertificate.prototype.publicKey;
  vi.spyOn(TrustStore.prototype, 'isAnchor').mockImplementation(function (this: TrustStore, cert: TrustedCertificate) {
    if (++anchorChecks > TRIPWIRE) throw new Error(`path building reached more than ${TRIPWIRE} certificates`);
    return isAnchor.call(this, cert);
  });
  vi.spyOn(TrustedCertificate.prototype, 'publicKey').mockImplementation(function (this: TrustedCertificate) {
    signatureChecks++;
    return publicKey.call(this);
  });
  return { anchorChecks: () => anchorChecks, signatureChecks: () => signatureChecks };
}

afterEach(() => {
  vi.restoreAllMocks();
});

/**
 * Validates, with the real issuing CA configured, a leaf of a fresh signer's
 * own carried with `n` impostors of the CA that signer made: the failure and
 * what the build cost.
 */
function ownLeafAmongImpostors(n: number): { err: ChainValidationError; cost: ReturnType<typeof meter> } {
  const signerKey = ecKeyPair();
  const ownLeaf = certificate({ serial: 4, issuer: caName, subject: leafName, key: signerKey.publicKey, signer: signerKey.privateKey, aki: 'ee'.repeat(20) });
  const validator = new ChainValidator(new TrustStore({ anchors: [root], intermediates: [ca] }));
  const cost = meter();
  const err = chainFailure(() => validator.validate(ownLeaf, { at: now, intermediates: impostors(n, 'ee'.repeat(20), signerKey) }));
  return { err, cost };
}

describe('path building is bounded whatever the certificates offered', () => {
  it('30 self-consistent impostors of the issuing CA (the 08/09 reproducers): a typed failure after a bounded number of checks', () => {
    const { err, cost } = ownLeafAmongImpostors(30);
    // Each impostor followed costs a signature check; the signature budget ends the build first.
    expect(['CHAIN_CYCLE', 'ISSUER_NOT_FOUND']).toContain(err.code);
    expect(cost.anchorChecks()).toBeLessThanOrEqual(BOUND);
    expect(cost.signatureChecks()).toBeLessThanOrEqual(BOUND);
  });

  it('100 of them: the build budget runs out, ISSUER_NOT_FOUND says so, and the checks stay bounded', () => {
    const { err, cost } = ownLeafAmongImpostors(100);
    expect(err.code).toBe('ISSUER_NOT_FOUND');
    expect(err.message).toMatch(/within \d+ candidate issuers and \d+ signature checks/);
    expect(cost.anchorChecks()).toBeLessThanOrEqual(BOUND);
    expect(cost.signatureChecks()).toBeLessThanOrEqual(BOUND);
  });

  it('the genuine issuing CA carried after 10 forged ones claiming its key identifier still validates, the forgeries dropped at once', () => {
    const validator = new ChainValidator(new TrustStore({ anchors: [root] }));
    const cost = meter();
    const chain = validator.validate(leaf, { at: now, intermediates: [...impostors(10, CA_ID, attackerKey), ca] });
    expect(chain.path.map((c) => c.der)).toEqual([leaf, ca, root]);
    expect(cost.anchorChecks()).toBeLessThanOrEqual(BOUND);
    expect(cost.signatureChecks()).toBeLessThanOrEqual(BOUND);
  });

  it('behind 30 forged ones it is past the signature budget: a typed ISSUER_NOT_FOUND, not an unbounded search', () => {
    const validator = new ChainValidator(new TrustStore({ anchors: [root] }));
    const cost = meter();
    const err = chainFailure(() => validator.validate(leaf, { at: now, intermediates: [...impostors(30, CA_ID, attackerKey), ca] }));
    expect([err.code, err.message]).toEqual(['ISSUER_NOT_FOUND', expect.stringMatching(/signature checks/)]);
    expect(cost.signatureChecks()).toBeLessThanOrEqual(BOUND);
  });

  it('a configured issuing CA with 30 forgeries of it in the call validates, with a bounded number of checks', () => {
    const validator = new ChainValidator(new TrustStore({ anchors: [root], intermediates: [ca] }));
    const cost = meter();
    const chain = validator.validate(leaf, { at: now, intermediates: impostors(30, CA_ID, attackerKey) });
    expect(chain.path.map((c) => c.der)).toEqual([leaf, ca, root]);
    expect(cost.anchorChecks()).toBeLessThanOrEqual(BOUND);
    expect(cost.signatureChecks()).toBeLessThanOrEqual(BOUND);
  });

  it('30 self-issued copies of the CA (its own key) configured before the real one: the path through the real one is found', () => {
    const validator = new ChainValidator(new TrustStore({ anchors: [root], intermediates: [...impostors(30, CA_ID, caKey), ca] }));
    const cost = meter();
    expect(validator.validate(leaf, { at: now }).path.map((c) => c.der)).toEqual([leaf, ca, root]);
    expect(cost.anchorChecks()).toBeLessThanOrEqual(BOUND);
    expect(cost.signatureChecks()).toBeLessThanOrEqual(BOUND);
  });

  it('an expired CA certificate and its renewal (same name and key) carried together: the renewal is used', () => {
    const expired = cas.issueCa({ serial: 5, notAfter: new Date('2026-01-01T00:00:00Z') });
    const validator = new ChainValidator(new TrustStore({ anchors: [root] }));
    expect(validator.validate(leaf, { at: now, intermediates: [expired, ca] }).path.map((c) => c.der)).toEqual([leaf, ca, root]);
    // Alone, the expired one is found and judged expired.
    expect(chainFailure(() => validator.validate(leaf, { at: now, intermediates: [expired] })).code).toBe('CHAIN_CERT_EXPIRED');
  });
});
