import { definiteLengths } from '../../../../shared/der/ber-definite.js';
import type { TrustedCertificate } from '../../trusted-certificate.js';
import { parseCmsSignedData, type CmsSignedData, type SignerIdentifier } from '../../verification/cms-signed-data.js';
import { namesSigner } from '../../verification/cms-signer.js';

/**
 * The `n`-th SignerInfo (`n` ≥ 1, counted from 0) that names the signer, parsed when asked for; `undefined` when
 * fewer name it. The one counted 0 is the document's `cms`, parsed by the format step.
 * @throws Error for a SignerInfo that does not parse (its own fields are read only when it is the one picked).
 */
export type LaterSignerInfo = (n: number) => CmsSignedData | undefined;

/** A CMS whose SignerInfos name its signer once: there is no later one to try. */
export const NO_LATER_SIGNER_INFO: LaterSignerInfo = () => undefined;

/**
 * Parses `der` reading its first SignerInfo, and returns with it every SignerInfo's `sid`, in order.
 * @throws Error from `parseCmsSignedData` (callers wrap it).
 */
export function parseWithSignerIds(der: Uint8Array): { readonly cms: CmsSignedData; readonly sids: readonly SignerIdentifier[] } {
  const seen: SignerIdentifier[] = [];
  // Never picks, so it is called once per SignerInfo. A BER input is parsed a second time after the first walk
  // failed (perhaps after some calls): the last `signerCount` calls are those of the walk that succeeded.
  const cms = parseCmsSignedData(der, undefined, (sid) => {
    seen.push(sid);
    return false;
  });
  return { cms, sids: cms.signerCount === 1 ? [cms.signer] : seen.slice(-cms.signerCount) };
}

/**
 * The certificate every SignerInfo names, when they all name the same one among `carried` (a signer who signed
 * with several digests is one signer); `undefined` otherwise. `first` is the one the first SignerInfo names.
 */
export function soleSigner(first: TrustedCertificate | undefined, sids: readonly SignerIdentifier[]): TrustedCertificate | undefined {
  if (first === undefined) return undefined;
  return sids.every((sid) => namesSigner(first, sid)) ? first : undefined;
}

/**
 * The later SignerInfos of `der` that name `signer`, each parsed on demand with `parseCmsSignedData`'s `choose`.
 * Parsed from definite lengths: a BER input would otherwise be walked twice (the DER walk fails first, perhaps
 * after some calls of `choose`), and counting the calls would then pick the wrong SignerInfo.
 */
export function laterSignerInfos(der: Uint8Array, signer: TrustedCertificate, signerCount: number): LaterSignerInfo {
  if (signerCount < 2) return NO_LATER_SIGNER_INFO;
  let definite: Uint8Array | undefined;
  return (n) => {
    definite ??= definiteLengths(der);
    const walk = { matched: 0, picked: false };
    const cms = parseCmsSignedData(definite, undefined, (sid) => {
      if (!namesSigner(signer, sid) || walk.matched++ < n) return false;
      walk.picked = true;
      return true;
    });
    // Without a pick the parser reads the first SignerInfo, already tried: fewer than n + 1 name the signer.
    return walk.picked ? cms : undefined;
  };
}
