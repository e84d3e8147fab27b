/**
 * A walk where twpki's verifiers meet CMS SignedData made by code nobody here
 * wrote: `openssl cms -sign` / `openssl smime -sign` (OpenSSL's own encoder,
 * run at test time on the test PKI's keys exported to PEM) and pkijs for the
 * signing-time encodings OpenSSL cannot be told to write. Every variant either
 * verifies, to the content that was signed, or is refused with a typed error
 * that names why. Skipped when no `openssl` command is on the PATH, except under CI=true, where that fails.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, generateKeyPairSync, sign as cryptoSign, webcrypto } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ChallengeIssuer,
  LoginVerifierBuilder,
  SignedDocumentVerifierBuilder,
  TrustedCertificate,
  buildLoginMessage,
  type SignedDocumentVerifier,
  type VerifiedDocument,
} from '../../../src/cert/index.js';
import { parseCmsSignedData } from '../../../src/cert/trust/verification/cms-signed-data.js';
import { definiteLengths } from '../../../src/shared/der/ber-definite.js';
import { createTestPki, type CardHolderCredentials, type IssuedCertificate, type TestPki } from '../../../src/testing/pki/index.js';
import { failure } from './helpers/verification.js';
import { encodeTlv, tlvs, type Tlv } from './helpers/tlv-tree.js';

/** Whether the `openssl` command is there (scripts/setup-debian.sh installs it); under CI=true its absence fails. */
const HAVE_OPENSSL = ((): boolean => {
  if (spawnSync('openssl', ['version']).status === 0) return true;
  if (process.env.CI === 'true') throw new Error('CI=true but the openssl command is missing (Debian package openssl)');
  return false;
})();
pkijs.setEngine('node', new pkijs.CryptoEngine({ name: 'node', crypto: webcrypto as unknown as ConstructorParameters<typeof pkijs.CryptoEngine>[0]['crypto'] }));

const TEXT = 'line one\nline two 王小明\n';
const TEXT_CRLF = TEXT.replace(/\n/g, '\r\n');
const ORIGIN = 'https://login.example.gov.tw';

let dir: string;
let pki: TestPki;
let holder: CardHolderCredentials;
let other: CardHolderCredentials;
let ec: IssuedCertificate;
/** PEM files: signer, key, the other holder's, the EC signer's, chain files. */
const file: Record<string, string> = {};
/** No revocation, modern digests. */
let verifier: SignedDocumentVerifier;
/** Also SHA-1, up to a day from now. */
let sha1: SignedDocumentVerifier;
/** Anchors only: intermediates must come from the CMS. */
let anchorsOnly: SignedDocumentVerifier;

function pem(der: Uint8Array, label = 'CERTIFICATE'): string {
  // 64-character lines and no empty line: OpenSSL's PEM reader stops at one.
  return `-----BEGIN ${label}-----\n${(Buffer.from(der).toString('base64').match(/.{1,64}/g) ?? []).join('\n')}\n-----END ${label}-----\n`;
}

function write(name: string, text: string | Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function openssl(args: readonly string[]): Buffer {
  return execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 24 });
}

/** `openssl cms -sign` by the holder's SIGN key over `content` (TEXT by default), DER unless `-outform` is given. */
function cms(flags: readonly string[], content: string | Uint8Array = TEXT, signer: 'holder' | 'ec' = 'holder'): Buffer {
  const input = write('content', content);
  const [cert, key] = signer === 'holder' ? [file['signer'], file['key']] : [file['ec'], file['ecKey']];
  const outform = flags.includes('-outform') ? [] : ['-outform', 'DER'];
  return openssl(['cms', '-sign', '-signer', cert as string, '-inkey', key as string, '-in', input, ...outform, ...flags]);
}

/**
 * An unrelated legacy certificate (say a foreign CA in a chain file) that
 * OpenSSL loads and carries but twpki's strict reader refuses: its notBefore
 * is a UTCTime without seconds, as 1990s encoders wrote them.
 */
function legacyCertificate(): Uint8Array {
  const der = openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(dir, 'legacy.key'), '-subj', '/CN=legacy CA', '-days', '30', '-outform', 'DER']);
  const [cert] = tlvs(der) as [Tlv];
  const tbs = (cert.content as Tlv[])[0] as Tlv;
  const validity = (tbs.content as Tlv[])[4] as Tlv;
  (validity.content as Tlv[])[0] = { tag: 0x17, content: Buffer.from('2601010000Z') };
  return new Uint8Array(encodeTlv(cert));
}

