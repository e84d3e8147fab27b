import { DerError } from '../../../shared/der/der-error.js';
import { childrenOf, contentOf, DerCursor, encodingOf, expectTag, readRoot, type DerNode } from '../../../shared/der/der-reader.js';
import { integerHexOf } from '../../../shared/der/der-values.js';
import { bufferOf, freshBytes } from '../../../shared/bytes.js';
import { definiteLengths } from '../../../shared/der/ber-definite.js';
import { knownOid } from './known-oids.js';

/** OIDs of the CMS signed attributes twpki reads. */
export const CmsAttribute = {
  /** PKCS#9 contentType: the type of the signed content. */
  contentType: '1.2.840.113549.1.9.3',
  /** PKCS#9 messageDigest: the hash of the signed content. */
  messageDigest: '1.2.840.113549.1.9.4',
  /** PKCS#9 signingTime: when the signer claims to have signed. */
  signingTime: '1.2.840.113549.1.9.5',
  /** PKCS#9 randomNonce, added by the official component when asked for a nonce. */
  randomNonce: '1.2.840.113549.1.9.25.3',
  /** GPKI card number, added by the official component with `withCardSN`. */
  cardNumber: '2.16.886.1.100.2.204',
} as const;

const OID_SIGNED_DATA = '1.2.840.113549.1.7.2';

/** The id-data content type, the only one a login message may have. */
export const CMS_DATA = '1.2.840.113549.1.7.1';

/** How a SignerInfo names its certificate. */
export type SignerIdentifier =
  | { readonly issuerDer: Uint8Array; readonly serialHex: string }
  | { readonly subjectKeyId: string };

/** The parts of a one-signer CMS SignedData a login check needs. */
export interface CmsSignedData {
  /** eContentType. */
  readonly contentType: string;
  /** Attached content, or `undefined` when detached. */
  readonly content: Uint8Array | undefined;
  /** Certificates carried in the CMS, DER. */
  readonly certificates: readonly Uint8Array[];
  /** The signer's certificate reference. */
  readonly signer: SignerIdentifier;
  /** SignerInfo digestAlgorithm OID. */
  readonly digestOid: string;
  /** SignerInfo signatureAlgorithm OID. */
  readonly signatureAlgorithmOid: string;
  /** The signature value. */
  readonly signature: Uint8Array;
  /** DER of the signed attributes re-tagged as SET (what was signed), when present. */
  readonly signedAttributesDer: Uint8Array | undefined;
  /** Signed attribute values by OID, each one value's element (its `encodingOf` is the value's DER). */
  readonly signedAttributes: ReadonlyMap<string, readonly DerNode[]>;
  /** How many SignerInfos the CMS has (the fields above are of one: the only one, or the one chosen). */
  readonly signerCount: number;
}

/**
 * Which SignerInfo to read when a CMS has several (a document signed by more
 * than one card): the first for which this returns true, else the first.
 */
export type SignerChoice = (signer: SignerIdentifier) => boolean;

/**
 * Decodes a CMS ContentInfo/SignedData (RFC 5652), reading one SignerInfo —
 * the only one (a login has one signer), or with `choose` the one it picks
 * among several — keeping the exact signed bytes.
 *
 * Walked with the DER reader rather than pkijs: measured on the login
 * benchmark, pkijs' schema matching took ~25 ms per token against well under
 * a millisecond here, and the structure is small and fixed. BER
 * indefinite lengths (Windows CAPI output) are normalised first; the test
 * suite cross-checks the result against pkijs. The signed attributes are
 * copied (re-tagged) into `into(length)`, fresh memory by default.
 * @throws Error describing the structural problem, or several SignerInfos without `choose` (callers wrap it).
 */
export function parseCmsSignedData(input: Uint8Array, into: (length: number) => Uint8Array = freshBytes, choose?: SignerChoice): CmsSignedData {
  try {
    return parseDer(input, into, choose);
  } catch (err) {
    // Only BER input pays for the rewrite; DER (and garbage) is walked once.
    if (!(err instanceof DerError)) throw err;
    const normalised = definiteLengths(input);
    if (normalised === input) throw err;
    return parseDer(normalised, into, choose);
  }
}

