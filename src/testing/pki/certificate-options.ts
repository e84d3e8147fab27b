import { KeyObject } from 'node:crypto';
import { parseCertificate } from '../../cert/profile/index.js';
import { KEY_USAGE_BITS } from '../../cert/profile/extensions/key-usage.js';
import { InputCheck, isHex } from '../check-input.js';
import { TestPkiError } from './errors.js';
import { encodeName } from './name-builder.js';
import { TEST_AUTHORITIES, type CertificateOptions } from './types.js';

const OPTION_NAMES: ReadonlySet<string> = new Set([
  'issuer',
  'subject',
  'keyUsage',
  'keyUsageCritical',
  'extendedKeyUsage',
  'isCa',
  'pathLength',
  'notBefore',
  'notAfter',
  'policies',
  'crlUrl',
  'ocspUrl',
  'caIssuersUrl',
  'email',
  'gpkiAttributes',
  'ocspNoCheck',
  'keyPair',
  'serialNumber',
  'signatureHash',
  'omitKeyIdentifiers',
  'extraExtensions',
]);

const GPKI_ATTRIBUTE_NAMES: ReadonlySet<string> = new Set(['subjectType', 'cardType', 'idHint', 'businessId', 'organizationOid']);
const SIGNATURE_HASHES = ['SHA-1', 'SHA-256', 'SHA-384', 'SHA-512'] as const;

/**
 * Checks {@link TestPki.issueCertificate}'s options before any key is made, so each misuse is `TestPkiError`
 * naming the option: `BAD_SUBJECT_NAME` for the subject, `BAD_OPTIONS` for everything else. Before, a missing
 * issuer or subject was a TypeError, an authority name as issuer a certificate parse error, a bad hash a
 * DOMException, and many were taken silently: an invalid Date, an unknown option or key usage, `isCa: 'yes'`
 * (no basicConstraints), a serial `00` or `''` (replaced by a random one), `crlUrl: ''` (no CDP), a pathLength
 * without isCa, a key pair without its private key. Valid options pass unchanged.
 */
