import { signCertificate, subjectKeyIdOf, subjectNameOf, type CertificateSigner } from './certificate-factory.js';
import { TestPkiError } from './errors.js';
import { unknownOptionProblem } from '../../shared/option-names.js';
import { checkCertificateOptions } from './certificate-options.js';
import { InputCheck } from '../check-input.js';
import { generateRsaKeyPair, type RsaKeyPair } from './rsa-keys.js';
import { holderSubjectHasSerialNumber, TEST_ROOT_NAME, testAuthorityProfile } from './test-authorities.js';
import {
  TEST_AUTHORITIES,
  type CardHolderCredentials,
  type CardHolderOptions,
  type CertificateOptions,
  type IssuedCertificate,
  type TestAuthority,
  type TestCa,
  type TestPki,
  type TestPkiOptions,
} from './types.js';

const HOUR_MS = 3_600_000;
const DEFAULT_BASE = 'http://127.0.0.1:8080';

function addYears(date: Date, years: number): Date {
  const out = new Date(date.getTime());
  out.setUTCFullYear(out.getUTCFullYear() + years);
  return out;
}

/** Five years on, at 15:59:59Z (23:59:59 Taiwan time) like MOICA G2/G3 user certificates. */
function cardHolderNotAfter(notBefore: Date): Date {
  const end = addYears(notBefore, 5);
  end.setUTCHours(15, 59, 59, 0);
  return end;
}

