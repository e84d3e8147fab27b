/**
 * A signer who signed one document with two digests (a SignerInfo with SHA-1
 * and one with SHA-256 for the same certificate, as middleware of the SHA-1
 * migration writes): the signed-document verifier tries each SignerInfo that
 * names the signer, in order, and verifies the first that passes the algorithm
 * and signature steps; none: the first one's error. Without `certificate`,
 * SignerInfos that all name one carried certificate are one signer. The CMS
 * are made by pkijs (any digest per SignerInfo) and by `openssl cms -sign`
 * with the same `-signer` twice (skipped without the `openssl` command, except
 * under CI=true, where that fails).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, webcrypto } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignedDocumentVerifierBuilder, type SignedDocumentVerifier, type VerifiedDocument } from '../../../src/cert/index.js';
import { parseCmsSignedData } from '../../../src/cert/trust/verification/cms-signed-data.js';
import { createTestPki, type CardHolderCredentials, type TestPki } from '../../../src/testing/pki/index.js';
import { failure } from './helpers/verification.js';
import { encodeTlv, tlvs, type Tlv } from './helpers/tlv-tree.js';

pkijs.setEngine('node', new pkijs.CryptoEngine({ name: 'node', crypto: webcrypto as unknown as ConstructorParameters<typeof pkijs.CryptoEngine>[0]['crypto'] }));

const HAVE_OPENSSL = ((): boolean => {
  if (spawnSync('openssl', ['version']).status === 0) return true;
  if (process.env.CI === 'true') throw new Error('CI=true but the openssl command is missing (Debian package openssl)');
  return false;
})();

const CONTENT = Buffer.from('公文 doc signed twice\n');
const SHA1_OID = '1.3.14.3.2.26';
const SHA256_OID = '2.16.840.1.101.3.4.2.1';
/** Each SignerInfo claims its own signing time, so the report tells which one was verified. */
const SIGNED_AT: Record<Hash, Date> = { 'SHA-1': new Date('2026-01-01T01:00:00Z'), 'SHA-256': new Date('2026-01-02T02:00:00Z') };

type Hash = 'SHA-1' | 'SHA-256';

/** One SignerInfo to make. */
interface Part {
  readonly hash: Hash;
  /** Default the holder. */
  readonly signer?: CardHolderCredentials;
  /** Its signature value is changed after signing. */
  readonly corrupt?: boolean;
  /** No signed attributes (the legacy shape: the signature is over the content). */
  readonly noAttributes?: boolean;
}

let pki: TestPki;
let holder: CardHolderCredentials;
let other: CardHolderCredentials;
/** Modern digests only: SHA-1 is refused (ALGORITHM_NOT_ALLOWED). */
let verifier: SignedDocumentVerifier;
/** Also SHA-1, up to a day from now. */
let sha1: SignedDocumentVerifier;

beforeAll(async () => {
  pki = await createTestPki({ authorities: ['moica'] });
  holder = await pki.issueCardHolder({ authority: 'moica', commonName: '王小明' });
  other = await pki.issueCardHolder({ authority: 'moica', commonName: '李四' });
  const base = (): SignedDocumentVerifierBuilder =>
    new SignedDocumentVerifierBuilder().withTrustAnchors(pki.root.certificate).withIntermediates(pki.issuer('moica').certificate).withoutRevocationCheck();
  verifier = base().build();
  sha1 = base().allowSha1({ until: new Date(Date.now() + 86_400_000) }).build();
}, 60_000);

/**
 * An attached CMS over CONTENT with one SignerInfo per part, in the order given (pkijs writes the SET OF as
 * given), carrying `carry` (default: each signer's certificate once).
 */
async function pkijsCms(parts: readonly Part[], carry?: readonly CardHolderCredentials[]): Promise<Uint8Array> {
  const signers = parts.map((p) => p.signer ?? holder);
  const carried = carry ?? [...new Set(signers)];
  const signedData = new pkijs.SignedData({
    version: 1,
    encapContentInfo: new pkijs.EncapsulatedContentInfo({ eContentType: '1.2.840.113549.1.7.1', eContent: new asn1js.OctetString({ valueHex: CONTENT }) }),
    signerInfos: parts.map((p, i) => signerInfo(p, signers[i] as CardHolderCredentials)),
    certificates: carried.map((h) => pkijs.Certificate.fromBER(h.sign.certificate)),
  });
  for (const [i, p] of parts.entries()) {
    const der = (signers[i] as CardHolderCredentials).sign.privateKey.export({ type: 'pkcs8', format: 'der' });
    const key = await webcrypto.subtle.importKey('pkcs8', der, { name: 'RSASSA-PKCS1-v1_5', hash: p.hash }, false, ['sign']);
    await signedData.sign(key, i, p.hash);
    const info = signedData.signerInfos[i] as pkijs.SignerInfo;
    if (p.corrupt === true) {
      const value = new Uint8Array(info.signature.valueBlock.valueHexView);
      value[value.length - 1] = (value[value.length - 1] as number) ^ 1;
      info.signature = new asn1js.OctetString({ valueHex: value });
    }
  }
  const info = new pkijs.ContentInfo({ contentType: pkijs.ContentInfo.SIGNED_DATA, content: signedData.toSchema(true) });
  return new Uint8Array(info.toSchema().toBER(false));
}

