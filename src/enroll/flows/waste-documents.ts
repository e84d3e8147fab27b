/**
 * 掃描上傳: the stamped 申請書 and the 公司營利事業登記証影本, with size and type
 * limits (the type is read from the file's first bytes, never from its name),
 * a SHA-256 of the content, stored with the application for the reviewer.
 */
import { createHash } from 'node:crypto';
import { parseActor, type Actor } from '../domain/actor.js';
import { parseRequiredText } from '../domain/identifiers.js';
import { EnrollError, IssueCollector } from '../errors.js';
import type { SqlSession } from '../store/store.js';
import { WASTE_COMMANDS, authorize } from './authorization.js';
import {
  WASTE_DOCUMENT_LABELS,
  documentContent,
  documentInfos,
  putDocument,
  readApplication,
  type WasteApplication,
  type WasteDocument,
  type WasteDocumentInfo,
  type WasteDocumentKind,
  type WasteDocumentMediaType,
} from './waste-records.js';
import { guardWaste, parseActorAndId, parseApplicationId, transition, type DocumentLimits, type WasteSystemOptions } from './waste-shared.js';

/** An upload as the page receives it. */
export interface DocumentUpload {
  /** Which document this is. */
  readonly kind: WasteDocumentKind;
  /** The file's bytes. */
  readonly content: Uint8Array;
  /** The name the file had on the company's computer, for the reviewer's display only. */
  readonly fileName?: string;
}

const KINDS: readonly WasteDocumentKind[] = ['applicationForm', 'businessRegistration'];
const ALL_TYPES: readonly WasteDocumentMediaType[] = ['application/pdf', 'image/jpeg', 'image/png'];
const DEFAULT_MAX_BYTES = 10 * 1024 * 1024;
// Anything larger does not fit comfortably in one bytea value and one request.
const HARD_MAX_BYTES = 100 * 1024 * 1024;

/** Resolved upload limits. */
export interface ResolvedLimits {
  /** Largest file in bytes. */
  readonly maxBytes: number;
  /** Accepted types. */
  readonly mediaTypes: readonly WasteDocumentMediaType[];
}

/** Applies defaults; RangeError for limits no deployment can mean. */
export function resolveLimits(limits: DocumentLimits | undefined): ResolvedLimits {
  const maxBytes = limits?.maxBytes ?? DEFAULT_MAX_BYTES;
  if (!Number.isInteger(maxBytes) || maxBytes < 1 || maxBytes > HARD_MAX_BYTES) throw new RangeError(`documents.maxBytes must be an integer from 1 to ${HARD_MAX_BYTES}`);
  const mediaTypes = limits?.mediaTypes ?? ALL_TYPES;
  if (mediaTypes.length === 0 || !mediaTypes.every((t) => ALL_TYPES.includes(t))) throw new RangeError(`documents.mediaTypes must be a non-empty subset of ${ALL_TYPES.join(', ')}`);
  return { maxBytes, mediaTypes };
}

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return bytes.length >= prefix.length && prefix.every((b, i) => bytes[i] === b);
}

/** The media type the content's signature shows (PDF `%PDF-`, JPEG `FF D8 FF`, PNG's 8-byte signature), or `undefined`. */
export function sniffMediaType(bytes: Uint8Array): WasteDocumentMediaType | undefined {
  if (startsWith(bytes, [0x25, 0x50, 0x44, 0x46, 0x2d])) return 'application/pdf';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  return undefined;
}

function parseKind(value: unknown, field: string, issues: IssueCollector): WasteDocumentKind | undefined {
  if (typeof value === 'string' && (KINDS as readonly string[]).includes(value)) return value as WasteDocumentKind;
  issues.add(field, 'NOT_AN_OPTION', `must be one of ${KINDS.join(', ')} (${KINDS.map((k) => WASTE_DOCUMENT_LABELS[k]).join(' / ')})`);
  return undefined;
}

function parseUpload(value: unknown, limits: ResolvedLimits, issues: IssueCollector): Omit<WasteDocument, 'uploadedAt'> | undefined {
  const v = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const kind = parseKind(v.kind, 'document.kind', issues);
  let fileName: string | undefined;
  if (v.fileName !== undefined) fileName = issues.take(() => parseRequiredText(v.fileName, 'document.fileName', 255));
  const content = v.content;
  let mediaType: WasteDocumentMediaType | undefined;
  if (!(content instanceof Uint8Array)) issues.add('document.content', 'INVALID_FORMAT', 'must be the file bytes (Uint8Array)');
  else if (content.length === 0) issues.add('document.content', 'FILE_EMPTY', 'the file is empty');
  else if (content.length > limits.maxBytes) issues.add('document.content', 'FILE_TOO_LARGE', `檔案大小 ${content.length} bytes 超過上限 ${limits.maxBytes} bytes`);
  else {
    mediaType = sniffMediaType(content);
    if (mediaType === undefined || !limits.mediaTypes.includes(mediaType)) {
      issues.add('document.content', 'FILE_TYPE', `檔案格式須為 ${limits.mediaTypes.join(', ')} (told by the content, not the file name)`);
      mediaType = undefined;
    }
  }
  if (kind === undefined || mediaType === undefined || !(content instanceof Uint8Array)) return undefined;
  return {
    kind,
    mediaType,
    size: content.length,
    sha256: createHash('sha256').update(content).digest('hex'),
    ...(fileName === undefined ? {} : { fileName }),
    // A copy: the caller may reuse its buffer after the call.
    content: new Uint8Array(content),
  };
}