function signerOf(ca: IssuedCertificate): CertificateSigner {
  return { name: subjectNameOf(ca.certificate), privateKey: ca.privateKey, keyId: subjectKeyIdOf(ca.certificate) };
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

/**
 * Creates a fresh test PKI: an RSA root mimicking GRCA and one issuing CA per
 * authority (MOICA, MOEACA, GCA, XCA, HCA), all named `(測試用) …`. Keys are
 * new for every PKI, so two PKIs never vouch for each other's certificates.
 */
export async function createTestPki(options: TestPkiOptions = {}): Promise<TestPki> {
  checkPkiOptions(options);
  const now = options.now ?? new Date();
  const crlBase = trimSlash(options.crlBaseUrl ?? `${DEFAULT_BASE}/crl`);
  const ocspUrl = options.ocspUrl ?? `${DEFAULT_BASE}/ocsp`;
  const certsBase = trimSlash(options.caIssuersBaseUrl ?? `${DEFAULT_BASE}/certs`);
  const crlUrl = (authority: TestAuthority | 'root'): string => `${crlBase}/${authority}.crl`;
  const certUrl = (authority: TestAuthority | 'root'): string => `${certsBase}/${authority}.cer`;
  const caNotBefore = addYears(now, -1);
  const caNotAfter = addYears(now, 20);

  const authorities = authoritiesOf(options.authorities);
  const [rootKeys, ...issuerKeys] = await Promise.all(
    Array.from({ length: authorities.length + 1 }, () => generateRsaKeyPair()),
  );
  if (rootKeys === undefined) throw new TestPkiError('BAD_OPTIONS', 'key generation returned nothing');

  const rootDer = await signCertificate({
    subject: [
      { type: 'C', value: 'TW' },
      { type: 'O', value: '行政院' },
      { type: 'CN', value: TEST_ROOT_NAME },
    ],
    keyPair: rootKeys,
    signer: 'self',
    notBefore: caNotBefore,
    notAfter: caNotAfter,
    isCa: true,
    keyUsage: ['keyCertSign', 'cRLSign'],
    policies: [],
  });
  const root: TestCa = { name: TEST_ROOT_NAME, certificate: rootDer, ...rootKeys };
  const rootSigner = signerOf(root);

  const issuers = new Map<TestAuthority, TestCa>();
  await Promise.all(
    authorities.map(async (authority, index) => {
      const keys = issuerKeys[index] as RsaKeyPair;
      const { caName } = testAuthorityProfile(authority);
      const certificate = await signCertificate({
        subject: [
          { type: 'C', value: 'TW' },
          { type: 'O', value: '行政院' },
          { type: 'OU', value: caName },
        ],
        keyPair: keys,
        signer: rootSigner,
        notBefore: caNotBefore,
        notAfter: caNotAfter,
        isCa: true,
        pathLength: 0,
        keyUsage: ['keyCertSign', 'cRLSign'],
        crlUrl: crlUrl('root'),
        caIssuersUrl: certUrl('root'),
      });
      issuers.set(authority, { name: caName, certificate, ...keys });
    }),
  );

  const issuer = (authority: TestAuthority): TestCa => {
    const ca = issuers.get(authority);
    if (ca !== undefined) return ca;
    if (isTestAuthority(authority)) {
      throw new TestPkiError(
        'UNKNOWN_AUTHORITY',
        `this test PKI has no ${authority} CA: it was made with authorities ${JSON.stringify(authorities)} (createTestPki option "authorities")`,
      );
    }
    throw new TestPkiError('UNKNOWN_AUTHORITY', `no test CA for authority ${JSON.stringify(authority)}: the names are ${TEST_AUTHORITIES.join(', ')} (lower case)`);
  };

  const authorityOf = (ca: IssuedCertificate): TestAuthority | 'root' | undefined => {
    if (ca === root) return 'root';
    for (const [authority, candidate] of issuers) if (candidate === ca) return authority;
    return undefined;
  };

  const issueCertificate = async (o: CertificateOptions): Promise<IssuedCertificate> => {
    checkCertificateOptions(o); // every option, subject included, before paying for a key pair
    const signingCa = o.issuer === 'root' ? root : o.issuer;
    const known = authorityOf(signingCa);
    const notBefore = o.notBefore ?? new Date(now.getTime() - HOUR_MS);
    const notAfter = o.notAfter ?? addYears(notBefore, 1);
    if (notAfter.getTime() < notBefore.getTime()) {
      throw new TestPkiError(
        'BAD_OPTIONS',
        `issueCertificate: option "notAfter" (${notAfter.toISOString()}) is before notBefore (${notBefore.toISOString()}${o.notBefore === undefined ? ", the default: an hour before the PKI's now" : ''})`,
      );
    }
    const keys = o.keyPair ?? (await generateRsaKeyPair());
    const certificate = await signCertificate({
      subject: o.subject,
      keyPair: keys,
      signer: signerOf(signingCa),
      notBefore,
      notAfter,
      ...(o.serialNumber !== undefined && { serialNumber: o.serialNumber }),
      ...(o.keyUsage !== undefined && { keyUsage: o.keyUsage }),
      ...(o.keyUsageCritical !== undefined && { keyUsageCritical: o.keyUsageCritical }),
      ...(o.extendedKeyUsage !== undefined && { extendedKeyUsage: o.extendedKeyUsage }),
      ...(o.isCa !== undefined && { isCa: o.isCa }),
      ...(o.pathLength !== undefined && { pathLength: o.pathLength }),
      ...(o.policies !== undefined && { policies: o.policies }),
      crlUrl: o.crlUrl === undefined ? (known === undefined ? null : crlUrl(known)) : o.crlUrl,
      ocspUrl: o.ocspUrl === undefined ? ocspUrl : o.ocspUrl,
      caIssuersUrl: o.caIssuersUrl === undefined ? (known === undefined ? null : certUrl(known)) : o.caIssuersUrl,
      ...(o.email !== undefined && { email: o.email }),
      ...(o.gpkiAttributes !== undefined && { gpkiAttributes: o.gpkiAttributes }),
      ...(o.ocspNoCheck !== undefined && { ocspNoCheck: o.ocspNoCheck }),
      ...(o.signatureHash !== undefined && { signatureHash: o.signatureHash }),
      ...(o.omitKeyIdentifiers !== undefined && { omitKeyIdentifiers: o.omitKeyIdentifiers }),
      ...(o.extraExtensions !== undefined && { extraExtensions: o.extraExtensions }),
    });
    return { certificate, privateKey: keys.privateKey, publicKey: keys.publicKey };
  };

  const issueCardHolder = async (o: CardHolderOptions): Promise<CardHolderCredentials> => {
    checkHolderOptions(o);
    const ca = issuer(o.authority);
    if (o.subjectSerialNumber !== undefined && !holderSubjectHasSerialNumber(o.authority)) {
      throw new TestPkiError(
        'BAD_OPTIONS',
        `issueCardHolder: option "subjectSerialNumber" has no place in a ${o.authority.toUpperCase()} holder's subject (only MOICA, GCA and HCA subjects carry a serialNumber); leave it out, or build the certificate with issueCertificate`,
      );
    }
    const profile = testAuthorityProfile(o.authority);
    const subject = profile.holderSubject(o);
    const gpkiAttributes = profile.holderAttributes(o);
    const notBefore = o.notBefore ?? new Date(now.getTime() - HOUR_MS);
    const notAfter = o.notAfter ?? cardHolderNotAfter(notBefore);
    const common = {
      issuer: ca,
      subject,
      notBefore,
      notAfter,
      gpkiAttributes,
      ...(o.email !== undefined && { email: o.email }),
    };
    const [sign, keyx] = await Promise.all([
      issueCertificate({ ...common, keyUsage: ['digitalSignature'] }),
      issueCertificate({ ...common, keyUsage: ['keyEncipherment', 'dataEncipherment'] }),
    ]);
    return { authority: o.authority, sign, keyx, chain: [ca.certificate, root.certificate] };
  };

  return { root, authorities, issuer, issueCardHolder, issueCertificate, crlUrl, ocspUrl };
}

const PKI_OPTION_NAMES: ReadonlySet<string> = new Set(['now', 'crlBaseUrl', 'ocspUrl', 'caIssuersBaseUrl', 'authorities']);

/**
 * A misspelt URL option (`ocspURL`) would be dropped and every certificate would point at the default
 * 127.0.0.1:8080, where nothing answers: the harness would see REVOCATION_CHECK_FAILED at login, far from the cause.
 */
function checkPkiOptions(options: unknown): asserts options is TestPkiOptions {
  if (typeof options !== 'object' || options === null) throw new TestPkiError('BAD_OPTIONS', 'createTestPki: options must be an object');
  const o = options as Record<string, unknown>;
  const unknown = unknownOptionProblem(o, PKI_OPTION_NAMES);
  if (unknown !== undefined) throw new TestPkiError('BAD_OPTIONS', `createTestPki: ${unknown}`);
  for (const name of ['crlBaseUrl', 'ocspUrl', 'caIssuersBaseUrl']) {
    const value = o[name];
    if (value === undefined) continue;
    let url: URL | undefined;
    try {
      url = typeof value === 'string' ? new URL(value) : undefined;
    } catch {
      url = undefined;
    }
    if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      throw new TestPkiError(
        'BAD_OPTIONS',
        `createTestPki: option "${name}" must be an absolute http(s) URL, such as a LocalRevocationServer's ${name === 'caIssuersBaseUrl' ? 'url' : name}, not ${JSON.stringify(value)}`,
      );
    }
  }
  if (o.now !== undefined && (!(o.now instanceof Date) || Number.isNaN(o.now.getTime()))) {
    throw new TestPkiError('BAD_OPTIONS', 'createTestPki: option "now" must be a valid Date');
  }
}

