import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ChainValidationError, ChainValidator, TrustStore, TrustedCertificate } from '../../../src/cert/index.js';
import { fromHex } from '../../../src/shared/bytes.js';
import {
  bitString,
  encodedString,
  explicit,
  objectIdentifier,
  octetString,
  sequence,
  setOf,
  smallInteger,
  tlv,
  x509Time,
} from '../../../src/testing/der/der-writer.js';

// Defect 1: CA certificates carried with a signature (CMS, login token) that all claim the signer's
// issuer made the path builder try every ordering of them. Only the public API is used here, so
// these tests run unchanged against the builder before the fix (where they trip the wires below).

const now = new Date('2026-06-01T00:00:00Z');
/** Far more than any bounded build needs; the unbounded builder passes it within a second. */
const TRIPWIRE = 20_000;
/** What a bounded build may do: the budget of candidate issuers, plus the few the rules check. */
const BOUND = 100;

interface Pair {
  readonly publicKey: KeyObject;
  readonly privateKey: KeyObject;
}
const ecKey = (): Pair => generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ECDSA_SHA256 = sequence(objectIdentifier('1.2.840.10045.4.3.2'));

function dn(org: string, unit?: string): Uint8Array {
  const rdn = (oid: string, value: Uint8Array): Uint8Array => setOf(sequence(objectIdentifier(oid), value));
  return sequence(
    rdn('2.5.4.6', encodedString('printable', 'TW')),
    rdn('2.5.4.10', encodedString('utf8', org)),
    ...(unit === undefined ? [] : [rdn('2.5.4.11', encodedString('utf8', unit))]),
  );
}

interface CertSpec {
  serial: number;
  issuer: Uint8Array;
  subject: Uint8Array;
  key: KeyObject;
  signer: KeyObject;
  ca?: boolean;
  ski?: string;
  aki?: string;
  notAfter?: Date;
}

function certificate(spec: CertSpec): Uint8Array {
  const ext = (oid: string, critical: boolean, value: Uint8Array): Uint8Array =>
    sequence(objectIdentifier(oid), ...(critical ? [tlv(0x01, Uint8Array.of(0xff))] : []), octetString(value));
  const exts: Uint8Array[] = [];
  if (spec.ca === true) {
    exts.push(ext('2.5.29.19', true, sequence(tlv(0x01, Uint8Array.of(0xff)))));
    exts.push(ext('2.5.29.15', true, tlv(0x03, Uint8Array.of(1, 0x06))));
  }
  if (spec.ski !== undefined) exts.push(ext('2.5.29.14', false, octetString(fromHex(spec.ski))));
  if (spec.aki !== undefined) exts.push(ext('2.5.29.35', false, sequence(tlv(0x80, fromHex(spec.aki)))));
  const tbs = sequence(
    explicit(0, smallInteger(2)),
    smallInteger(spec.serial),
    ECDSA_SHA256,
    spec.issuer,
    sequence(x509Time(new Date('2025-01-01T00:00:00Z')), x509Time(spec.notAfter ?? new Date('2030-01-01T00:00:00Z'))),
    spec.subject,
    new Uint8Array(spec.key.export({ type: 'spki', format: 'der' })),
    explicit(3, sequence(...exts)),
  );
  return sequence(tbs, ECDSA_SHA256, bitString(new Uint8Array(sign('sha256', tbs, spec.signer))));
}

const ROOT_ID = '11'.repeat(20);
const CA_ID = '22'.repeat(20);
const rootName = dn('Test Root');
const caName = dn('行政院', '內政部憑證管理中心');
let rootKey: Pair;
let caKey: Pair;
let attackerKey: Pair;
let root: Uint8Array;
let ca: Uint8Array;
let leaf: Uint8Array;

