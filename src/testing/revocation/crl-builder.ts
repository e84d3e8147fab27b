import { reasonCode } from '../../cert/trust/revocation/revocation-status.js';
import { integerContentOfHex } from '../../shared/der/der-values.js';
import { enumerated, explicit, octetString, objectIdentifier, sequence, smallInteger, tlv, x509Time } from '../der/der-writer.js';
import type { RawExtensionSpec } from '../pki/types.js';
import { checkCrlOptions, type BuildCrlOptions, type TestIssuingDistributionPoint } from './crl-options.js';
import { signTbs } from './signing.js';

/**
 * Builds a DER CRL v2 (with authorityKeyIdentifier and cRLNumber) the way
 * GPKI CAs publish them. Made for tests: a 100k-entry list builds quickly.
 * @throws TestPkiError `BAD_OPTIONS` naming the option (`entries[3].revokedAt`, `issuer.privateKey`, …), before
 * anything is signed.
 */
export function buildCrl(options: BuildCrlOptions): Uint8Array {
  const { issuer, entries: revoked } = checkCrlOptions(options);
  const thisUpdate = options.thisUpdate ?? new Date();
  const nextUpdate = options.nextUpdate === undefined ? new Date(thisUpdate.getTime() + 86_400_000) : options.nextUpdate;
  const hash = options.hash ?? 'SHA-256';
  const signingKey = options.signWith ?? options.issuer.privateKey;
  const entries: Uint8Array[] = [];
  for (const e of revoked) {
    const exts = [
      ...(e.reason === undefined ? [] : [sequence(objectIdentifier('2.5.29.21'), octetString(enumerated(reasonCode(e.reason))))]),
      ...(e.extraExtensions ?? []).map(extension),
    ];
    // The value the serial spells, as the library spells it (`-80` is -128, `80` is +128), in DER's two's complement.
    entries.push(sequence(tlv(0x02, integerContentOfHex(e.serialHex)), x509Time(e.revokedAt), ...(exts.length === 0 ? [] : [sequence(...exts)])));
  }
  const extensions: Uint8Array[] = [];
  if (issuer.subjectKeyId !== undefined) {
    const aki = sequence(tlv(0x80, new Uint8Array(Buffer.from(issuer.subjectKeyId, 'hex'))));
    extensions.push(sequence(objectIdentifier('2.5.29.35'), octetString(aki)));
  }
  extensions.push(sequence(objectIdentifier('2.5.29.20'), octetString(smallInteger(options.crlNumber ?? 1))));
  if (options.deltaOf !== undefined) {
    extensions.push(extension({ oid: '2.5.29.27', critical: true, value: smallInteger(options.deltaOf) }));
  }
  if (options.issuingDistributionPoint !== undefined) extensions.push(issuingDistributionPoint(options.issuingDistributionPoint));
  extensions.push(...(options.extraExtensions ?? []).map(extension));
  // The algorithm must appear inside tbs too, so derive it from a throwaway signature first.
  const { algorithm } = signTbs(new Uint8Array(0), signingKey, hash);
  const tbs = sequence(
    smallInteger(1),
    algorithm,
    issuer.subjectDer,
    x509Time(thisUpdate),
    ...(nextUpdate === null ? [] : [x509Time(nextUpdate)]),
    ...(entries.length === 0 ? [] : [tlv(0x30, new Uint8Array(Buffer.concat(entries)))]),
    explicit(0, sequence(...extensions)),
  );
  const { signature } = signTbs(tbs, signingKey, hash, options.corruptSignature === true);
  return sequence(tbs, algorithm, signature);
}

const TRUE = Uint8Array.of(0xff);

function extension(spec: RawExtensionSpec): Uint8Array {
  return sequence(objectIdentifier(spec.oid), ...(spec.critical ? [tlv(0x01, TRUE)] : []), octetString(spec.value));
}

function issuingDistributionPoint(idp: TestIssuingDistributionPoint): Uint8Array {
  const fields: Uint8Array[] = [];
  if (idp.uris !== undefined) {
    const names = idp.uris.map((uri) => tlv(0x86, new Uint8Array(Buffer.from(uri, 'latin1'))));
    fields.push(tlv(0xa0, tlv(0xa0, new Uint8Array(Buffer.concat(names)))));
  }
  if (idp.onlyUserCerts === true) fields.push(tlv(0x81, TRUE));
  if (idp.onlyCaCerts === true) fields.push(tlv(0x82, TRUE));
  if (idp.onlySomeReasons !== undefined) fields.push(tlv(0x83, Uint8Array.of(0, ...idp.onlySomeReasons)));
  if (idp.indirect === true) fields.push(tlv(0x84, TRUE));
  return extension({ oid: '2.5.29.28', critical: idp.critical ?? true, value: sequence(...fields) });
}
