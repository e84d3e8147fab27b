import { readFile, stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import {
  compareWithEms,
  defineFieldSet,
  DEFAULT_FIELDS,
  EmsError,
  identify,
  parsePolicy,
  renderResultHtml,
  renderResultText,
  resultToJson,
  type FieldSet,
  type IdentifierKind,
} from '../../ems/index.js';
import { UsageError, writeJson, writeLines, type CliCommand } from '../command.js';

// Applicant/record files are a handful of short strings; anything bigger is
// a mistake, and reading it whole would be the cost of that mistake.
const MAX_INPUT_FILE_BYTES = 1024 * 1024;

async function readJsonFile(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new UsageError(`${what} ${path} is not a file`);
    if (info.size > MAX_INPUT_FILE_BYTES) {
      throw new UsageError(`${what} ${path} is ${info.size} bytes; the limit is ${MAX_INPUT_FILE_BYTES}`);
    }
    text = await readFile(path, 'utf8');
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`cannot read ${what} ${path}: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new UsageError(`${what} ${path} is not valid JSON: ${(err as Error).message}`);
  }
}

// Malformed applicant or record data is bad input (exit 2), not a failed
// comparison (exit 1), so EMS input errors become usage errors.
function asUsageError(err: unknown): unknown {
  return err instanceof EmsError ? new UsageError(`${err.code}: ${err.message}`) : err;
}

/**
 * `twpki ems compare --applicant A.json --record R.json [--policy strict|normalized]
 * [--fields F.json] [--html] [--json]`: compares an application with its EMS record.
 * Exit 0 when the verdict is pass, 1 when fail, 2 on bad input.
 */
export const emsCompareCommand: CliCommand = {
  name: 'ems compare',
  summary: 'compare an application with its EMS basic-data record (✓/✗ per field)',
  usage: [
    'twpki ems compare --applicant A.json --record R.json [--policy strict|normalized] [--fields F.json] [--html] [--json]',
    '',
    'A.json and R.json are objects keyed by field (controlNumber, companyName, responsiblePerson,',
    'facilityAddress, facilityEmail, mailingAddress, contactName, contactEmail). --policy strict (default)',
    'requires an exact match after trimming; normalized forgives formatting (全形/半形, 台/臺, 3F/3樓, …).',
    '--fields replaces the field set with a JSON array of {key, labelZh, labelEn, compared, kind}.',
    'Prints the ✓/✗ list (text, or an HTML fragment with --html), or {pass, policy, fields} with --json.',
    'Exit status: 0 pass, 1 fail, 2 bad input.',
  ].join('\n'),
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      options: {
        applicant: { type: 'string' },
        record: { type: 'string' },
        policy: { type: 'string' },
        fields: { type: 'string' },
        html: { type: 'boolean' },
        json: { type: 'boolean' },
      },
      strict: true,
      allowPositionals: true,
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    if (values.applicant === undefined || values.record === undefined) {
      throw new UsageError('both --applicant FILE and --record FILE are required');
    }
    try {
      const policy = parsePolicy(values.policy ?? 'strict');
      const fields: FieldSet =
        values.fields === undefined ? DEFAULT_FIELDS : defineFieldSet(await readJsonFile(values.fields, 'field set'));
      const applicant = await readJsonFile(values.applicant, 'applicant file');
      const record = await readJsonFile(values.record, 'record file');
      const result = compareWithEms(applicant, record, { policy, fields });
      // The operator holds both files, so EMS's side of each difference is shown.
      const render = { showRecordValues: true };
      if (values.json) writeJson(io, resultToJson(result, render));
      else io.stdout.write(values.html ? renderResultHtml(result, render) : renderResultText(result, render));
      return result.pass ? 0 : 1;
    } catch (err) {
      throw asUsageError(err);
    }
  },
};

const KIND_LABELS: Readonly<Record<IdentifierKind, string>> = {
  controlNumber: '管制編號 (EMS control number)',
  businessId: '統一編號 (business ID)',
  nationalId: '身分證字號 (national ID)',
  residentId: '居留證號 (resident certificate number)',
  cardNumber: '自然人憑證卡號 (citizen card number)',
  email: 'e-mail',
  unknown: 'unknown',
};

/**
 * `twpki id check VALUE [--legacy-business-id-rule] [--json]`: tells which Taiwan
 * identifier VALUE is and whether it is valid. Exit 0 valid, 1 not.
 */
export const idCheckCommand: CliCommand = {
  name: 'id check',
  summary: 'identify and validate a 管制編號, 統一編號, 身分證字號, resident number, card number or e-mail',
  usage: [
    'twpki id check VALUE [--legacy-business-id-rule] [--json]',
    '',
    'Tells which identifier VALUE is (controlNumber, businessId, nationalId, residentId, cardNumber,',
    'email, unknown) and whether it is valid, and why not. --legacy-business-id-rule checks 統一編號',
    'with the pre-2023 divisible-by-10 rule. --json prints {value, kind, valid, reason}.',
    'Exit status: 0 valid, 1 invalid, 2 usage error.',
  ].join('\n'),
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      options: {
        'legacy-business-id-rule': { type: 'boolean' },
        json: { type: 'boolean' },
      },
      strict: true,
      allowPositionals: true,
    });
    if (positionals.length !== 1) throw new UsageError('give exactly one VALUE to check');
    const result = identify(positionals[0], {
      businessIdRule: values['legacy-business-id-rule'] ? 'legacy' : 'current',
    });
    if (values.json) {
      writeJson(io, { value: result.value, kind: result.kind, valid: result.valid, reason: result.reason });
    } else {
      const verdict = result.valid ? 'valid' : `invalid: ${result.reason ?? ''} (${result.message ?? ''})`;
      writeLines(io, `${result.value}\t${KIND_LABELS[result.kind]}\t${verdict}`);
    }
    return result.valid ? 0 : 1;
  },
};
