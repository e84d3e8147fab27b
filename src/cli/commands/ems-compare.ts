import {
  COMPARISON_POLICIES,
  compareWithEms,
  defineFieldSet,
  DEFAULT_FIELDS,
  EmsError,
  parsePolicy,
  renderResultHtml,
  renderResultText,
  resultToJson,
  type FieldSet,
} from '../../ems/index.js';
import { UsageError, couldBePin, inputFailure, writeJson, type CliCommand, parseCommandArgs } from '../command.js';
import { readJsonFile } from '../json-input.js';

const PREFIX = 'twpki ems compare';

const USAGE = [
  'twpki ems compare --applicant A.json --record R.json [--policy strict|normalized] [--fields F.json] [--html] [--json]',
  '',
  'A.json and R.json are objects keyed by field (controlNumber, companyName, responsiblePerson,',
  'facilityAddress, facilityEmail, mailingAddress, contactName, contactEmail). --policy strict (default)',
  'requires an exact match after trimming; normalized forgives formatting (全形/半形, 台/臺, 3F/3樓, …).',
  '--fields replaces the field set with a JSON array of {key, labelZh, labelEn, compared, kind}.',
  'Prints the ✓/✗ list (text, or an HTML fragment with --html), or {pass, policy, fields} with --json.',
  'Exit status: 0 pass, 1 fail, 2 bad input, 5 no verdict (the comparison itself failed).',
].join('\n');

/**
 * `twpki ems compare --applicant A.json --record R.json [--policy strict|normalized]
 * [--fields F.json] [--html] [--json]`: compares an application with its EMS record.
 * Exit 0 when the verdict is pass, 1 when fail, 2 on bad input, 5 when no verdict was reached.
 */
export const emsCompareCommand: CliCommand = {
  exits: 'verdict',
  name: 'ems compare',
  summary: 'compare an application with its EMS basic-data record (✓/✗ per field)',
  usage: USAGE,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(USAGE, {
      args,
      options: {
        applicant: { type: 'string' },
        record: { type: 'string' },
        policy: { type: 'string' },
        fields: { type: 'string' },
        html: { type: 'boolean' },
        json: { type: 'boolean' },
      },
      allowPositionals: true,
    });
    // The stray argument is not quoted: whatever it is, a CLI error never repeats a positional (it could be a PIN).
    if (positionals.length > 0) throw new UsageError('ems compare takes no positional arguments (not repeated here): give the files with --applicant FILE and --record FILE');
    if (values.applicant === undefined || values.record === undefined) {
      throw new UsageError('both --applicant FILE and --record FILE are required');
    }
    try {
      const policy = parsePolicy(values.policy ?? 'strict');
      const inputs = await Promise.all([
        values.fields === undefined ? undefined : readJsonFile(values.fields, 'field set'),
        readJsonFile(values.applicant, 'applicant file'),
        readJsonFile(values.record, 'record file'),
      ]);
      for (const input of inputs) if (input !== undefined && !input.ok) return inputFailure(io, values.json === true, PREFIX, input.failure);
      const [fieldsFile, applicant, record] = inputs.map((input) => (input?.ok === true ? input.value : undefined));
      const fields: FieldSet = fieldsFile === undefined ? DEFAULT_FIELDS : defineFieldSet(fieldsFile);
      const result = compareWithEms(applicant, record, { policy, fields });
      // The operator holds both files, so EMS's side of each difference is shown.
      const render = { showRecordValues: true };
      if (values.json) writeJson(io, resultToJson(result, render));
      else io.stdout.write(values.html ? renderResultHtml(result, render) : renderResultText(result, render));
      return result.pass ? 0 : 1;
    } catch (err) {
      // Malformed applicant or record data is bad input (exit 2) with the comparator's own code
      // (MISSING_FIELD, UNKNOWN_POLICY, …), not a failed comparison (exit 1).
      // parsePolicy quotes the name it refuses: not when it could be a PIN typed after --policy.
      if (err instanceof EmsError && err.code === 'UNKNOWN_POLICY' && values.policy !== undefined && couldBePin(values.policy)) {
        return inputFailure(io, values.json === true, PREFIX, err, `--policy: unknown comparison policy (not repeated here: it could be a PIN); use ${COMPARISON_POLICIES.join(' or ')}`);
      }
      if (err instanceof EmsError) return inputFailure(io, values.json === true, PREFIX, err);
      throw err;
    }
  },
};