function signerInfo(part: Part, signer: CardHolderCredentials): pkijs.SignerInfo {
  const cert = pkijs.Certificate.fromBER(signer.sign.certificate);
  const sid = new pkijs.IssuerAndSerialNumber({ issuer: cert.issuer, serialNumber: cert.serialNumber });
  if (part.noAttributes === true) return new pkijs.SignerInfo({ version: 1, sid });
  const attribute = (type: string, value: asn1js.AsnType): pkijs.Attribute => new pkijs.Attribute({ type, values: [value] });
  const digest = createHash(part.hash === 'SHA-1' ? 'sha1' : 'sha256').update(CONTENT).digest();
  const signedAttrs = new pkijs.SignedAndUnsignedAttributes({
    type: 0,
    attributes: [
      attribute('1.2.840.113549.1.9.3', new asn1js.ObjectIdentifier({ value: '1.2.840.113549.1.7.1' })),
      attribute('1.2.840.113549.1.9.4', new asn1js.OctetString({ valueHex: digest })),
      attribute('1.2.840.113549.1.9.5', new asn1js.UTCTime({ valueDate: SIGNED_AT[part.hash] })),
    ],
  });
  return new pkijs.SignerInfo({ version: 1, sid, signedAttrs });
}

/** The digest OIDs of the SignerInfos, in the CMS's order (each picked by position). */
function digestOrder(cms: Uint8Array): string[] {
  const count = parseCmsSignedData(cms, undefined, () => false).signerCount;
  return Array.from({ length: count }, (_, n) => {
    let seen = 0;
    return parseCmsSignedData(cms, undefined, () => seen++ === n).digestOid;
  });
}

async function refusal(p: Promise<unknown>): Promise<[string, string, string]> {
  const err = await failure(p);
  return [err.step, err.code, err.message];
}

function summary(doc: VerifiedDocument): [string, boolean, string | undefined, number, string, string] {
  return [doc.digest, doc.signedAttributes, doc.signedAt?.toISOString(), doc.signerCount, doc.profile.subject.commonName ?? '', Buffer.from(doc.content).toString('utf8')];
}

const SHA256_REPORT = ['SHA-256', true, SIGNED_AT['SHA-256'].toISOString(), 2, '王小明', CONTENT.toString('utf8')];

