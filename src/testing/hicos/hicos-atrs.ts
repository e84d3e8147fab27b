import { fromHex } from '../../shared/bytes.js';

/** ATR the virtual Gen1 card answers with ("CHTMOICA"). */
export const GEN1_ATR: Uint8Array = fromHex('3B B8 13 00 81 31 FA 52 43 48 54 4D 4F 49 43 41 A5');

/** ATR the virtual Gen2 card answers with ("CHTGPKIJ"). */
export const GEN2_ATR: Uint8Array = fromHex('3B D8 96 00 81 B1 FE 45 1F 07 43 48 54 47 50 4B 49 4A DD');
