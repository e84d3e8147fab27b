import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SIGN_REQUEST_ERROR_CODES } from '../../src/agent/sign-request.js';
import { HICOS_ERROR_CODES } from '../../src/apdu/errors.js';
import { COMPONENT_ERROR_CODES } from '../../src/browser/component-error.js';
import { MOICA_LIFECYCLE_ERROR_CODES } from '../../src/cert/lifecycle/errors.js';
import { CERTIFICATE_PARSE_ERROR_CODES } from '../../src/cert/profile/errors.js';
import { DOCUMENT_FORMAT_ERROR_CODES } from '../../src/cert/trust/documents/errors.js';
import { CHAIN_ERROR_CODES, REVOCATION_ERROR_CODES } from '../../src/cert/trust/errors.js';
import { DER_ERROR_CODES } from '../../src/shared/der/der-error.js';
import { LOGIN_ERROR_CODES } from '../../src/cert/trust/login/errors.js';
import { EMS_ERROR_CODES } from '../../src/ems/errors.js';
import { ENROLL_ERROR_CODES } from '../../src/enroll/errors.js';
import { HTTP_ERROR_CODES } from '../../src/messages/tables/application.js';
import { PCSC_ERROR_CODES } from '../../src/pcsc/errors.js';
import { TEST_PKI_ERROR_CODES } from '../../src/testing/pki/errors.js';
import { VPCD_BRIDGE_ERROR_CODES } from '../../src/testing/vpcd/vpcd-bridge.js';

// One error hierarchy: every error twpki throws is a TwpkiError, and a code
// means one thing across the whole package, so `switch (err.code)` and log
// searches need no layer prefix. Codes a family shares on purpose (the login
// and signed-document verifiers run the same steps) are one family here.
const FAMILIES: Record<string, readonly string[]> = {
  pcsc: PCSC_ERROR_CODES,
  'apdu (HiCOSError)': HICOS_ERROR_CODES,
  'shared DER reader (DerError)': DER_ERROR_CODES,
  'cert profile (CertificateParseError)': CERTIFICATE_PARSE_ERROR_CODES,
  'cert chain': CHAIN_ERROR_CODES,
  'cert revocation (RevocationError)': REVOCATION_ERROR_CODES,
  'cert signature verification (login and signed documents)': [...new Set([...LOGIN_ERROR_CODES, ...DOCUMENT_FORMAT_ERROR_CODES])],
  'cert MOICA lifecycle': MOICA_LIFECYCLE_ERROR_CODES,
  ems: EMS_ERROR_CODES,
  enroll: ENROLL_ERROR_CODES,
  'agent (SignRequestError)': SIGN_REQUEST_ERROR_CODES,
  'browser (ComponentError)': COMPONENT_ERROR_CODES,
  'integrations (CardLoginRequestError)': HTTP_ERROR_CODES,
  'cli (UsageError)': ['USAGE'],
  'testing (TestPkiError)': TEST_PKI_ERROR_CODES,
  'testing (VpcdBridgeError)': VPCD_BRIDGE_ERROR_CODES,
};

// The files that declare an error class; a new one must join FAMILIES above.
const ERROR_CLASS_FILES = [
  'src/agent/sign-request.ts',
  'src/apdu/errors.ts',
  'src/browser/component-error.ts',
  'src/cert/lifecycle/errors.ts',
  'src/cert/profile/errors.ts',
  'src/cert/trust/errors.ts',
  'src/cert/trust/verification/errors.ts',
  'src/cli/command.ts',
  'src/ems/errors.ts',
  'src/enroll/errors.ts',
  'src/integrations/card-login.ts',
  'src/pcsc/errors.ts',
  'src/shared/der/der-error.ts',
  'src/testing/pki/errors.ts',
  'src/testing/vpcd/vpcd-bridge.ts',
];

const ROOT = join(import.meta.dirname, '../..');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

describe('one error hierarchy with codes unique across the package', () => {
  it('no code belongs to two families', () => {
    const owner = new Map<string, string>();
    const clashes: string[] = [];
    for (const [family, codes] of Object.entries(FAMILIES)) {
      expect(new Set(codes).size, `${family} lists a code twice`).toBe(codes.length);
      for (const code of codes) {
        const first = owner.get(code);
        if (first !== undefined) clashes.push(`${code}: ${first} and ${family}`);
        else owner.set(code, family);
      }
    }
    expect(clashes).toEqual([]);
    expect(owner.size).toBeGreaterThan(150);
  });

  // Where each family's codes get their zh-TW and English messages (twpki/messages), or why none are needed.
  const SHOWN_AS: Record<string, string> = {
    pcsc: 'pcsc',
    'apdu (HiCOSError)': 'card',
    'shared DER reader (DerError)':
      'none: each layer wraps it before it leaves (MALFORMED_RESPONSE on the card, CertificateParseError, CHAIN/REVOCATION/LOGIN codes in trust)',
    'cert profile (CertificateParseError)': 'certificate',
    'cert chain': 'chain',
    'cert revocation (RevocationError)': 'revocation',
    'cert signature verification (login and signed documents)': 'login + document',
    'cert MOICA lifecycle': 'lifecycle',
    ems: 'ems',
    enroll: 'enroll',
    'agent (SignRequestError)': 'none: each becomes an official ret_code, which pages explain from src/component/codes.ts',
    'browser (ComponentError)': 'none: ComponentError carries its own zh-TW and English messages from src/component/codes.ts',
    'integrations (CardLoginRequestError)': 'http',
    'cli (UsageError)': 'cli',
    'testing (TestPkiError)': 'test-pki',
    'testing (VpcdBridgeError)': 'vpcd',
  };

  it('every family says where its messages come from', () => {
    expect(Object.keys(SHOWN_AS).sort()).toEqual(Object.keys(FAMILIES).sort());
  });

  it('every exported error class extends TwpkiError, and every file declaring one is enumerated', () => {
    const declaring: string[] = [];
    const outside: string[] = [];
    for (const file of sources(join(ROOT, 'src'))) {
      const text = readFileSync(file, 'utf8');
      const rel = relative(ROOT, file);
      for (const m of text.matchAll(/^export (?:abstract )?class (\w+)(?:<[^>]*>)? extends (\w+)/gm)) {
        if (m[1] !== 'TwpkiError' && (m[2] === 'Error' || m[2] === 'TypeError' || m[2] === 'RangeError')) outside.push(`${rel}: ${m[1]}`);
        if (m[2] === 'TwpkiError') declaring.push(rel);
      }
    }
    expect(outside).toEqual([]);
    expect([...new Set(declaring)].sort()).toEqual([...ERROR_CLASS_FILES].sort());
  });
});
