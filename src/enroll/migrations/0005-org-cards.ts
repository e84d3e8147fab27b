/**
 * What the organization flow needs to judge a card renewal (issue 12): the
 * administrator's citizen card as registered (at 首次註冊 and each 更換憑證)
 * and each operator's card as first seen at a verified login — 卡號, issuing
 * authority, trust anchor, holder name, ID hint and notBefore. Before this
 * migration the flow kept only certificate serials, so a renewed card (same
 * 卡號, new serial) was a stranger.
 */
import type { Migration } from './migration.js';

export const orgCardsSchema: Migration = {
  id: '0005-org-cards',
  sql: `
ALTER TABLE enroll_org_registrations
  ADD COLUMN admin_card_number text, ADD COLUMN admin_authority text, ADD COLUMN admin_subject_name text,
  ADD COLUMN admin_id_hint text, ADD COLUMN admin_anchor text, ADD COLUMN admin_valid_from timestamptz;

ALTER TABLE enroll_org_operators
  ADD COLUMN card_number text, ADD COLUMN authority text, ADD COLUMN subject_name text,
  ADD COLUMN id_hint text, ADD COLUMN anchor text, ADD COLUMN valid_from timestamptz;
CREATE INDEX enroll_org_operators_card ON enroll_org_operators (agency_code, card_number) WHERE card_number IS NOT NULL;
`,
};
