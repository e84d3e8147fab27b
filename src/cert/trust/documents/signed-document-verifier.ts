import { createHash } from 'node:crypto';
import { describeValue } from '../../../shared/describe-value.js';
import type { CertificateProfile } from '../../profile/index.js';
import type { DigestName } from '../algorithms.js';
import type { RevocationStatus } from '../revocation/revocation-status.js';
import { need } from '../verification/signer-context.js';
import { checkCertificateValidity } from '../verification/steps/check-certificate-validity.js';
import { checkChain } from '../verification/steps/check-chain.js';
import { checkKeyUsage } from '../verification/steps/check-key-usage.js';
import { checkPolicy } from '../verification/steps/check-policy.js';
import { checkRevocation } from '../verification/steps/check-revocation.js';
import type { DocumentContext, DocumentSettings } from './document-context.js';
import type { SignedDocument } from './signed-document.js';
import { checkSignerInfos } from './steps/check-signer-infos.js';
import { decodeDocument } from './steps/decode-document.js';
import { describeTime, isInstant } from '../instant.js';
import { clockTime } from '../verification/clock-time.js';
import { VerifierConfigurationError } from '../verification/errors.js';

/** A signature that passed every step. */
export interface VerifiedDocument {
  /** The signer certificate's typed profile (authority, names, identity hints, serial…). */
  readonly profile: CertificateProfile;
  /** The signer certificate, DER. */
  readonly certificate: Uint8Array;
  /** The validated path, signer first, anchor last, DER. */
  readonly chain: readonly Uint8Array[];
  /** `cms` or `pkcs1`, as given. */
  readonly format: 'cms' | 'pkcs1';
  /** The signature's digest. */
  readonly digest: DigestName;
  /** Whether the CMS had signed attributes (false for PKCS#1 and the legacy CMS shape). */
  readonly signedAttributes: boolean;
  /**
   * How many SignerInfos the CMS has (1 for PKCS#1), whoever they name. Only the signer's are tried (the given
   * `certificate`'s, or the one certificate they all name), and only the first that verifies is reported: a
   * signer who signed with two digests counts 2. Other signers' signatures are not checked, so a document that
   * claims co-signers needs one call per signer.
   */
  readonly signerCount: number;
  /** Card number from the signed attribute 2.16.886.1.100.2.204, when carried. */
  readonly cardNumber: string | undefined;
  /** The signed signingTime attribute, when carried (the signer's clock). */
  readonly signedAt: Date | undefined;
  /** The signed content (attached, or as given). */
  readonly content: Uint8Array;
  /** SHA-256 of the content, lower-case hex, whatever digest the signature used. */
  readonly contentSha256: string;
  /** The time the certificate checks were made at. */
  readonly verifiedAt: Date;
  /** The revocation answer, or `undefined` when checking was disabled. */
  readonly revocation: RevocationStatus | undefined;
}

/** Per-call inputs of {@link SignedDocumentVerifier.verify}. */
export interface DocumentVerificationRequest {
  /**
   * The time to judge the certificate (validity, chain, revocation) and the
   * SHA-1 cut-off at; default the verifier's clock. Pass when a document
   * was received for archived data.
   */
  readonly at?: Date;
}

/**
 * Verifies signatures made by other software — the official component's
 * PKCS#7 (attached or detached, SHA-256 with signed attributes), older
 * middleware's (SHA-1, no signed attributes), and PKCS#1 v1.5 over a
 * document. Built by `SignedDocumentVerifierBuilder`, with the same fixed
 * configuration as the login verifier.
 *
 * Steps, in this order, each failing with its own error class and code
 * (steps 2–8 are the login verifier's):
 * 1. document format (`DocumentFormatError`) — PEM/base64/DER, CMS structure,
 *    signer certificate, content present;
 * 2. algorithm allow-list (`AlgorithmNotAllowedError`) — SHA-1 only by
 *    option and before its cut-off;
 * 3. signature (`SignatureInvalidError`) — steps 2 and 3 run for each
 *    SignerInfo naming the signer (one per digest, for some middleware)
 *    until one passes both; none: the first one's error;
 * 4. certificate validity (`CertificateExpiredError`);
 * 5. chain to the anchors (`CertificateUntrustedError`);
 * 6. key usage (`WrongKeyUsageError`) — an end-entity certificate with
 *    digitalSignature and, when it has an extendedKeyUsage, an accepted
 *    purpose;
 * 7. allowed policy (`PolicyNotAllowedError`);
 * 8. revocation (`CertificateRevokedError`) — last, the only step that may
 *    ask the network: a certificate that cannot sign here costs no request.
 */
export class SignedDocumentVerifier {
  /** @internal use `SignedDocumentVerifierBuilder`. */
  public constructor(private readonly settings: DocumentSettings) {}

  /**
   * Runs every step on `document`.
   * @throws SignatureVerificationError subclass of the first failed step; `VerifierConfigurationError`
   * `INVALID_CONFIGURATION`, before any step, for a `request` that is not an object or an `at` that is not a valid Date.
   */
  public async verify(document: SignedDocument, request: DocumentVerificationRequest = {}): Promise<VerifiedDocument> {
    if (typeof request !== 'object' || request === null) {
      throw new VerifierConfigurationError('INVALID_CONFIGURATION', `verify: request must be { at? } or left out, not ${describeValue(request)}`);
    }
    const present = clockTime(this.settings.now());
    const at: unknown = request.at;
    if (at !== undefined && !isInstant(at)) {
      throw new VerifierConfigurationError('INVALID_CONFIGURATION', `at must be a valid Date, not ${describeTime(at)}: refusing to verify at no time`);
    }
    const ctx: DocumentContext = { settings: this.settings, at: at ?? present, present };
    decodeDocument(ctx, document);
    checkSignerInfos(ctx);
    checkCertificateValidity(ctx);
    checkChain(ctx);
    checkKeyUsage(ctx);
    checkPolicy(ctx);
    // Last: the only step that may ask the network. Answered without a promise when revocation is warm (see the step).
    const revocation = checkRevocation(ctx);
    if (revocation !== undefined) await revocation;

    const decoded = need(ctx, 'document');
    return {
      profile: need(ctx, 'profile'),
      certificate: need(ctx, 'certificate').der,
      chain: need(ctx, 'chain').path.map((c) => c.der),
      format: decoded.format,
      digest: need(ctx, 'digest'),
      signedAttributes: ctx.attributes !== undefined,
      signerCount: decoded.format === 'cms' ? decoded.cms.signerCount : 1,
      cardNumber: ctx.attributes?.cardNumber,
      signedAt: ctx.attributes?.signingTime,
      content: decoded.content,
      contentSha256: createHash('sha256').update(decoded.content).digest('hex'),
      verifiedAt: ctx.at,
      revocation: ctx.revocationStatus,
    };
  }
}
