import type { CertificateProfile } from '../../profile/index.js';
import type { CmsSignedAttributes } from '../verification/cms-signed-attributes.js';
import type { CmsSignedData } from '../verification/cms-signed-data.js';
import type { SignerContext, SignerSettings } from '../verification/signer-context.js';
import type { LaterSignerInfo } from './steps/signer-infos.js';

/** The signed-document verifier's fixed configuration, as its steps see it. */
export interface DocumentSettings extends SignerSettings {
  /** SHA-1 is accepted for signatures claimed at or before this instant; `undefined`: never. */
  readonly sha1Until: Date | undefined;
}

/**
 * The decoded input, as the steps after `document-format` see it. For a CMS, `cms` is the SignerInfo being tried
 * and `later` gives the others that name the same signer (tried when an earlier one fails).
 */
export type DecodedDocument =
  | {
      readonly format: 'cms';
      readonly cms: CmsSignedData;
      readonly content: Uint8Array;
      readonly given: Uint8Array | undefined;
      readonly later: LaterSignerInfo;
    }
  | { readonly format: 'pkcs1'; readonly signature: Uint8Array; readonly content: Uint8Array };

/** What the steps learn, in order. */
export interface DocumentContext extends SignerContext {
  readonly settings: DocumentSettings;
  document?: DecodedDocument;
  profile?: CertificateProfile;
  /** The CMS signed attributes (read, then verified by the signature step). */
  attributes?: CmsSignedAttributes;
}
