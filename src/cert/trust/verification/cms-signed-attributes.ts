import { bufferOf, toHex } from '../../../shared/bytes.js';
import { decodeTime } from '../../../shared/der/der-primitives.js';
import { contentOf, type DerNode } from '../../../shared/der/der-reader.js';
import { CmsAttribute, type CmsSignedData } from './cms-signed-data.js';
import { SignatureInvalidError } from './errors.js';
import { knownOid } from './known-oids.js';

/** The signed attributes twpki reads, decoded. */
export interface CmsSignedAttributes {
  /** contentType (required by RFC 5652 when attributes are present). */
  readonly contentType: string;
  /** messageDigest (required likewise). */
  readonly messageDigest: Uint8Array;
  /** signingTime, when carried. */
  readonly signingTime: Date | undefined;
  /** randomNonce, hex, when carried. */
  readonly randomNonce: string | undefined;
  /** The GPKI card number (2.16.886.1.100.2.204), when carried. */
  readonly cardNumber: string | undefined;
}

/**
 * Decodes the signed attributes of a CMS, or returns `undefined` when it has
 * none (the legacy shape). Nothing here is trusted until the signature over
 * them verifies.
 * @throws SignatureInvalidError for a missing required attribute or a malformed value.
 */
export function readSignedAttributes(cms: CmsSignedData): CmsSignedAttributes | undefined {
  if (cms.signedAttributesDer === undefined) return undefined;
  const attributes = cms.signedAttributes;
  try {
    const ct = one(attributes, CmsAttribute.contentType);
    const md = one(attributes, CmsAttribute.messageDigest);
    if (ct === undefined || md === undefined) {
      throw new SignatureInvalidError('signed attributes lack contentType or messageDigest (RFC 5652 5.3)');
    }
    if (ct.tag !== 0x06) throw new SignatureInvalidError('contentType is not an OBJECT IDENTIFIER');
    if (md.tag !== 0x04) throw new SignatureInvalidError('messageDigest is not an OCTET STRING');
    const st = one(attributes, CmsAttribute.signingTime);
    const nonce = one(attributes, CmsAttribute.randomNonce);
    const card = one(attributes, CmsAttribute.cardNumber);
    return {
      contentType: knownOid(ct),
      messageDigest: contentOf(md),
      // Fractional seconds read as before. RFC 5652 11.3 forbids them in signingTime too, but refusing them changes
      // which signatures verify: a decision of its own, not part of RFC 5280's rule for certificates and CRLs.
      signingTime: st === undefined ? undefined : decodeTime(st.tag, contentOf(st), { fractionalSeconds: true }),
      randomNonce: nonce === undefined ? undefined : toHex(contentOf(nonce)),
      cardNumber: card === undefined ? undefined : decodeCardNumber(card),
    };
  } catch (err) {
    if (err instanceof SignatureInvalidError) throw err;
    throw new SignatureInvalidError(`a signed attribute is malformed: ${(err as Error).message}`);
  }
}

/** The one value of the signed attribute `oid`, `undefined` when absent. */
function one(attributes: CmsSignedData['signedAttributes'], oid: string): DerNode | undefined {
  const values = attributes.get(oid);
  if (values !== undefined && values.length !== 1) throw new SignatureInvalidError(`signed attribute ${oid} must have one value`);
  return values?.[0];
}

/**
 * The card number attribute's value type is not documented publicly; read
 * any string type as text, and an OCTET STRING as text when printable.
 */
function decodeCardNumber(el: DerNode): string {
  // A copy only for BMPString, whose byte order is swapped in place.
  if (el.tag === 0x1e) return Buffer.from(contentOf(el)).swap16().toString('utf16le');
  // Read from one view of the whole source by offsets (no second view of the content).
  const { contentStart: start, end } = el;
  const bytes = bufferOf(el.source);
  const text = bytes.toString(el.tag === 0x0c ? 'utf8' : 'latin1', start, end);
  if (el.tag === 0x04 && !/^[\x20-\x7e]+$/.test(text)) return bytes.toString('hex', start, end).toUpperCase();
  return text;
}