const HOLDER_OPTION_NAMES: ReadonlySet<string> = new Set([
  'authority',
  'commonName',
  'notBefore',
  'notAfter',
  'idHint',
  'businessId',
  'organizationOid',
  'subjectSerialNumber',
  'email',
  'cardType',
]);

/**
 * A renewal test passes notBefore; a string there failed deep in the DER writer as a TypeError, an invalid Date
 * made a certificate with an unreadable validity, and a misspelt name (`cn`) was dropped for the default.
 */
function checkHolderOptions(options: unknown): void {
  if (typeof options !== 'object' || options === null) {
    throw new TestPkiError('BAD_OPTIONS', "issueCardHolder: options must be an object such as { authority: 'moica' }");
  }
  const o = options as Record<string, unknown>;
  const unknown = unknownOptionProblem(o, HOLDER_OPTION_NAMES);
  if (unknown !== undefined) throw new TestPkiError('BAD_OPTIONS', `issueCardHolder: ${unknown}`);
  for (const name of ['notBefore', 'notAfter']) {
    const value = o[name];
    if (value !== undefined && (!(value instanceof Date) || Number.isNaN(value.getTime()))) {
      throw new TestPkiError('BAD_OPTIONS', `issueCardHolder: option "${name}" must be a valid Date, not ${value instanceof Date ? 'an invalid Date' : JSON.stringify(value)}`);
    }
  }
  for (const name of ['commonName', 'idHint', 'businessId', 'organizationOid', 'subjectSerialNumber', 'email', 'cardType']) {
    if (o[name] !== undefined && typeof o[name] !== 'string') throw new TestPkiError('BAD_OPTIONS', `issueCardHolder: option "${name}" must be a string`);
  }
  checkHolderStrings(o);
  // On a MOICA card 2.16.886.1.100.2.51 is always 4 digits: another value ('12345', '', 'abcd') makes a holder
  // no MOICA card can be, and a test passes on it. Other authorities may carry it as given.
  if (o.authority === 'moica' && o.idHint !== undefined && !/^[0-9]{4}$/.test(o.idHint as string)) {
    throw new TestPkiError('BAD_OPTIONS', `issueCardHolder: option "idHint" must be 4 digits (0–9) for a MOICA holder, such as '1234', not ${JSON.stringify(o.idHint)}`);
  }
}

