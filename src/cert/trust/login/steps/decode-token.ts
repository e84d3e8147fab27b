import { TrustedCertificate } from '../../trusted-certificate.js';
import { parseCmsSignedData } from '../../verification/cms-signed-data.js';
import { cmsCertificates, otherCertificates } from '../../verification/cms-signer.js';
import { TokenFormatError } from '../errors.js';
import { decodeSignedLoginToken, decodeTokenField } from '../login-token.js';
import { beginTransient, transientBytes } from '../transient-bytes.js';
import type { LoginContext } from './login-context.js';

/**
 * Step 1, token format: JSON shape, base64 fields, and the DER inside them
 * (certificate, CMS structure) all decode. Finds the signer certificate and
 * reads its profile once (the result carries it). Certificates seen before
 * come decoded from the verifier's `CertificateCache` (same bytes, same
 * parse); nothing else is reused. The signature is decoded into the shared
 * transient buffer: see {@link dropTransientBytes}.
 */
export function decodeToken(ctx: LoginContext, input: unknown): void {
  beginTransient();
  const token = decodeSignedLoginToken(input, transientBytes);
  ctx.token = token;
  const cache = ctx.settings.certificates;
  let cert: TrustedCertificate | undefined;
  const certText = token.token.certb64;
  if (certText !== undefined) {
    cert = cache.fromBase64(certText, decodeCertb64);
  }
  if (token.token.signatureType === 'PKCS7') {
    try {
      ctx.cms = parseCmsSignedData(token.signature, transientBytes);
    } catch (err) {
      throw new TokenFormatError(`"signature" is not a CMS SignedData: ${(err as Error).message}`, { cause: err });
    }
    // The usual CMS carries exactly the certificate "certb64" already gave:
    // then there is nothing more to decode or look up.
    const only = ctx.cms.certificates.length === 1 ? ctx.cms.certificates[0] : undefined;
    // `Buffer.compare` takes the views as they are (no Buffer made to call `equals` on).
    if (cert !== undefined && only !== undefined && Buffer.compare(only, cert.der) === 0) {
      ctx.intermediates = [];
    } else {
      let carried;
      try {
        carried = cmsCertificates(ctx.cms, cache, cert);
      } catch (err) {
        throw new TokenFormatError(`the CMS carries an undecodable certificate`, { cause: err });
      }
      const signerCert = cert ?? carried.signer;
      if (signerCert === undefined) {
        throw new TokenFormatError('no signer certificate: neither "certb64" nor one in the CMS');
      }
      cert = signerCert;
      ctx.intermediates = otherCertificates(carried.all, signerCert);
    }
  }
  if (cert === undefined) throw new TokenFormatError('no signer certificate');
  try {
    ctx.profile = cert.profile();
  } catch (err) {
    throw new TokenFormatError(`the certificate profile could not be read: ${(err as Error).message}`, { cause: err });
  }
  ctx.certificate = cert;
}

/** Decodes `certb64` on a certificate-cache miss (one function for every login, not a closure per login). */
function decodeCertb64(text: string): TrustedCertificate {
  const der = decodeTokenField('certb64', text);
  try {
    // A copy of its own: the decoded bytes may share Node's buffer pool.
    return TrustedCertificate.from(der.slice());
  } catch (err) {
    throw new TokenFormatError(`"certb64" is not a certificate: ${(err as Error).message}`, { cause: err });
  }
}

const NO_BYTES = new Uint8Array(0);

/**
 * Drops every view of the token's decoded signature (the token's, the CMS's
 * and the content's): the signature was decoded into a buffer the next login
 * reuses (see `transientBytes`), so once steps 1–4 are done nothing may read
 * it. Called before the login's first await; certificates are decoded from
 * copies and everything else the later steps read is a string or a `Date`.
 */
export function dropTransientBytes(ctx: LoginContext): void {
  const token = ctx.token;
  if (token !== undefined) ctx.token = { token: token.token, signedBytes: token.signedBytes, signature: NO_BYTES };
  ctx.cms = undefined;
  ctx.content = undefined;
}
