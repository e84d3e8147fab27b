/**
 * Answers in the official component's shapes, as public government page code
 * reads them (facts sheet, "What real web pages expect"): empty strings for
 * absent optional fields, the card's CA certificate listed first as
 * `"CA Cert"`, DNs in certificate order joined by `,` with no space, token
 * `null` for an empty reader and `"unknown token"` for an unreadable card.
 */

export const OFFICIAL_VERSION = '1.3.4.103328';
export const CARD_NUMBER = 'TP03000012345678';
export const READER = 'Generic Smart Card Reader 0';

// Placeholders in base64; the client passes certificates through without parsing them.
export const USER_CERT_B64 = 'MIIBdXNlci1jZXJ0aWZpY2F0ZQ==';
export const CA_CERT_B64 = 'MIIBY2EtY2VydGlmaWNhdGU=';

const caEntry = {
  label: 'CA Cert',
  id: '',
  certb64: CA_CERT_B64,
  subjectDN: 'C=TW,O=行政院,OU=內政部憑證管理中心',
  issuerDN: 'C=TW,O=行政院,OU=政府憑證管理中心',
  subjectCN: '',
  subjectID: '',
  sn: '00D1E2',
  notBefore: '',
  notAfter: '',
  notBeforeT: 1_399_939_200,
  notAfterT: 1_873_238_400,
  thumbprint: '',
  usage: 'keyCertSign|cRLSign',
  email: '',
};

const cert1 = {
  label: 'cert1',
  id: '5349474e',
  certb64: USER_CERT_B64,
  subjectDN: 'C=TW,CN=王小明,serialNumber=0000000000001234',
  issuerDN: 'C=TW,O=行政院,OU=內政部憑證管理中心',
  subjectCN: '王小明',
  subjectID: '1234',
  sn: '3A8F0C11D2',
  notBefore: '20240101000000Z',
  notAfter: '20290101155959Z',
  notBeforeT: 1_704_067_200,
  notAfterT: 1_861_977_599,
  thumbprint: '0A1B2C3D4E5F60718293A4B5C6D7E8F901234567',
  usage: 'digitalSignature',
  email: '',
};

const cert2 = {
  ...cert1,
  label: 'cert2',
  id: '4b455958',
  certb64: 'MIIBa2V5eC1jZXJ0aWZpY2F0ZQ==',
  sn: '3A8F0C11D3',
  usage: 'keyEncipherment|dataEncipherment',
};

/** A `/pkcs11info` answer: an empty reader, a citizen card, an unreadable card. */
export function officialPkcs11Info(withCert: boolean): Record<string, unknown> {
  const strip = (c: Record<string, unknown>): Record<string, unknown> => {
    if (withCert) return c;
    const { certb64: _omitted, ...rest } = c;
    return rest;
  };
  return {
    func: 'pkcs11info',
    ret_code: 0,
    last_error: 0,
    message: '',
    version: OFFICIAL_VERSION,
    serverVersion: OFFICIAL_VERSION,
    cryptokiVersion: '2.20',
    manufacturerID: 'Chunghwa Telecom',
    libraryDescription: 'HiCOS PKCS#11 Library',
    libraryVersion: '3.0',
    flags: 0,
    slots: [
      { slotID: 0, slotDescription: 'Empty Reader 0', manufacturerID: '', flags: 6, hardwareVersion: '', firmwareVersion: '', token: null },
      {
        slotID: 1,
        slotDescription: READER,
        manufacturerID: '',
        flags: 7,
        hardwareVersion: '',
        firmwareVersion: '',
        token: {
          label: 'HiCOS PKI Smart Card',
          manufacturerID: 'Chunghwa Telecom',
          model: '',
          serialNumber: CARD_NUMBER,
          flags: 0x40c | 0x10000,
          ulMinPinLen: 6,
          ulMaxPinLen: 8,
          certs: [strip(caEntry), strip(cert1), strip(cert2)],
        },
      },
      { slotID: 2, slotDescription: 'Other Reader 2', manufacturerID: '', flags: 7, hardwareVersion: '', firmwareVersion: '', token: 'unknown token' },
    ],
  };
}

/** A successful `/sign` answer. */
export function officialSignSuccess(cardSN: string): Record<string, unknown> {
  return {
    func: 'sign',
    ret_code: 0,
    last_error: 0,
    message: '',
    message2: '',
    signature: 'MIAGCSqGSIb3DQEHAqCAMIACAQE=',
    certb64: USER_CERT_B64,
    cardSN,
    version: OFFICIAL_VERSION,
  };
}

/** A failed `/sign` answer with the given codes (empty signature, certificate and card number). */
export function officialSignFailure(retCode: number, lastError: number): Record<string, unknown> {
  return { func: 'sign', ret_code: retCode, last_error: lastError, message: '', message2: '', signature: '', certb64: '', cardSN: '', version: OFFICIAL_VERSION };
}
