import { contentBytes, decodeOid, expectTag, readChildren, readRoot } from '../der/der-reader.js';

const OID_AD_OCSP = '1.3.6.1.5.5.7.48.1';
/** GeneralName uniformResourceIdentifier [6] IMPLICIT IA5String. */
const URI_TAG = 0x86;

function text(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('latin1');
}

/** authorityInfoAccess (1.3.6.1.5.5.7.1.1): the OCSP responder URLs. */
export function decodeOcspUrls(value: Uint8Array): string[] {
  const urls: string[] = [];
  for (const ad of readChildren(value, expectTag(readRoot(value), 0x30, 'authorityInfoAccess'))) {
    const [method, location] = readChildren(value, expectTag(ad, 0x30, 'AccessDescription'));
    const m = decodeOid(contentBytes(value, expectTag(method, 0x06, 'accessMethod')));
    if (m === OID_AD_OCSP && location?.tag === URI_TAG) urls.push(text(contentBytes(value, location)));
  }
  return urls;
}

/** cRLDistributionPoints (2.5.29.31): URLs of full-name distribution points. */
export function decodeCrlUrls(value: Uint8Array): string[] {
  const urls: string[] = [];
  for (const dp of readChildren(value, expectTag(readRoot(value), 0x30, 'cRLDistributionPoints'))) {
    const dpName = readChildren(value, expectTag(dp, 0x30, 'DistributionPoint')).find((c) => c.tag === 0xa0);
    const fullName = dpName && readChildren(value, dpName).find((c) => c.tag === 0xa0);
    if (fullName === undefined) continue;
    for (const gn of readChildren(value, fullName)) if (gn.tag === URI_TAG) urls.push(text(contentBytes(value, gn)));
  }
  return urls;
}