beforeAll(() => {
  [rootKey, caKey, attackerKey] = [ecKey(), ecKey(), ecKey()];
  root = certificate({ serial: 1, issuer: rootName, subject: rootName, key: rootKey.publicKey, signer: rootKey.privateKey, ca: true, ski: ROOT_ID });
  ca = certificate({
    serial: 2,
    issuer: rootName,
    subject: caName,
    key: caKey.publicKey,
    signer: rootKey.privateKey,
    ca: true,
    ski: CA_ID,
    aki: ROOT_ID,
  });
  leaf = certificate({ serial: 3, issuer: caName, subject: dn('王小明'), key: attackerKey.publicKey, signer: caKey.privateKey, aki: CA_ID });
});

/**
 * `n` CA certificates with the issuing CA's name that claim key identifier
 * `keyId` as both their own and their issuer's, all signed by `signer`: each
 * one looks like a possible issuer of the leaf and of every other one.
 */
function impostors(n: number, keyId: string, signer: Pair): Uint8Array[] {
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

function failure(fn: () => unknown): ChainValidationError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ChainValidationError) return err;
    throw err;
  }
  throw new Error('expected a ChainValidationError');
}

describe('path building is bounded whatever the certificates offered', () => {
  it('30 self-consistent impostors of the issuing CA (the 08/09 reproducers): a typed failure after a bounded number of checks', () => {
    const signerKey = ecKey();
    const ownLeaf = certificate({ serial: 4, issuer: caName, subject: dn('王小明'), key: signerKey.publicKey, signer: signerKey.privateKey, aki: 'ee'.repeat(20) });
    const validator = new ChainValidator(new TrustStore({ anchors: [root], intermediates: [ca] }));
    const cost = meter();
    const err = failure(() => validator.validate(ownLeaf, { at: now, intermediates: impostors(30, 'ee'.repeat(20), signerKey) }));
    // Each impostor is followed once; above it the others repeat its name and key, so none is stacked on it.
    expect(err.code).toBe('CHAIN_CYCLE');
    expect(cost.anchorChecks()).toBeLessThanOrEqual(BOUND);
    expect(cost.signatureChecks()).toBeLessThanOrEqual(BOUND);
  });

  it('100 of them: the build budget runs out, ISSUER_NOT_FOUND says so, and the checks stay bounded', () => {
    const signerKey = ecKey();
    const ownLeaf = certificate({ serial: 4, issuer: caName, subject: dn('王小明'), key: signerKey.publicKey, signer: signerKey.privateKey, aki: 'ee'.repeat(20) });
    const validator = new ChainValidator(new TrustStore({ anchors: [root], intermediates: [ca] }));
    const cost = meter();
    const err = failure(() => validator.validate(ownLeaf, { at: now, intermediates: impostors(100, 'ee'.repeat(20), signerKey) }));
    expect(err.code).toBe('ISSUER_NOT_FOUND');
    expect(err.message).toMatch(/within \d+ candidate issuers/);
    expect(cost.anchorChecks()).toBeLessThanOrEqual(BOUND);
    expect(cost.signatureChecks()).toBeLessThanOrEqual(BOUND);
  });

  it('the genuine issuing CA carried after 30 forged ones claiming its key identifier still validates, the forgeries dropped at once', () => {
    const validator = new ChainValidator(new TrustStore({ anchors: [root] }));
    const cost = meter();
    const chain = validator.validate(leaf, { at: now, intermediates: [...impostors(30, CA_ID, attackerKey), ca] });
    expect(chain.path.map((c) => c.der)).toEqual([leaf, ca, root]);
    expect(cost.anchorChecks()).toBeLessThanOrEqual(BOUND);
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
    const expired = certificate({
      serial: 5,
      issuer: rootName,
      subject: caName,
      key: caKey.publicKey,
      signer: rootKey.privateKey,
      ca: true,
      ski: CA_ID,
      aki: ROOT_ID,
      notAfter: new Date('2026-01-01T00:00:00Z'),
    });
    const validator = new ChainValidator(new TrustStore({ anchors: [root] }));
    expect(validator.validate(leaf, { at: now, intermediates: [expired, ca] }).path.map((c) => c.der)).toEqual([leaf, ca, root]);
    // Alone, the expired one is found and judged expired.
    expect(failure(() => validator.validate(leaf, { at: now, intermediates: [expired] })).code).toBe('CHAIN_CERT_EXPIRED');
  });
});
