import type { DigestName } from '../algorithms.js';
import type { CertificateInput } from '../trust-store.js';

/**
 * A CMS/PKCS#7 SignedData as the official component or older middleware
 * writes it: one signer, content attached or detached, with signed
 * attributes (SHA-256, the component) or without (SHA-1, legacy). A CMS
 * signed by several is verified for the signer whose `certificate` is given.
 */
export interface CmsSignedDocument {
  /** Discriminator. */
  readonly format: 'cms';
  /** The SignedData: DER (BER indefinite lengths accepted), PEM, or base64 text. */
  readonly signature: Uint8Array | string;
  /** The content, for a detached signature (a string is taken as its UTF-8 bytes); must equal attached content when both exist. */
  readonly content?: Uint8Array | string;
  /**
   * The signer certificate, when the CMS does not carry it; with several signers, the one whose signature is
   * verified (without it such a CMS is refused with `SEVERAL_SIGNERS`, unless every SignerInfo names the same
   * carried certificate: one signer who signed with several digests).
   */
  readonly certificate?: CertificateInput;
}

/** A raw PKCS#1 v1.5 signature over a document, with the signer certificate. */
export interface Pkcs1SignedDocument {
  /** Discriminator. */
  readonly format: 'pkcs1';
  /** The signature: raw bytes, or base64 text. */
  readonly signature: Uint8Array | string;
  /** The signer certificate: DER, PEM or base64. */
  readonly certificate: CertificateInput;
  /** The signed content (a string is taken as its UTF-8 bytes). */
  readonly content: Uint8Array | string;
  /** The digest the signer used; default SHA-256. */
  readonly digest?: DigestName;
}

/** What {@link SignedDocumentVerifier.verify} takes. */
export type SignedDocument = CmsSignedDocument | Pkcs1SignedDocument;

/** Largest signature input (CMS or PKCS#1, bytes or characters): far beyond a one-signer CMS with its chain. */
export const MAX_SIGNATURE_INPUT_BYTES = 1 << 20;
