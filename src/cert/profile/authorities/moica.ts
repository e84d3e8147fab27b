import { personHolder, type AuthorityDefinition } from './authority-definition.js';

/**
 * MOICA 內政部憑證管理中心, citizen certificates. Every generation has the
 * same DN, so the generation comes from the key identifier alone.
 */
export const moica: AuthorityDefinition = {
  id: 'moica',
  displayName: '內政部憑證管理中心',
  matchesCaName: (value) => value === '內政部憑證管理中心',
  subjectKinds: ['citizen'],
  keyIdentifiers: new Map([
    ['B620C8CFBE518AA454B978D304D10AB2CC7E2F46', 'G1'],
    ['FA9B3467090A9822F762488B8226A645C5C322A4', 'G2'],
    ['4720A3B1264BCD6D48ACF2640886972C7454115F', 'G3'],
  ]),
  holder: personHolder,
};