export function checkCertificateOptions(options: unknown): asserts options is CertificateOptions {
  const check: InputCheck = new InputCheck('issueCertificate');
  if (typeof options !== 'object' || options === null) {
    throw new TestPkiError('BAD_OPTIONS', "issueCertificate: options must be an object such as { issuer: 'root', subject: 'C=TW, CN=王小明' }");
  }
  const o = options as Record<string, unknown>;
  check.knownNames(undefined, o, OPTION_NAMES);

  checkIssuer(check, o.issuer);
  encodeName(o.subject as never, 'issueCertificate: option "subject"', true);

  if (o.keyUsage !== undefined) {
    if (!Array.isArray(o.keyUsage)) check.fail('keyUsage', "must be an array of key usage names such as ['digitalSignature']", o.keyUsage);
    o.keyUsage.forEach((name: unknown, i) => {
      if (!KEY_USAGE_BITS.includes(name as never)) check.fail(`keyUsage[${i}]`, `must be one of ${KEY_USAGE_BITS.join(', ')}`, name);
    });
  }
  check.optionalBoolean('keyUsageCritical', o.keyUsageCritical);
  check.optionalOidList('extendedKeyUsage', o.extendedKeyUsage);
  check.optionalBoolean('isCa', o.isCa);
  if (o.pathLength !== undefined) {
    if (!Number.isSafeInteger(o.pathLength) || (o.pathLength as number) < 0) check.fail('pathLength', 'must be a non-negative integer', o.pathLength);
    if (o.isCa !== true) check.fail('pathLength', 'needs isCa: true (pathLenConstraint is part of basicConstraints cA=TRUE, which is only added for a CA)');
  }

  check.optionalDate('notBefore', o.notBefore);
  check.optionalDate('notAfter', o.notAfter);
  check.optionalOidList('policies', o.policies);
  for (const name of ['crlUrl', 'ocspUrl', 'caIssuersUrl']) {
    if (o[name] !== null) check.optionalString(name, o[name], true, ` (null omits the ${name === 'crlUrl' ? 'distribution point' : 'URL'}; an empty string was dropped the same way, silently)`);
  }
  check.optionalIa5String('email', o.email, "subjectAltName's rfc822Name");
  if (o.gpkiAttributes !== undefined) {
    const g = check.object('gpkiAttributes', o.gpkiAttributes, "{ cardType: 'primary', idHint: '1234' }");
    check.knownNames('gpkiAttributes', g, GPKI_ATTRIBUTE_NAMES);
    for (const name of ['subjectType', 'organizationOid']) if (g[name] !== undefined) check.oid(`gpkiAttributes.${name}`, g[name]);
    for (const name of ['cardType', 'idHint', 'businessId']) check.optionalString(`gpkiAttributes.${name}`, g[name]);
  }
  check.optionalBoolean('ocspNoCheck', o.ocspNoCheck);
  if (o.keyPair !== undefined) {
    const k = check.object('keyPair', o.keyPair, '{ privateKey, publicKey } (an issued certificate or test CA also fits)');
    if (!(k.publicKey instanceof KeyObject) || k.publicKey.type !== 'public') check.fail('keyPair.publicKey', 'must be the public key to certify (a node:crypto public KeyObject)', k.publicKey);
    if (!(k.privateKey instanceof KeyObject) || k.privateKey.type !== 'private') {
      check.fail('keyPair.privateKey', "must be that key's private key (a node:crypto private KeyObject), returned as the certificate's privateKey", k.privateKey);
    }
  }
  if (o.serialNumber !== undefined && (!isHex(o.serialNumber) || /^0+$/.test(o.serialNumber))) {
    check.fail(
      'serialNumber',
      "must be a positive integer in hex digits such as '0a1b2c' (no sign or 0x; zero would be replaced by a random serial)",
      o.serialNumber,
    );
  }
  // WebCrypto, which signs, reads hash names in any case ('sha-256' worked before the check).
  const anyCase = typeof o.signatureHash === 'string' && (SIGNATURE_HASHES as readonly string[]).includes(o.signatureHash.toUpperCase());
  if (!anyCase) check.optionalChoice('signatureHash', o.signatureHash, SIGNATURE_HASHES);
  check.optionalBoolean('omitKeyIdentifiers', o.omitKeyIdentifiers);
  check.optionalRawExtensions('extraExtensions', o.extraExtensions);
}

/**
 * `'root'`, or a certificate with its RSA private key. A test authority's name, a card holder's credentials, a
 * certificate without its key or bytes that are not a certificate failed deep in the factory.
 */
function checkIssuer(check: InputCheck, issuer: unknown): void {
  if (issuer === 'root') return;
  const must = "must be 'root', a test CA (pki.issuer('moica')) or another issued certificate with its privateKey (such as a sub-CA)";
  if (typeof issuer === 'string' && (TEST_AUTHORITIES as readonly string[]).includes(issuer)) {
    check.fail('issuer', `${must}: for the ${issuer} CA pass pki.issuer('${issuer}')`, issuer);
  }
  if (typeof issuer !== 'object' || issuer === null) check.fail('issuer', must, issuer);
  const i = issuer as Record<string, unknown>;
  if (i.certificate === undefined && typeof i.sign === 'object') check.fail('issuer', `${must}: for a card holder's signing certificate pass its .sign`, issuer);
  if (i.certificate === undefined) check.fail('issuer.certificate', `must be the issuer's certificate, DER (issuer ${must})`, i.certificate);
  check.certificate('issuer.certificate', i.certificate, parseCertificate);
  check.privateKey('issuer.privateKey', i.privateKey, ['rsa'], "the issuer's RSA private key (the test PKI signs RSASSA-PKCS1-v1_5)");
}
