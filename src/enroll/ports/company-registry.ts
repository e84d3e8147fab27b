/**
 * The company registry behind the form's 載入 button: given a 營利事業統一編號,
 * the registered company name, 負責人 and 營利事業登記地址 fill the form. A
 * deployment implements it over its own source (the 商工登記 open data, a
 * cached copy, an internal service); tests use {@link StaticCompanyRegistry}.
 */
import { parseBusinessId, parseRequiredText, type BusinessId } from '../domain/identifiers.js';
import { IssueCollector } from '../errors.js';

/** A postal address as the form has it: 郵遞區號 plus the address text. */
export interface PostalAddress {
  /** 郵遞區號: 3, 5 (3+2) or 6 (3+3) digits. */
  readonly postalCode: string;
  /** The address (縣市, 鄉鎮市區 and the rest). */
  readonly address: string;
}

/** A 郵遞區號 as {@link PostalAddress} holds it: 3, 5 (3+2) or 6 (3+3) digits. */
export function isPostalAddressCode(value: string): boolean {
  return /^\d{3}(\d{2}|\d{3})?$/.test(value);
}

/** What the registry knows about a company. */
export interface CompanyRecord {
  /** 營利事業統一編號 */
  readonly businessId: string;
  /** 公司名稱 */
  readonly companyName: string;
  /** 負責人名稱, when the registry has it. */
  readonly representativeName?: string;
  /** 營利事業登記地址, when the registry has it. */
  readonly registeredAddress?: PostalAddress;
}

/** Looks companies up by 統一編號. */
export interface CompanyRegistry {
  /** The company registered under `businessId`, or `undefined`; rejects when the registry cannot answer. */
  findByBusinessId(businessId: BusinessId): Promise<CompanyRecord | undefined>;
}

/** A {@link CompanyRegistry} over a fixed list (configuration files, tests, demos). */
export class StaticCompanyRegistry implements CompanyRegistry {
  private readonly companies: readonly CompanyRecord[];

  /**
   * Uses `companies` as the whole registry, each entry checked as the form checks its fields (統一編號 check digit,
   * non-empty names within the form's lengths, a 3-, 5- or 6-digit 郵遞區號), so a list that is none (`5`) or an entry
   * that could never be found or loaded is refused here rather than failing at the first 載入.
   * @throws InvalidInputError naming every bad entry's field (`companies[2].businessId`), and a 統一編號 listed twice.
   */
  public constructor(companies: readonly CompanyRecord[]) {
    const issues = new IssueCollector();
    const list: CompanyRecord[] = [];
    if (!Array.isArray(companies)) {
      issues.add('companies', 'INVALID_FORMAT', 'must be a list of { businessId, companyName, representativeName?, registeredAddress? }');
    }
    for (const [i, entry] of (Array.isArray(companies) ? companies : []).entries()) {
      const record = checkedRecord(`companies[${i}]`, entry, issues);
      if (record === undefined) continue;
      if (list.some((c) => c.businessId === record.businessId)) {
        issues.add(`companies[${i}].businessId`, 'INVALID_FORMAT', `${record.businessId} is listed twice`);
        continue;
      }
      list.push(record);
    }
    issues.throwIfAny();
    this.companies = Object.freeze(list);
  }

  /** {@inheritDoc CompanyRegistry.findByBusinessId} */
  public findByBusinessId(businessId: BusinessId): Promise<CompanyRecord | undefined> {
    return Promise.resolve(this.companies.find((c) => c.businessId === businessId));
  }
}

/** `entry` as a frozen record with its text trimmed, or `undefined` with its issues in `issues`. */
function checkedRecord(at: string, entry: unknown, issues: IssueCollector): CompanyRecord | undefined {
  const e = (typeof entry === 'object' && entry !== null ? entry : {}) as Partial<Record<keyof CompanyRecord, unknown>>;
  const businessId = issues.take(() => parseBusinessId(e.businessId, `${at}.businessId`));
  // The lengths are the form's (loadCompany leaves out a longer value the registry gives).
  const companyName = issues.take(() => parseRequiredText(e.companyName, `${at}.companyName`, 200));
  const representativeName = e.representativeName === undefined ? undefined : issues.take(() => parseRequiredText(e.representativeName, `${at}.representativeName`, 100));
  const registeredAddress = e.registeredAddress === undefined ? undefined : checkedAddress(`${at}.registeredAddress`, e.registeredAddress, issues);
  // An optional field that failed has its issue recorded, and the constructor throws before keeping anything.
  if (businessId === undefined || companyName === undefined) return undefined;
  return Object.freeze({
    businessId,
    companyName,
    ...(representativeName === undefined ? {} : { representativeName }),
    ...(registeredAddress === undefined ? {} : { registeredAddress }),
  });
}

function checkedAddress(at: string, value: unknown, issues: IssueCollector): PostalAddress | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    issues.add(at, 'INVALID_FORMAT', 'must be { postalCode, address } or left out');
    return undefined;
  }
  const a = value as Partial<Record<keyof PostalAddress, unknown>>;
  const postalCode = issues.take(() => parseRequiredText(a.postalCode, `${at}.postalCode`, 6));
  if (postalCode !== undefined && !isPostalAddressCode(postalCode)) issues.add(`${at}.postalCode`, 'INVALID_FORMAT', 'must be 3, 5 or 6 digits');
  const address = issues.take(() => parseRequiredText(a.address, `${at}.address`, 300));
  if (postalCode === undefined || !isPostalAddressCode(postalCode) || address === undefined) return undefined;
  return Object.freeze({ postalCode, address });
}
