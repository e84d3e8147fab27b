import { DIGEST_NAMES as DIGESTS } from '../../algorithms.js';
import { base64Strict, fromPemOrDer } from '../../../encoding/pem.js';
import { TrustedCertificate } from '../../trusted-certificate.js';
import type { CertificateInput } from '../../trust-store.js';
import { parseCmsSignedData, type CmsSignedData, type SignerIdentifier } from '../../verification/cms-signed-data.js';
import { cmsCertificates, namesSigner, otherCertificates } from '../../verification/cms-signer.js';
import type { DocumentContext } from '../document-context.js';
import { DocumentFormatError } from '../errors.js';
import { MAX_SIGNATURE_INPUT_BYTES, type SignedDocument } from '../signed-document.js';
import { laterSignerInfos, parseWithSignerIds, soleSigner } from './signer-infos.js';

/**
 * Step 1, document format: the signature decodes (PEM, base64 or DER; the
 * CMS structure), the signer certificate is found and its profile read, and
 * a detached CMS has its content. Sets `document`, `certificate`,
 * `intermediates` and `profile`; a PKCS#1 document also sets `digest` and
 * `scheme`, since only its caller knows them.
 */
export function decodeDocument(ctx: DocumentContext, input: SignedDocument): void {
  if (typeof input !== 'object' || input === null || (input.format !== 'cms' && input.format !== 'pkcs1')) {
    throw new DocumentFormatError('DOCUMENT_MALFORMED', 'the document must be { format: "cms" | "pkcs1", … }');
  }
  const signature = input.signature as unknown;
  if (typeof signature !== 'string' && !(signature instanceof Uint8Array)) {
    throw new DocumentFormatError('DOCUMENT_MALFORMED', '"signature" must be bytes or text');
  }
  if (signature.length > MAX_SIGNATURE_INPUT_BYTES) {
    throw new DocumentFormatError('DOCUMENT_MALFORMED', `"signature" is longer than ${MAX_SIGNATURE_INPUT_BYTES} bytes`);
  }
  const given = input.content === undefined ? undefined : contentBytes(input.content);
  let cert: TrustedCertificate | undefined = input.certificate === undefined ? undefined : certificate(input.certificate);

  if (input.format === 'pkcs1') {
    const digest = input.digest ?? 'SHA-256';
    if (!DIGESTS.includes(digest)) {
      throw new DocumentFormatError('DOCUMENT_MALFORMED', `"digest" ${String(digest).slice(0, 40)} is not a digest name (${DIGESTS.join(', ')})`);
    }
    if (cert === undefined) throw new DocumentFormatError('DOCUMENT_MALFORMED', 'a PKCS#1 signature needs "certificate"');
    if (given === undefined) throw new DocumentFormatError('CONTENT_MISSING', 'a PKCS#1 signature needs "content"');
    let raw: Uint8Array;
    try {
      raw = typeof signature === 'string' ? base64Strict(signature) : signature;
    } catch (err) {
      throw new DocumentFormatError('DOCUMENT_MALFORMED', '"signature" is not base64', { cause: err });
    }
    ctx.document = { format: 'pkcs1', signature: raw, content: given };
    ctx.digest = digest;
    ctx.scheme = 'RSA-PKCS1-v1_5';
  } else {
    cert = decodeCms(ctx, signature, cert, given);
  }
  try {
    ctx.profile = cert.profile();
  } catch (err) {
    throw new DocumentFormatError('DOCUMENT_MALFORMED', `the certificate profile could not be read: ${(err as Error).message}`, { cause: err });
  }
  ctx.certificate = cert;
}

/**
 * The CMS part of step 1; returns the signer certificate. With `certificate` given, the first SignerInfo that
 * names it is read (a document signed by several cards); without it, a CMS of several SignerInfos is read only
 * when they all name one carried certificate (a signer who signed with several digests), else refused
 * `SEVERAL_SIGNERS`. The later SignerInfos naming the signer are parsed only if the earlier ones fail.
 */
function decodeCms(ctx: DocumentContext, signature: Uint8Array | string, known: TrustedCertificate | undefined, given: Uint8Array | undefined): TrustedCertificate {
  let der: Uint8Array;
  let cms: CmsSignedData;
  let sids: readonly SignerIdentifier[] = [];
  try {
    der = fromPemOrDer(signature);
    if (known === undefined) ({ cms, sids } = parseWithSignerIds(der));
    else cms = parseCmsSignedData(der, undefined, (sid) => namesSigner(known, sid));
  } catch (err) {
    throw new DocumentFormatError('DOCUMENT_MALFORMED', `"signature" is not a CMS SignedData: ${(err as Error).message}`, { cause: err });
  }
  const several = cms.signerCount > 1 && known === undefined;
  let carried;
  try {
    carried = cmsCertificates(cms, undefined, known);
  } catch (err) {
    if (several) throw severalSigners(cms);
    throw new DocumentFormatError('DOCUMENT_MALFORMED', 'the CMS carries an undecodable certificate', { cause: err });
  }
  let cert = known ?? carried.signer;
  if (several) {
    cert = soleSigner(carried.signer, sids);
    if (cert === undefined) throw severalSigners(cms);
  }
  if (cert === undefined) {
    throw new DocumentFormatError('DOCUMENT_MALFORMED', 'no signer certificate: the CMS does not carry it and none was given');
  }
  ctx.intermediates = otherCertificates(carried.all, cert);
  const content = cms.content ?? given;
  if (content === undefined) {
    throw new DocumentFormatError('CONTENT_MISSING', 'the signature is detached: pass the signed content');
  }
  ctx.document = { format: 'cms', cms, content, given, later: laterSignerInfos(der, cert, cms.signerCount) };
  return cert;
}

function severalSigners(cms: CmsSignedData): DocumentFormatError {
  return new DocumentFormatError('SEVERAL_SIGNERS', `the CMS has ${cms.signerCount} signers: pass "certificate", the certificate of the signer to verify`);
}

function contentBytes(content: Uint8Array | string): Uint8Array {
  if (typeof content === 'string') return new Uint8Array(Buffer.from(content, 'utf8'));
  if (content instanceof Uint8Array) return content;
  throw new DocumentFormatError('DOCUMENT_MALFORMED', '"content" must be bytes or text');
}

function certificate(input: CertificateInput): TrustedCertificate {
  if (input instanceof TrustedCertificate) return input;
  try {
    return TrustedCertificate.from(input);
  } catch (err) {
    throw new DocumentFormatError('DOCUMENT_MALFORMED', `"certificate" is not a certificate: ${(err as Error).message}`, { cause: err });
  }
}
