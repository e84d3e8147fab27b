/**
 * ISO/IEC 9797-1 padding method 2 (`80 00…`), the padding SCP03 and the
 * Gen2 PIN block use.
 */
export function padIso9797M2(data: Uint8Array, blockSize = 16): Uint8Array {
  const length = (Math.floor(data.length / blockSize) + 1) * blockSize;
  const out = new Uint8Array(length);
  out.set(data);
  out[data.length] = 0x80;
  return out;
}

/**
 * Removes ISO/IEC 9797-1 method 2 padding.
 * @returns the unpadded data, or `undefined` when the padding is not valid
 */
export function unpadIso9797M2(data: Uint8Array): Uint8Array | undefined {
  for (let i = data.length - 1; i >= 0; i--) {
    const b = data[i]!;
    if (b === 0x80) return data.slice(0, i);
    if (b !== 0x00) return undefined;
  }
  return undefined;
}
