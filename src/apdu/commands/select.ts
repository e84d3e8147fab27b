import { CommandApdu } from '../../pcsc/command-apdu.js';
import type { HiCOSGeneration } from '../generation.js';
import { type FileId, fileIdBytes, HiCOSFile } from './file-id.js';

/** AID of the Gen2 "GPPKI" applet. */
export const GEN2_APPLET_AID: Uint8Array = Uint8Array.of(
  0xa0, 0x00, 0x00, 0x02, 0x83, 0x00, 0x00, 0x06, 0x22, 0x01, 0x69, 0x64, 0x00, 0x01, 0x01, 0x01,
);

/** `00 A4 04 0C 10 <applet AID> 00`: Gen2 applet selection, as the middleware sends it. */
export function selectGen2Applet(): CommandApdu {
  return new CommandApdu({ cla: 0x00, ins: 0xa4, p1: 0x04, p2: 0x0c, data: GEN2_APPLET_AID, le: 256 });
}

/** `00 A4 04 00 <len> <AID> 00`: select an application (ISD / ISD-CM) by AID. */
export function selectAid(aid: Uint8Array): CommandApdu {
  return new CommandApdu({ cla: 0x00, ins: 0xa4, p1: 0x04, p2: 0x00, data: aid, le: 256 });
}

/**
 * Selects a file by identifier: Gen1 `80 A4 00 00 02 <FID>` (no FCP),
 * Gen2 `00 A4 00 04 02 <FID> 00`. `9000` and `62xx` both mean selected.
 */
export function selectFile(generation: HiCOSGeneration, fid: FileId): CommandApdu {
  if (generation === 1) return new CommandApdu({ cla: 0x80, ins: 0xa4, p1: 0, p2: 0, data: fileIdBytes(fid) });
  return new CommandApdu({ cla: 0x00, ins: 0xa4, p1: 0, p2: 0x04, data: fileIdBytes(fid), le: 256 });
}

/** SELECT MF with a given class byte (Gen1 detection uses `80`, then `00`). */
export function selectMf(cla: 0x80 | 0x00): CommandApdu {
  return new CommandApdu({ cla, ins: 0xa4, p1: 0, p2: 0, data: fileIdBytes(HiCOSFile.MF) });
}