/** Uploads (or replaces) one document while the application awaits its documents. */
export async function uploadDocument(
  o: WasteSystemOptions,
  limits: ResolvedLimits,
  applicationId: string,
  upload: DocumentUpload,
  actor: Actor,
): Promise<WasteDocumentInfo> {
  const issues = new IssueCollector();
  const who = issues.take(() => parseActor(actor));
  const id = issues.take(() => parseApplicationId(applicationId));
  const doc = parseUpload(upload, limits, issues);
  issues.throwIfAny();
  const d = doc as Omit<WasteDocument, 'uploadedAt'>;
  return guardWaste(o, () =>
    o.store.transaction(async (tx) => {
      let stored: WasteDocumentInfo | undefined;
      await transition(o, tx, id as string, {
        command: 'uploadDocument',
        event: 'uploadDocument',
        to: 'awaitingDocuments',
        who: who as Actor,
        apply: async (_app, at) => {
          stored = await putDocument(tx, id as string, { ...d, uploadedAt: at }, (who as Actor).id);
          return `${d.kind} ${d.mediaType} ${d.size} bytes sha256=${d.sha256}`;
        },
      });
      return stored as WasteDocumentInfo;
    }),
  );
}

/** 送出審核: both documents uploaded ⇒ `underReview`; otherwise DOCUMENTS_MISSING naming what is missing. */
export async function submitForReview(o: WasteSystemOptions, applicationId: string, actor: Actor): Promise<WasteApplication> {
  const { who, id } = parseActorAndId(actor, applicationId);
  return guardWaste(o, () =>
    o.store.transaction((tx) =>
      transition(o, tx, id, {
        command: 'submitForReview',
        event: 'submitForReview',
        to: 'underReview',
        who,
        apply: async () => {
          const have = new Set((await documentInfos(tx, id)).map((d) => d.kind));
          const missing = (['applicationForm', 'businessRegistration'] as const).filter((k) => !have.has(k));
          if (missing.length > 0) throw new EnrollError('DOCUMENTS_MISSING', `請上傳${missing.map((k) => WASTE_DOCUMENT_LABELS[k]).join('及')}`);
          return undefined;
        },
      }),
    ),
  );
}

/** Reads an application for its applicant or a reviewer (FORBIDDEN otherwise, NOT_FOUND when absent). */
export async function readFor(tx: SqlSession, id: string, who: Actor): Promise<WasteApplication> {
  const found = await readApplication(tx, id);
  authorize(WASTE_COMMANDS, 'readApplication', who, { subject: id, state: found?.record.status ?? 'none', owner: found?.owner ?? null });
  if (found === undefined) throw new EnrollError('NOT_FOUND', `no waste-system application ${id}`);
  return found.record;
}

/** The application's documents without content. */
export async function listDocuments(o: WasteSystemOptions, applicationId: string, actor: Actor): Promise<WasteDocumentInfo[]> {
  const { who, id } = parseActorAndId(actor, applicationId);
  return guardWaste(o, () =>
    o.store.transaction(async (tx) => {
      await readFor(tx, id, who);
      return documentInfos(tx, id);
    }),
  );
}

/** One document with its bytes, for the reviewer (or the applicant); NOT_FOUND when not uploaded. */
export async function getDocument(o: WasteSystemOptions, applicationId: string, kind: WasteDocumentKind, actor: Actor): Promise<WasteDocument> {
  const issues = new IssueCollector();
  const who = issues.take(() => parseActor(actor));
  const id = issues.take(() => parseApplicationId(applicationId));
  const k = parseKind(kind, 'kind', issues);
  issues.throwIfAny();
  return guardWaste(o, () =>
    o.store.transaction(async (tx) => {
      await readFor(tx, id as string, who as Actor);
      const doc = await documentContent(tx, id as string, k as WasteDocumentKind);
      if (doc === undefined) throw new EnrollError('NOT_FOUND', `${WASTE_DOCUMENT_LABELS[k as WasteDocumentKind]} has not been uploaded`);
      return doc;
    }),
  );
}
