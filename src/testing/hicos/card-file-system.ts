/** A node of the virtual card's file tree. */
export interface CardFile {
  /** File identifier. */
  readonly fid: number;
  /** Dedicated file (directory) or elementary (transparent) file. */
  readonly kind: 'DF' | 'EF';
  /** Children of a DF, by FID. */
  readonly children: Map<number, CardFile>;
  /** Content of an EF. */
  content: Uint8Array;
  /** Whether READ BINARY is allowed without further conditions (key EFs are not). */
  readonly readable: boolean;
  /** Parent DF (`undefined` for the root). */
  parent: CardFile | undefined;
}

/** Makes a DF with the given children. */
export function df(fid: number, children: CardFile[]): CardFile {
  const node: CardFile = { fid, kind: 'DF', children: new Map(), content: new Uint8Array(0), readable: false, parent: undefined };
  for (const child of children) {
    child.parent = node;
    node.children.set(child.fid, child);
  }
  return node;
}

/** Makes a transparent EF. */
export function ef(fid: number, content: Uint8Array, readable = true): CardFile {
  return { fid, kind: 'EF', children: new Map(), content, readable, parent: undefined };
}

/**
 * SELECT by FID with the rules the virtual card enforces (a strict reading
 * of ISO 7816-4 P1=00): the root by one of `rootFids` (the card decides which
 * FIDs name its root), or a child of the current DF. Siblings and
 * grandchildren need an explicit path, so the host's APDU counts are honest.
 */
export function resolveSelect(root: CardFile, currentDf: CardFile, fid: number, rootFids: readonly number[]): CardFile | undefined {
  if (rootFids.includes(fid)) return root;
  return currentDf.children.get(fid);
}