describe('one signer, two digests: the first SignerInfo that passes is verified', () => {
  it('SHA-1 refused by the policy, in either order, with and without the certificate: the SHA-256 one is verified', async () => {
    for (const order of [['SHA-1', 'SHA-256'], ['SHA-256', 'SHA-1']] as const) {
      const cms = await pkijsCms(order.map((hash) => ({ hash })));
      expect(digestOrder(cms)).toEqual(order.map((h) => (h === 'SHA-1' ? SHA1_OID : SHA256_OID)));
      expect(summary(await verifier.verify({ format: 'cms', signature: cms, certificate: holder.sign.certificate }))).toEqual(SHA256_REPORT);
      expect(summary(await verifier.verify({ format: 'cms', signature: cms }))).toEqual(SHA256_REPORT);
    }
  });

  it('a verifier that allows SHA-1 verifies the first SignerInfo (SHA-1 first: SHA-1 reported)', async () => {
    const cms = await pkijsCms([{ hash: 'SHA-1' }, { hash: 'SHA-256' }]);
    const doc = await sha1.verify({ format: 'cms', signature: cms });
    expect([doc.digest, doc.signedAt?.toISOString()]).toEqual(['SHA-1', SIGNED_AT['SHA-1'].toISOString()]);
  });

  it('the first signature does not verify, the second does: verified, reporting the second', async () => {
    const cms = await pkijsCms([{ hash: 'SHA-256', corrupt: true }, { hash: 'SHA-256' }]);
    expect(summary(await verifier.verify({ format: 'cms', signature: cms, certificate: holder.sign.certificate }))).toEqual(SHA256_REPORT);
    expect(summary(await verifier.verify({ format: 'cms', signature: cms }))).toEqual(SHA256_REPORT);
    // What the failed attempt read (its signed attributes) is not reported for the one verified.
    const legacy = await pkijsCms([{ hash: 'SHA-256', corrupt: true }, { hash: 'SHA-256', noAttributes: true }]);
    const doc = await verifier.verify({ format: 'cms', signature: legacy });
    expect([doc.digest, doc.signedAttributes, doc.signedAt, doc.cardNumber]).toEqual(['SHA-256', false, undefined, undefined]);
  });

  it('none passes: the first one\'s error, as with the first alone', async () => {
    const sha1First = await pkijsCms([{ hash: 'SHA-1' }, { hash: 'SHA-256', corrupt: true }]);
    const badFirst = await pkijsCms([{ hash: 'SHA-256', corrupt: true }, { hash: 'SHA-1' }]);
    const notAllowed = ['algorithm', 'ALGORITHM_NOT_ALLOWED', 'SHA-1 is accepted only with allowSha1({ until })'];
    const invalid = ['signature', 'SIGNATURE_INVALID', 'the CMS signature does not verify with the certificate'];
    for (const certificate of [holder.sign.certificate, undefined]) {
      expect(await refusal(verifier.verify({ format: 'cms', signature: sha1First, certificate }))).toEqual(notAllowed);
      expect(await refusal(verifier.verify({ format: 'cms', signature: badFirst, certificate }))).toEqual(invalid);
    }
    // The same errors as the first SignerInfo alone.
    expect(await refusal(verifier.verify({ format: 'cms', signature: await pkijsCms([{ hash: 'SHA-1' }]) }))).toEqual(notAllowed);
    expect(await refusal(verifier.verify({ format: 'cms', signature: await pkijsCms([{ hash: 'SHA-256', corrupt: true }]) }))).toEqual(invalid);
  });

  it('co-signed: with the certificate given, only the SignerInfos naming it are tried, skipping the other signer\'s', async () => {
    const cms = await pkijsCms([{ hash: 'SHA-1' }, { hash: 'SHA-256', signer: other }, { hash: 'SHA-256' }]);
    const doc = await verifier.verify({ format: 'cms', signature: cms, certificate: holder.sign.certificate });
    expect([doc.digest, doc.signedAt?.toISOString(), doc.signerCount, doc.profile.subject.commonName]).toEqual(['SHA-256', SIGNED_AT['SHA-256'].toISOString(), 3, '王小明']);
    const second = await verifier.verify({ format: 'cms', signature: cms, certificate: other.sign.certificate });
    expect(second.profile.subject.commonName).toBe('李四');
    // The other signer's one SignerInfo is bad: its error, not a try of the holder's.
    const bad = await pkijsCms([{ hash: 'SHA-256' }, { hash: 'SHA-256', signer: other, corrupt: true }]);
    expect((await refusal(verifier.verify({ format: 'cms', signature: bad, certificate: other.sign.certificate })))[1]).toBe('SIGNATURE_INVALID');
    // A certificate no SignerInfo names: refused as before, by the first SignerInfo (here the algorithm step).
    const stranger = await pki.issueCardHolder({ authority: 'moica', commonName: '陳五' });
    expect((await refusal(verifier.verify({ format: 'cms', signature: cms, certificate: stranger.sign.certificate })))[1]).toBe('ALGORITHM_NOT_ALLOWED');
    expect(await refusal(verifier.verify({ format: 'cms', signature: bad, certificate: stranger.sign.certificate }))).toEqual([
      'signature',
      'SIGNATURE_INVALID',
      'the CMS signer is not the given certificate',
    ]);
  });
});

describe('a later SignerInfo in BER', () => {
  it('is picked as itself: the second SignerInfo\'s signed attributes with an indefinite length, all else DER', async () => {
    const der = await pkijsCms([{ hash: 'SHA-1' }, { hash: 'SHA-256' }]);
    const [info] = tlvs(der) as [Tlv];
    const signedData = ((info.content as Tlv[])[1]?.content as Tlv[])[0] as Tlv;
    const signerInfos = (signedData.content as Tlv[]).at(-1) as Tlv;
    const second = (signerInfos.content as Tlv[])[1] as Tlv;
    const attrs = (second.content as Tlv[])[3] as Tlv;
    expect(attrs.tag).toBe(0xa0);
    attrs.indefinite = true;
    const ber = new Uint8Array(encodeTlv(info));
    // Only the chosen SignerInfo is read whole: the first one parses from the DER walk, the second needs the BER one.
    expect(parseCmsSignedData(ber, undefined, () => false).digestOid).toBe(SHA1_OID);
    expect(summary(await verifier.verify({ format: 'cms', signature: ber }))).toEqual(SHA256_REPORT);
    expect(summary(await verifier.verify({ format: 'cms', signature: ber, certificate: holder.sign.certificate }))).toEqual(SHA256_REPORT);
  });
});

