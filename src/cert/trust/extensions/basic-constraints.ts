import { contentBytes, expectTag, integerHex, readChildren, readRoot } from '../der/der-reader.js';

/** basicConstraints as the chain rules use it. */
export interface BasicConstraintsValue {
  /** cA. */
  readonly ca: boolean;
  /** pathLenConstraint, when present. */
  readonly pathLength: number | undefined;
}

/** basicConstraints (2.5.29.19). */
export function decodeBasicConstraints(value: Uint8Array): BasicConstraintsValue {
  let ca = false;
  let pathLength: number | undefined;
  for (const item of readChildren(value, expectTag(readRoot(value), 0x30, 'basicConstraints'))) {
    if (item.tag === 0x01) ca = value[item.contentStart] !== 0;
    else if (item.tag === 0x02) pathLength = Number.parseInt(integerHex(contentBytes(value, item)), 16);
  }
  return { ca, pathLength };
}