function parseDer(der: Uint8Array, into: (length: number) => Uint8Array, choose: SignerChoice | undefined): CmsSignedData {
  // Walked with cursors (one per level, moving from child to child): the
  // shape is fixed, and a node object per element was most of what a login
  // allocated. Only the signed attribute values are kept as nodes.
  const info = expectTag(readRoot(der), 0x30, 'ContentInfo');
  const top = new DerCursor(der);
  const type = knownOid(expectTag(top.first(info, 'ContentInfo'), 0x06, 'contentType'));
  if (type !== OID_SIGNED_DATA) throw new Error(`content type ${type} is not SignedData`);
  const wrapped = expectTag(top.next(info, 'ContentInfo'), 0xa0, 'content');
  // The cursor steps into the element it is on (`first` reads the parent's offsets before moving).
  const sd = expectTag(top.first(wrapped, 'content'), 0x30, 'SignedData');
  const field = new DerCursor(der);
  expectTag(field.first(sd, 'SignedData'), 0x02, 'version');
  expectTag(field.next(sd, 'SignedData'), 0x31, 'digestAlgorithms');
  const encap = expectTag(field.next(sd, 'SignedData'), 0x30, 'encapContentInfo');
  const inner = new DerCursor(der);
  const contentType = knownOid(expectTag(inner.first(encap, 'encapContentInfo'), 0x06, 'eContentType'));
  let content: Uint8Array | undefined;
  const eContentEl = inner.next(encap, 'encapContentInfo');
  if (eContentEl !== undefined) {
    const octetsEl = new DerCursor(der).first(expectTag(eContentEl, 0xa0, 'eContent'), 'eContent');
    content = octets(expectTag(octetsEl, octetsEl?.tag === 0x24 ? 0x24 : 0x04, 'eContent'));
  }

  let more = field.next(sd, 'SignedData');
  const certificates: Uint8Array[] = [];
  if (more?.tag === 0xa0) {
    for (let c = inner.first(more, 'certificates'); c !== undefined; c = inner.next(more, 'certificates')) {
      if (c.tag === 0x30) certificates.push(encodingOf(c)); // other CertificateChoices are ignored
    }
    more = field.next(sd, 'SignedData');
  }
  if (more?.tag === 0xa1) more = field.next(sd, 'SignedData'); // CRLs: revocation is checked online
  const signerInfos = expectTag(more, 0x31, 'signerInfos');
  let si = expectTag(new DerCursor(der).first(signerInfos, 'signerInfos'), 0x30, 'SignerInfo');
  let signerCount = 1;
  if (si.end < signerInfos.end) ({ si, signerCount } = chosenSignerInfo(signerInfos, choose));
  const part = new DerCursor(der);
  expectTag(part.first(si, 'SignerInfo'), 0x02, 'SignerInfo version');
  const signer = signerIdOf(part.next(si, 'SignerInfo'), inner);
  const digestOid = algorithmOid(expectTag(part.next(si, 'SignerInfo'), 0x30, 'digestAlgorithm'), inner);
  let next = part.next(si, 'SignerInfo');
  const signedAttributes = new Map<string, DerNode[]>();
  let signedAttributesDer: Uint8Array | undefined;
  if (next?.tag === 0xa0) {
    const attrs = next;
    // What was signed is the SET OF encoding: same bytes, universal SET tag.
    const encoding = encodingOf(attrs);
    signedAttributesDer = into(encoding.length);
    signedAttributesDer.set(encoding);
    signedAttributesDer[0] = 0x31;
    const item = new DerCursor(der);
    const value = new DerCursor(der);
    for (let attr = inner.first(attrs, 'signedAttrs'); attr !== undefined; attr = inner.next(attrs, 'signedAttrs')) {
      expectTag(attr, 0x30, 'Attribute');
      const oid = knownOid(expectTag(item.first(attr, 'Attribute'), 0x06, 'attrType'));
      if (signedAttributes.has(oid)) throw new Error(`signed attribute ${oid} appears twice`);
      signedAttributes.set(oid, valuesOf(expectTag(item.next(attr, 'Attribute'), 0x31, 'attrValues'), value));
    }
    next = part.next(si, 'SignerInfo');
  }
  const signatureAlgorithmOid = algorithmOid(expectTag(next, 0x30, 'signatureAlgorithm'), inner);
  const signature = contentOf(expectTag(part.next(si, 'SignerInfo'), 0x04, 'signature'));
  return {
    contentType,
    content,
    certificates,
    signer,
    digestOid,
    signatureAlgorithmOid,
    signature,
    signedAttributesDer,
    signedAttributes,
    signerCount,
  };
}

