import { identify, type IdentifierKind } from '../../ems/index.js';
import { defaultMessages } from '../../messages/catalogue.js';
import { languageFromLocale } from '../../messages/language.js';
import { UsageError, writeJson, writeLines, type CliCommand, parseCommandArgs } from '../command.js';

const KIND_LABELS: Readonly<Record<IdentifierKind, string>> = {
  controlNumber: '管制編號 (EMS control number)',
  businessId: '統一編號 (business ID)',
  nationalId: '身分證字號 (national ID)',
  residentId: '居留證號 (resident certificate number)',
  cardNumber: '自然人憑證卡號 (citizen card number)',
  email: 'e-mail',
  unknown: 'unknown',
};

const USAGE = [
  'twpki id check VALUE [--legacy-business-id-rule] [--json]',
  '',
  'Tells which identifier VALUE is (controlNumber, businessId, nationalId, residentId, cardNumber,',
  'email, unknown) and whether it is valid, and why not. --legacy-business-id-rule checks 統一編號',
  'with the pre-2023 divisible-by-10 rule. --json prints {value, kind, valid, reason}.',
  'Exit status: 0 valid, 1 invalid, 2 usage error, 5 no verdict (the check itself failed).',
].join('\n');

/**
 * `twpki id check VALUE [--legacy-business-id-rule] [--json]`: tells which Taiwan
 * identifier VALUE is and whether it is valid. Exit 0 valid, 1 not.
 */
export const idCheckCommand: CliCommand = {
  exits: 'verdict',
  name: 'id check',
  summary: 'identify and validate a 管制編號, 統一編號, 身分證字號, resident number, card number or e-mail',
  usage: USAGE,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(USAGE, {
      args,
      options: {
        'legacy-business-id-rule': { type: 'boolean' },
        json: { type: 'boolean' },
      },
      allowPositionals: true,
    });
    if (positionals.length !== 1) throw new UsageError('give exactly one VALUE to check');
    const result = identify(positionals[0], {
      businessIdRule: values['legacy-business-id-rule'] ? 'legacy' : 'current',
    });
    // Chinese from the message catalogue; English from the validator, whose text names the exact defect.
    const catalogue = defaultMessages.identificationMessages(result);
    const messages = result.valid
      ? undefined
      : { zhTW: catalogue?.zhTW ?? result.message ?? '', en: result.message ?? catalogue?.en ?? '' };
    if (values.json) {
      writeJson(io, { value: result.value, kind: result.kind, valid: result.valid, reason: result.reason, ...(messages ? { messages } : {}) });
    } else {
      const said = messages ? (languageFromLocale(io.env) === 'zh-TW' ? messages.zhTW : messages.en) : '';
      const verdict = result.valid ? 'valid' : `invalid: ${result.reason ?? ''} (${said})`;
      writeLines(io, `${result.value}\t${KIND_LABELS[result.kind]}\t${verdict}`);
    }
    return result.valid ? 0 : 1;
  },
};