beforeAll(async () => {
  if (!HAVE_OPENSSL) return;
  dir = mkdtempSync(join(tmpdir(), 'twpki-foreign-cms-'));
  pki = await createTestPki({ authorities: ['moica'] });
  holder = await pki.issueCardHolder({ authority: 'moica', commonName: '王小明' });
  other = await pki.issueCardHolder({ authority: 'moica', commonName: '李四' });
  const ecPair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  ec = await pki.issueCertificate({ issuer: pki.issuer('moica'), subject: 'C=TW, CN=EC signer', keyUsage: ['digitalSignature'], keyPair: ecPair });
  file['signer'] = write('signer.pem', pem(holder.sign.certificate));
  file['key'] = write('signer.key', holder.sign.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
  file['other'] = write('other.pem', pem(other.sign.certificate));
  file['otherKey'] = write('other.key', other.sign.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
  file['ec'] = write('ec.pem', pem(ec.certificate));
  file['ecKey'] = write('ec.key', ecPair.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
  // Root before the issuing CA (out of order), plus an unrelated certificate.
  file['chain'] = write('chain.pem', pem(pki.root.certificate) + pem(pki.issuer('moica').certificate) + pem(other.keyx.certificate));
  file['undecodable'] = write('undecodable.pem', pem(pki.issuer('moica').certificate) + pem(legacyCertificate()));
  const base = (): SignedDocumentVerifierBuilder =>
    new SignedDocumentVerifierBuilder().withTrustAnchors(pki.root.certificate).withIntermediates(pki.issuer('moica').certificate).withoutRevocationCheck();
  verifier = base().build();
  sha1 = base().allowSha1({ until: new Date(Date.now() + 86_400_000) }).build();
  anchorsOnly = new SignedDocumentVerifierBuilder().withTrustAnchors(pki.root.certificate).withoutRevocationCheck().build();
}, 60_000);

afterAll(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

function text(doc: VerifiedDocument): string {
  return Buffer.from(doc.content).toString('utf8');
}

async function refusal(p: Promise<unknown>): Promise<string> {
  const err = await failure(p);
  return `${err.step}:${err.code}`;
}

describe.skipIf(!HAVE_OPENSSL)('foreign CMS (openssl): shapes a signed-document verifier accepts', () => {
  const der = (sig: Buffer): Uint8Array => new Uint8Array(sig);

  it('attached and detached, -binary, with -nodetach, -nosmimecap and -noattr', async () => {
    const attached = await verifier.verify({ format: 'cms', signature: der(cms(['-binary', '-nodetach'])) });
    expect([text(attached), attached.digest, attached.signedAttributes, attached.profile.subject.commonName]).toEqual([TEXT, 'SHA-256', true, '王小明']);
    expect(attached.signedAt).toBeInstanceOf(Date);
    const detached = await verifier.verify({ format: 'cms', signature: der(cms(['-binary'])), content: TEXT });
    expect(text(detached)).toBe(TEXT);
    expect((await verifier.verify({ format: 'cms', signature: der(cms(['-binary', '-nodetach', '-nosmimecap'])) })).signedAttributes).toBe(true);
    const noattr = await verifier.verify({ format: 'cms', signature: der(cms(['-binary', '-nodetach', '-noattr'])) });
    expect([noattr.signedAttributes, noattr.signedAt, text(noattr)]).toEqual([false, undefined, TEXT]);
    const noattrDetached = await verifier.verify({ format: 'cms', signature: der(cms(['-binary', '-noattr'])), content: TEXT });
    expect(noattrDetached.signedAttributes).toBe(false);
    const binary = new Uint8Array([0, 1, 2, 0x0a, 0x0d, 0x0a, 0xff]);
    expect(Buffer.from((await verifier.verify({ format: 'cms', signature: der(cms(['-binary', '-nodetach'], binary)) })).content)).toEqual(Buffer.from(binary));
    expect((await verifier.verify({ format: 'cms', signature: der(cms(['-binary', '-nodetach'], '')) })).content).toHaveLength(0);
  });

  it('text mode (no -binary): the CRLF-canonicalised content is what was signed, attached or given', async () => {
    expect(text(await verifier.verify({ format: 'cms', signature: der(cms(['-nodetach'])) }))).toBe(TEXT_CRLF);
    expect(text(await verifier.verify({ format: 'cms', signature: der(cms([])), content: TEXT_CRLF }))).toBe(TEXT_CRLF);
  });

  it('PEM (BEGIN CMS, smime BEGIN PKCS7), base64 with and without line breaks, as text or bytes', async () => {
    const pemText = cms(['-binary', '-nodetach', '-outform', 'PEM']).toString('latin1');
    expect(pemText).toContain('-----BEGIN CMS-----');
    expect(text(await verifier.verify({ format: 'cms', signature: pemText }))).toBe(TEXT);
    expect(text(await verifier.verify({ format: 'cms', signature: pemText.replace(/\n/g, '\r\n') }))).toBe(TEXT);
    expect(text(await verifier.verify({ format: 'cms', signature: new Uint8Array(Buffer.from(pemText)) }))).toBe(TEXT);
    const smime = openssl(['smime', '-sign', '-signer', file['signer'] as string, '-inkey', file['key'] as string, '-binary', '-in', write('content', TEXT), '-outform', 'PEM']).toString('latin1');
    expect(smime).toContain('-----BEGIN PKCS7-----');
    expect(text(await verifier.verify({ format: 'cms', signature: smime, content: TEXT }))).toBe(TEXT);
    const b64 = cms(['-binary', '-nodetach']).toString('base64');
    for (const form of [b64, b64.replace(/.{64}/g, '$&\n'), `${b64.replace(/.{76}/g, '$&\r\n')}\r\n`]) {
      expect(text(await verifier.verify({ format: 'cms', signature: form }))).toBe(TEXT);
    }
    // The label Java programs write (Bouncy Castle examples, keytool-era tools): refused as "not a PEM block" before.
    const javaPem = pem(cms(['-binary', '-nodetach']), 'PKCS #7 SIGNED DATA');
    expect(text(await verifier.verify({ format: 'cms', signature: javaPem }))).toBe(TEXT);
  });

  it('-stream / -indef (BER indefinite lengths, chunked OCTET STRING), also smime -stream and 300 kB content', async () => {
    const stream = cms(['-binary', '-nodetach', '-stream']);
    expect(stream[1]).toBe(0x80); // indefinite length at the top
    expect(text(await verifier.verify({ format: 'cms', signature: der(stream) }))).toBe(TEXT);
    expect(text(await verifier.verify({ format: 'cms', signature: der(cms(['-binary', '-nodetach', '-indef'])) }))).toBe(TEXT);
    expect(text(await verifier.verify({ format: 'cms', signature: cms(['-binary', '-nodetach', '-stream', '-outform', 'PEM']).toString('latin1') }))).toBe(TEXT);
    expect(text(await verifier.verify({ format: 'cms', signature: der(cms(['-binary', '-nodetach', '-stream', '-noattr'])) }))).toBe(TEXT);
    const smime = openssl(['smime', '-sign', '-signer', file['signer'] as string, '-inkey', file['key'] as string, '-binary', '-nodetach', '-stream', '-in', write('content', TEXT), '-outform', 'DER']);
    expect(text(await verifier.verify({ format: 'cms', signature: der(smime) }))).toBe(TEXT);
    const big = Buffer.alloc(300_000, 'abcdefghij');
    const doc = await verifier.verify({ format: 'cms', signature: der(cms(['-binary', '-nodetach', '-stream'], big)), content: big });
    expect(doc.contentSha256).toBe(createHash('sha256').update(big).digest('hex'));
  });

  it('-md sha256|sha384|sha512; sha1 only with allowSha1; ECDSA P-256 signers', async () => {
    for (const [md, name] of [['sha256', 'SHA-256'], ['sha384', 'SHA-384'], ['sha512', 'SHA-512']] as const) {
      expect((await verifier.verify({ format: 'cms', signature: der(cms(['-binary', '-nodetach', '-md', md])) })).digest).toBe(name);
      expect((await verifier.verify({ format: 'cms', signature: der(cms(['-binary', '-nodetach', '-md', md], TEXT, 'ec')) })).digest).toBe(name);
    }
    const legacy = der(cms(['-binary', '-nodetach', '-md', 'sha1']));
    expect(await refusal(verifier.verify({ format: 'cms', signature: legacy }))).toBe('algorithm:ALGORITHM_NOT_ALLOWED');
    expect((await sha1.verify({ format: 'cms', signature: legacy })).digest).toBe('SHA-1');
    expect(await refusal(verifier.verify({ format: 'cms', signature: der(cms(['-binary', '-nodetach', '-md', 'sha224'])) }))).toBe('algorithm:ALGORITHM_NOT_ALLOWED');
  });

  it('-keyid (SignerInfo by subjectKeyIdentifier), -nocerts with the certificate given, -certfile chains', async () => {
    expect(text(await verifier.verify({ format: 'cms', signature: der(cms(['-binary', '-nodetach', '-keyid'])) }))).toBe(TEXT);
    const nocerts = der(cms(['-binary', '-nodetach', '-nocerts']));
    expect(parseCmsSignedData(nocerts).certificates).toHaveLength(0);
    expect(await refusal(verifier.verify({ format: 'cms', signature: nocerts }))).toBe('document-format:DOCUMENT_MALFORMED');
    expect(text(await verifier.verify({ format: 'cms', signature: nocerts, certificate: holder.sign.certificate }))).toBe(TEXT);
    expect(text(await verifier.verify({ format: 'cms', signature: nocerts, certificate: pem(holder.sign.certificate) }))).toBe(TEXT);
    const keyidNocerts = der(cms(['-binary', '-nodetach', '-nocerts', '-keyid']));
    expect(text(await verifier.verify({ format: 'cms', signature: keyidNocerts, certificate: holder.sign.certificate }))).toBe(TEXT);
    // The wrong certificate given is not taken for the signer.
    const wrong = await failure(verifier.verify({ format: 'cms', signature: nocerts, certificate: other.sign.certificate }));
    expect([wrong.step, wrong.code, wrong.message]).toEqual(['signature', 'SIGNATURE_INVALID', 'the CMS signer is not the given certificate']);
    // Root first, then the issuing CA, then an unrelated certificate: the path is built from the CMS alone.
    const chained = der(cms(['-binary', '-nodetach', '-certfile', file['chain'] as string]));
    expect(parseCmsSignedData(chained).certificates).toHaveLength(4);
    expect((await anchorsOnly.verify({ format: 'cms', signature: chained })).chain).toHaveLength(3);
    expect(await refusal(anchorsOnly.verify({ format: 'cms', signature: der(cms(['-binary', '-nodetach'])) }))).toBe('chain:CERT_UNTRUSTED');
  });

  it('signingTime far in the past or the future is the signer\'s claim: reported, certificates still judged at `at`', async () => {
    const at1950 = await verifier.verify({ format: 'cms', signature: await pkijsWithSigningTime(utcTime('500101000000Z')) });
    expect(at1950.signedAt?.toISOString()).toBe('1950-01-01T00:00:00.000Z');
    const at2099 = await verifier.verify({ format: 'cms', signature: await pkijsWithSigningTime(generalizedTime('20991231235959Z')) });
    expect(at2099.signedAt?.toISOString()).toBe('2099-12-31T23:59:59.000Z');
    expect(at2099.verifiedAt.getTime()).toBeLessThan(Date.UTC(2099, 0));
    // A claimed time inside the validity does not rescue a certificate judged outside it.
    const late = await failure(verifier.verify({ format: 'cms', signature: await pkijsWithSigningTime(utcTime('260101000000Z')) }, { at: new Date(Date.UTC(2040, 0)) }));
    expect([late.step, late.code]).toEqual(['certificate-validity', 'CERT_EXPIRED']);
    // SHA-1 judged by its claim (docs/decisions.md): a claim after the cut-off is refused.
    const sha1Late = await failure(sha1.verify({ format: 'cms', signature: await pkijsWithSigningTime(generalizedTime('20991231235959Z'), 'SHA-1') }));
    expect([sha1Late.step, sha1Late.code]).toEqual(['algorithm', 'ALGORITHM_NOT_ALLOWED']);
    // RFC 5652 11.3: UTC with seconds; an offset or missing seconds is refused, typed.
    expect(await refusal(verifier.verify({ format: 'cms', signature: await pkijsWithSigningTime(utcTime('2612020000Z')) }))).toBe('signature:SIGNATURE_INVALID');
    expect(await refusal(verifier.verify({ format: 'cms', signature: await pkijsWithSigningTime(utcTime('261202000000+0800')) }))).toBe('signature:SIGNATURE_INVALID');
  });
});

describe.skipIf(!HAVE_OPENSSL)('foreign CMS (openssl): what a signed-document verifier refuses, typed', () => {
  const der = (sig: Buffer): Uint8Array => new Uint8Array(sig);

  it('content modified after signing: attached (DER and BER) and detached', async () => {
    for (const flags of [['-binary', '-nodetach'], ['-binary', '-nodetach', '-stream'], ['-binary', '-nodetach', '-noattr']]) {
      const sig = cms(flags);
      const at = sig.indexOf(Buffer.from('line two'));
      sig[at] = (sig[at] as number) ^ 1;
      expect(await refusal(verifier.verify({ format: 'cms', signature: der(sig) }))).toBe('signature:SIGNATURE_INVALID');
    }
    expect(await refusal(verifier.verify({ format: 'cms', signature: der(cms(['-binary'])), content: `${TEXT}.` }))).toBe('signature:SIGNATURE_INVALID');
    expect(await refusal(verifier.verify({ format: 'cms', signature: der(cms(['-binary', '-nodetach'])), content: `${TEXT}.` }))).toBe('signature:SIGNATURE_INVALID');
    expect(await refusal(verifier.verify({ format: 'cms', signature: der(cms(['-binary'])) }))).toBe('document-format:CONTENT_MISSING');
  });

  it('a signature by a key that does not match the certificate (openssl refuses to make one: the value is replaced)', async () => {
    for (const flags of [['-binary', '-nodetach'], ['-binary', '-nodetach', '-stream']]) {
      const made = cms(flags);
      const sig = Buffer.from(definiteLengths(new Uint8Array(made)));
      const parsed = parseCmsSignedData(sig);
      const forged = cryptoSign('sha256', parsed.signedAttributesDer as Uint8Array, other.sign.privateKey);
      forged.copy(sig, sig.indexOf(Buffer.from(parsed.signature)));
      const err = await failure(verifier.verify({ format: 'cms', signature: new Uint8Array(sig) }));
      expect([err.step, err.code, err.message]).toEqual(['signature', 'SIGNATURE_INVALID', 'the CMS signature does not verify with the certificate']);
    }
  });

  it('two signers: each verified when its certificate is given; without one, SEVERAL_SIGNERS naming the field', async () => {
    const two = der(cms(['-binary', '-nodetach', '-signer', file['other'] as string, '-inkey', file['otherKey'] as string]));
    const err = await failure(verifier.verify({ format: 'cms', signature: two }));
    expect([err.step, err.code, err.message]).toEqual(['document-format', 'SEVERAL_SIGNERS', 'the CMS has 2 signers: pass "certificate", the certificate of the signer to verify']);
    // The first signer and the second, each by its own certificate: the one named is the one verified.
    const first = await verifier.verify({ format: 'cms', signature: two, certificate: holder.sign.certificate });
    const second = await verifier.verify({ format: 'cms', signature: two, certificate: other.sign.certificate });
    expect([first.profile.subject.commonName, second.profile.subject.commonName, text(first), text(second)]).toEqual(['王小明', '李四', TEXT, TEXT]);
    expect([first.signerCount, second.signerCount]).toEqual([2, 2]);
    // A certificate that signed neither is refused as a signer the CMS does not name, as with one signer.
    const stranger = await pki.issueCardHolder({ authority: 'moica', commonName: '陳五' });
    const none = await failure(verifier.verify({ format: 'cms', signature: two, certificate: stranger.sign.certificate }));
    expect([none.step, none.code]).toEqual(['signature', 'SIGNATURE_INVALID']);
    // The parser: with no choice the first SignerInfo and the count; a login (no choice at all) refuses two.
    // (signerInfos is a DER SET OF, sorted by encoding: which signer comes first depends on the random serials.)
    const parsed = parseCmsSignedData(two, undefined, () => false);
    const serials = [holder, other].map((h) => TrustedCertificate.from(h.sign.certificate).serialHex);
    expect(parsed.signerCount).toBe(2);
    expect(serials).toContain((parsed.signer as { serialHex: string }).serialHex);
    const picked = parseCmsSignedData(two, undefined, (sid) => 'serialHex' in sid && sid.serialHex === serials[1]);
    expect((picked.signer as { serialHex: string }).serialHex).toBe(serials[1]);
    expect(() => parseCmsSignedData(two)).toThrow('expected one signer, found 2');

  });

  it('no signer (crl2pkcs7), an S/MIME message, another eContentType, trailing bytes', async () => {
    const degenerate = openssl(['crl2pkcs7', '-nocrl', '-certfile', file['signer'] as string, '-outform', 'DER']);
    expect(await refusal(verifier.verify({ format: 'cms', signature: der(degenerate) }))).toBe('document-format:DOCUMENT_MALFORMED');
    const mime = cms(['-outform', 'SMIME']).toString('latin1');
    expect(await refusal(verifier.verify({ format: 'cms', signature: mime, content: TEXT }))).toBe('document-format:DOCUMENT_MALFORMED');
    const receipt = await failure(verifier.verify({ format: 'cms', signature: der(cms(['-binary', '-nodetach', '-econtent_type', '1.2.840.113549.1.9.16.1.4'])) }));
    expect([receipt.code, receipt.message]).toEqual(['SIGNATURE_INVALID', 'CMS content type 1.2.840.113549.1.9.16.1.4 is not id-data']);
    const padded = Buffer.concat([cms(['-binary', '-nodetach']), Buffer.from('\n')]);
    expect(await refusal(verifier.verify({ format: 'cms', signature: der(padded) }))).toBe('document-format:DOCUMENT_MALFORMED');
  });

  it('-md md5 and -noattr sha1 past the cut-off: typed algorithm refusals', async () => {
    const md5 = await failure(verifier.verify({ format: 'cms', signature: der(cms(['-binary', '-nodetach', '-md', 'md5'])) }));
    expect([md5.step, md5.code]).toEqual(['algorithm', 'ALGORITHM_NOT_ALLOWED']);
    expect(md5.message).toContain('MD5');
    const closed = new SignedDocumentVerifierBuilder()
      .withTrustAnchors(pki.root.certificate)
      .withIntermediates(pki.issuer('moica').certificate)
      .withoutRevocationCheck()
      .allowSha1({ until: new Date('2020-01-01T00:00:00Z') })
      .build();
    expect(await refusal(closed.verify({ format: 'cms', signature: der(cms(['-binary', '-nodetach', '-noattr', '-md', 'sha1'])) }))).toBe('algorithm:ALGORITHM_NOT_ALLOWED');
  });
});

describe.skipIf(!HAVE_OPENSSL)('foreign CMS (openssl): the login verifier', () => {
  let challenges: ChallengeIssuer;

  beforeAll(() => {
    challenges = new ChallengeIssuer();
  });

  function loginVerifier(legacy = false): ReturnType<LoginVerifierBuilder['build']> {
    const b = new LoginVerifierBuilder()
      .withTrustAnchors(pki.root.certificate)
      .withIntermediates(pki.issuer('moica').certificate)
      .withAllowedOrigins(ORIGIN)
      .withChallenges(challenges)
      .withoutRevocationCheck();
    if (legacy) b.allowLegacyCms();
    return b.build();
  }

  async function login(flags: readonly string[], options: { certb64?: boolean; legacy?: boolean } = {}): Promise<unknown> {
    const challenge = await challenges.issue('s');
    const tbs = buildLoginMessage({ origin: ORIGIN, challenge: challenge.value });
    const token: Record<string, string> = { signatureType: 'PKCS7', tbs, signature: cms(flags, tbs).toString('base64') };
    if (options.certb64 === true) token['certb64'] = Buffer.from(holder.sign.certificate).toString('base64');
    return loginVerifier(options.legacy).verify(token, { sessionId: 's' });
  }

  it('accepts openssl-made tokens: attached, detached, streamed (BER), -keyid, -nocerts with certb64, -certfile, -md sha512', async () => {
    for (const flags of [['-binary', '-nodetach'], ['-binary'], ['-binary', '-stream'], ['-binary', '-keyid'], ['-binary', '-certfile', file['chain'] as string], ['-binary', '-md', 'sha512']]) {
      expect(await login(flags)).toMatchObject({ origin: ORIGIN });
    }
    expect(await login(['-binary', '-nocerts', '-keyid'], { certb64: true })).toMatchObject({ origin: ORIGIN });
  });

  it('refuses typed: -nocerts without certb64, -noattr without allowLegacyCms, text mode (CRLF is not the tbs), PSS', async () => {
    expect(await refusal(login(['-binary', '-nocerts']))).toBe('token-format:TOKEN_MALFORMED');
    expect(await refusal(login(['-binary', '-noattr']))).toBe('algorithm:ALGORITHM_NOT_ALLOWED');
    expect(await login(['-binary', '-noattr'], { legacy: true })).toMatchObject({ origin: ORIGIN });
    expect(await refusal(login(['-nodetach']))).toBe('signature:SIGNATURE_INVALID');
    expect(await refusal(login(['-binary', '-keyopt', 'rsa_padding_mode:pss']))).toBe('algorithm:ALGORITHM_NOT_ALLOWED');
  });
});

describe.skipIf(!HAVE_OPENSSL)('foreign CMS: defects found by the walk', () => {
  const der = (sig: Buffer): Uint8Array => new Uint8Array(sig);

  it('reports a GeneralizedTime signingTime before year 100 as that year, not as 19xx', async () => {
    const doc = await verifier.verify({ format: 'cms', signature: await pkijsWithSigningTime(generalizedTime('00010101000000Z')) });
    expect(doc.signedAt?.toISOString()).toBe('0001-01-01T00:00:00.000Z');
    const leap = await verifier.verify({ format: 'cms', signature: await pkijsWithSigningTime(generalizedTime('00000229120000Z')) });
    expect(leap.signedAt?.toISOString()).toBe('0000-02-29T12:00:00.000Z');
  });

  it('verifies a CMS whose -certfile adds an unrelated certificate twpki cannot decode (document and login)', async () => {
    const sig = der(cms(['-binary', '-nodetach', '-certfile', file['undecodable'] as string]));
    expect(parseCmsSignedData(sig).certificates).toHaveLength(3);
    expect(text(await anchorsOnly.verify({ format: 'cms', signature: sig }))).toBe(TEXT);
    const nocerts = der(cms(['-binary', '-nodetach', '-nocerts', '-certfile', file['undecodable'] as string]));
    expect(text(await verifier.verify({ format: 'cms', signature: nocerts, certificate: holder.sign.certificate }))).toBe(TEXT);
    const challenges = new ChallengeIssuer();
    const login = new LoginVerifierBuilder().withTrustAnchors(pki.root.certificate).withAllowedOrigins(ORIGIN).withChallenges(challenges).withoutRevocationCheck().build();
    const tbs = buildLoginMessage({ origin: ORIGIN, challenge: (await challenges.issue('s')).value });
    const token = { signatureType: 'PKCS7', tbs, signature: cms(['-binary', '-certfile', file['undecodable'] as string], tbs).toString('base64') };
    expect(await login.verify(token, { sessionId: 's' })).toMatchObject({ origin: ORIGIN });
  });

  it('still refuses, typed, when the undecodable certificate may be the signer\'s', async () => {
    const only = der(cms(['-binary', '-nodetach', '-nocerts', '-certfile', file['undecodable'] as string]));
    const err = await failure(verifier.verify({ format: 'cms', signature: only }));
    expect([err.step, err.code, err.message]).toEqual(['document-format', 'DOCUMENT_MALFORMED', 'the CMS carries an undecodable certificate']);
  });

  it('finds the signer when the SignerInfo re-encodes the issuer name (C=TW as UTF8String), as OpenSSL does', async () => {
    const sig = cms(['-binary', '-nodetach']);
    const issuer = Buffer.from((parseCmsSignedData(new Uint8Array(sig)).signer as { issuerDer: Uint8Array }).issuerDer);
    // The SignerInfo's issuer (the last copy of the name), not the certificates': C=TW is 06 03 55 04 06 13 02 54 57.
    const country = sig.indexOf(Buffer.from('060355040613', 'hex'), sig.lastIndexOf(issuer));
    sig[country + 5] = 0x0c;
    const reencoded = new Uint8Array(sig);
    expect(Buffer.from((parseCmsSignedData(reencoded).signer as { issuerDer: Uint8Array }).issuerDer).equals(issuer)).toBe(false);
    expect(text(await verifier.verify({ format: 'cms', signature: reencoded }))).toBe(TEXT);
    // Still only the certificate it names: not another holder's given in its place.
    const wrong = await failure(verifier.verify({ format: 'cms', signature: reencoded, certificate: other.sign.certificate }));
    expect([wrong.step, wrong.code]).toEqual(['signature', 'SIGNATURE_INVALID']);
  });

  it('refuses RSASSA-PSS (-keyopt rsa_padding_mode:pss) naming it as unsupported, not as an unknown algorithm', async () => {
    for (const flags of [['-binary', '-nodetach', '-keyopt', 'rsa_padding_mode:pss'], ['-binary', '-nodetach', '-noattr', '-keyopt', 'rsa_padding_mode:pss']]) {
      const err = await failure(verifier.verify({ format: 'cms', signature: der(cms(flags)) }));
      expect([err.step, err.code]).toEqual(['algorithm', 'ALGORITHM_NOT_ALLOWED']);
      expect(err.message).toBe('CMS signature algorithm 1.2.840.113549.1.1.10: RSASSA-PSS is not supported (twpki verifies RSA PKCS#1 v1.5 and ECDSA signatures)');
    }
  });

  it('names text-mode canonicalisation when a detached text-mode signature is given the LF content (still refused)', async () => {
    const err = await failure(verifier.verify({ format: 'cms', signature: der(cms([])), content: TEXT }));
    expect([err.step, err.code]).toEqual(['signature', 'SIGNATURE_INVALID']);
    expect(err.message).toContain('CRLF line ends');
    const unrelated = await failure(verifier.verify({ format: 'cms', signature: der(cms([])), content: 'other\n' }));
    expect(unrelated.message).toBe('messageDigest does not match the signed content');
  });
});

function utcTime(text: string): asn1js.UTCTime {
  return new asn1js.UTCTime({ valueHex: new Uint8Array(Buffer.from(text, 'latin1')).buffer });
}

function generalizedTime(text: string): asn1js.GeneralizedTime {
  return new asn1js.GeneralizedTime({ valueHex: new Uint8Array(Buffer.from(text, 'latin1')).buffer });
}

/** A pkijs-made attached CMS over "doc" whose signingTime is `time` encoded exactly as given. */
async function pkijsWithSigningTime(time: asn1js.UTCTime | asn1js.GeneralizedTime, hash: 'SHA-1' | 'SHA-256' = 'SHA-256'): Promise<Uint8Array> {
  const content = Buffer.from('doc');
  const cert = pkijs.Certificate.fromBER(holder.sign.certificate);
  const key = await webcrypto.subtle.importKey('pkcs8', holder.sign.privateKey.export({ type: 'pkcs8', format: 'der' }), { name: 'RSASSA-PKCS1-v1_5', hash }, false, ['sign']);
  const attribute = (type: string, value: asn1js.AsnType): pkijs.Attribute => new pkijs.Attribute({ type, values: [value] });
  const digest = createHash(hash === 'SHA-1' ? 'sha1' : 'sha256').update(content).digest();
  const signedData = new pkijs.SignedData({
    version: 1,
    encapContentInfo: new pkijs.EncapsulatedContentInfo({ eContentType: '1.2.840.113549.1.7.1', eContent: new asn1js.OctetString({ valueHex: content }) }),
    signerInfos: [
      new pkijs.SignerInfo({
        version: 1,
        sid: new pkijs.IssuerAndSerialNumber({ issuer: cert.issuer, serialNumber: cert.serialNumber }),
        signedAttrs: new pkijs.SignedAndUnsignedAttributes({
          type: 0,
          attributes: [
            attribute('1.2.840.113549.1.9.3', new asn1js.ObjectIdentifier({ value: '1.2.840.113549.1.7.1' })),
            attribute('1.2.840.113549.1.9.4', new asn1js.OctetString({ valueHex: digest })),
            attribute('1.2.840.113549.1.9.5', time),
          ],
        }),
      }),
    ],
    certificates: [cert],
  });
  await signedData.sign(key, 0, hash);
  const info = new pkijs.ContentInfo({ contentType: pkijs.ContentInfo.SIGNED_DATA, content: signedData.toSchema(true) });
  return new Uint8Array(info.toSchema().toBER(false));
}