/** A SignerInfo's `sid`, read with `cursor` (which moves). */
function signerIdOf(sidEl: DerNode | undefined, cursor: DerCursor): SignerIdentifier {
  if (sidEl?.tag === 0x30) {
    const issuerDer = encodingOf(expectTag(cursor.first(sidEl, 'sid'), 0x30, 'issuer'));
    return { issuerDer, serialHex: integerHexOf(expectTag(cursor.next(sidEl, 'sid'), 0x02, 'serialNumber')) };
  }
  if (sidEl?.tag === 0x80) return { subjectKeyId: bufferOf(sidEl.source).toString('hex', sidEl.contentStart, sidEl.end) };
  throw new Error('unsupported signer identifier');
}

/** Most SignerInfos a CMS may have (a document co-signed by a few cards; beyond it, refused as malformed). */
const MAX_SIGNERS = 16;

/**
 * Of several SignerInfos, the first `choose` picks, else the first (whose
 * signer the caller's own check then refuses, as for a CMS of one signer).
 * Every SignerInfo must at least be one with a readable `sid`.
 */
function chosenSignerInfo(signerInfos: DerNode, choose: SignerChoice | undefined): { si: DerNode; signerCount: number } {
  // Counted before anything is compared: each SignerInfo not chosen still costs a look at its signer, and a forged
  // CMS could carry thousands (every real co-signed document has a few).
  const all: DerNode[] = [];
  const walk = new DerCursor(signerInfos.source);
  for (let el = walk.first(signerInfos, 'signerInfos'); el !== undefined; el = walk.next(signerInfos, 'signerInfos')) {
    if (all.length === MAX_SIGNERS) throw new Error(`more than ${MAX_SIGNERS} signers`);
    all.push(walk.node());
  }
  if (choose === undefined) throw new Error(`expected one signer, found ${all.length}`);
  const cursor = new DerCursor(signerInfos.source);
  const inSid = new DerCursor(signerInfos.source);
  let picked: DerNode | undefined;
  for (const si of all) {
    expectTag(si, 0x30, 'SignerInfo');
    expectTag(cursor.first(si, 'SignerInfo'), 0x02, 'SignerInfo version');
    const sid = signerIdOf(cursor.next(si, 'SignerInfo'), inSid);
    if (picked === undefined && choose(sid)) picked = si;
  }
  return { si: picked ?? (all[0] as DerNode), signerCount: all.length };
}

/** The values of an attribute, read with `cursor` (which moves): nearly always exactly one, kept in a list of one. */
function valuesOf(set: DerNode, cursor: DerCursor): DerNode[] {
  if (cursor.first(set, 'attrValues') === undefined) return [];
  const first = cursor.node();
  return cursor.next(set, 'attrValues') === undefined ? [first] : childrenOf(set, 'attrValues');
}

/** The OID of AlgorithmIdentifier `seq`, read with `cursor` (which moves). */
function algorithmOid(seq: DerNode, cursor: DerCursor): string {
  return knownOid(expectTag(cursor.first(seq, 'AlgorithmIdentifier'), 0x06, 'algorithm'));
}

/** OCTET STRING content; a BER constructed OCTET STRING is concatenated. */
function octets(el: DerNode): Uint8Array {
  if (el.tag === 0x04) return contentOf(el);
  return new Uint8Array(Buffer.concat(childrenOf(el).map((c) => octets(expectTag(c, 0x04, 'OCTET STRING segment')))));
}