/**
 * Each text option against the ASN.1 type it is written as, so a holder's certificates say what was asked. The DER
 * writer put a subject serialNumber `王…` or a cardType in a PrintableString as UTF-8 bytes, @peculiar/x509 wrote an
 * e-mail's characters as their low bytes, and a lone surrogate in a UTF8String became U+FFFD: each a certificate
 * saying something else, silently. The organisation OID was checked only inside issueCertificate, under the name
 * `gpkiAttributes.organizationOid`, which issueCardHolder does not take.
 */
function checkHolderStrings(o: Record<string, unknown>): void {
  const check = new InputCheck('issueCardHolder');
  // X520SerialNumber is PrintableString (SIZE (1..64)) (RFC 5280).
  check.optionalPrintableString('subjectSerialNumber', o.subjectSerialNumber, 1, 64, "16 digits ('0000000000000000')");
  check.optionalPrintableString('cardType', o.cardType, 0, Infinity, "'primary', 'secondary' or 'mobile'");
  check.optionalIa5String('email', o.email, "subjectAltName's rfc822Name");
  for (const name of ['commonName', 'idHint', 'businessId']) check.optionalUtf8String(name, o[name]);
  if (o.organizationOid !== undefined) check.oid('organizationOid', o.organizationOid);
}

/**
 * The `authorities` option checked: known names only, each once, in
 * {@link TEST_AUTHORITIES} order; all of them when absent.
 */
function authoritiesOf(asked: readonly TestAuthority[] | undefined): readonly TestAuthority[] {
  if (asked === undefined) return TEST_AUTHORITIES;
  if (!Array.isArray(asked)) throw new TestPkiError('BAD_OPTIONS', 'option "authorities" must be an array of authority names');
  for (const a of asked as readonly unknown[]) {
    if (!isTestAuthority(a)) {
      throw new TestPkiError(
        'BAD_OPTIONS',
        `option "authorities": ${JSON.stringify(a)} is not one of ${TEST_AUTHORITIES.map((t) => JSON.stringify(t)).join(', ')}`,
      );
    }
  }
  return TEST_AUTHORITIES.filter((a) => asked.includes(a));
}

/** Whether `value` names one of the {@link TEST_AUTHORITIES}. */
function isTestAuthority(value: unknown): value is TestAuthority {
  return (TEST_AUTHORITIES as readonly unknown[]).includes(value);
}