describe('without the certificate, SignerInfos naming different certificates are still several signers', () => {
  const several = (n: number): [string, string, string] => ['document-format', 'SEVERAL_SIGNERS', `the CMS has ${n} signers: pass "certificate", the certificate of the signer to verify`];

  it('two signers, both carried or only the first carried; the holder twice and another once', async () => {
    const two = await pkijsCms([{ hash: 'SHA-256' }, { hash: 'SHA-256', signer: other }]);
    expect(await refusal(verifier.verify({ format: 'cms', signature: two }))).toEqual(several(2));
    const oneCarried = await pkijsCms([{ hash: 'SHA-256' }, { hash: 'SHA-256', signer: other }], [holder]);
    expect(await refusal(verifier.verify({ format: 'cms', signature: oneCarried }))).toEqual(several(2));
    const three = await pkijsCms([{ hash: 'SHA-1' }, { hash: 'SHA-256' }, { hash: 'SHA-256', signer: other }]);
    expect(await refusal(verifier.verify({ format: 'cms', signature: three }))).toEqual(several(3));
  });

  it('one signer twice whose certificate the CMS does not carry: several, as the signer cannot be told', async () => {
    const uncarried = await pkijsCms([{ hash: 'SHA-1' }, { hash: 'SHA-256' }], []);
    expect(await refusal(verifier.verify({ format: 'cms', signature: uncarried }))).toEqual(several(2));
    expect(summary(await verifier.verify({ format: 'cms', signature: uncarried, certificate: holder.sign.certificate }))).toEqual(SHA256_REPORT);
  });
});

describe.skipIf(!HAVE_OPENSSL)('openssl cms -sign with the same -signer twice', () => {
  let dir: string;
  let args: string[];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'twpki-dual-digest-'));
    const write = (name: string, text: string | Uint8Array): string => {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    };
    const pem = `-----BEGIN CERTIFICATE-----\n${(Buffer.from(holder.sign.certificate).toString('base64').match(/.{1,64}/g) ?? []).join('\n')}\n-----END CERTIFICATE-----\n`;
    const cert = write('signer.pem', pem);
    const key = write('signer.key', holder.sign.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
    // OpenSSL refuses to add one certificate twice ("certificate already present"): it is carried by -certfile.
    args = ['cms', '-sign', '-binary', '-nodetach', '-nocerts', '-certfile', cert, '-in', write('content', CONTENT), '-outform', 'DER'];
    args.push('-signer', cert, '-inkey', key, '-signer', cert, '-inkey', key);
  });

  afterAll(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  function openssl(extra: readonly string[] = []): Buffer {
    return execFileSync('openssl', [...args, ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
  }

  /** The first SignerInfo's signature value changed (both SignerInfos may be the same bytes: the first copy is it). */
  function corruptFirst(made: Buffer): Uint8Array {
    const value = Buffer.from(parseCmsSignedData(new Uint8Array(made), undefined, () => false).signature);
    const at = made.indexOf(value) + value.length - 1;
    made[at] = (made[at] as number) ^ 1;
    return new Uint8Array(made);
  }

  it('verified without the certificate; a bad first signature (DER and BER -stream) falls to the second', async () => {
    const twice = new Uint8Array(openssl());
    expect(parseCmsSignedData(twice, undefined, () => false).signerCount).toBe(2);
    expect((await verifier.verify({ format: 'cms', signature: twice })).signerCount).toBe(2);
    for (const extra of [[], ['-stream']]) {
      const bad = corruptFirst(openssl(extra));
      const doc = await verifier.verify({ format: 'cms', signature: bad });
      expect([doc.digest, doc.signedAttributes, Buffer.from(doc.content).equals(CONTENT)]).toEqual(['SHA-256', true, true]);
      expect((await verifier.verify({ format: 'cms', signature: bad, certificate: holder.sign.certificate })).digest).toBe('SHA-256');
    }
  });
});
