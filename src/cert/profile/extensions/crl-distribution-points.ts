import { childrenOf, contextTag, readRoot } from '../../../shared/der/der-reader.js';
import { sequenceOf } from '../../../shared/der/der-values.js';
import { collectGeneralNames } from './general-names.js';

/** cRLDistributionPoints (2.5.29.31): the URIs of every point's fullName. */
export function decodeCrlDistributionPoints(value: Uint8Array): string[] {
  const urls: string[] = [];
  for (const point of sequenceOf(readRoot(value, 'cRLDistributionPoints'), 'cRLDistributionPoints')) {
    for (const field of sequenceOf(point, 'cRLDistributionPoints DistributionPoint')) {
      if (contextTag(field) !== 0) continue; // reasons [1] and cRLIssuer [2] do not locate a CRL
      for (const name of childrenOf(field, 'cRLDistributionPoints distributionPoint')) {
        // [0] fullName holds GeneralNames; [1] nameRelativeToCRLIssuer has no URL.
        if (contextTag(name) !== 0) continue;
        urls.push(...collectGeneralNames(childrenOf(name, 'cRLDistributionPoints fullName'), 'cRLDistributionPoints').uris);
      }
    }
  }
  return urls;
}
