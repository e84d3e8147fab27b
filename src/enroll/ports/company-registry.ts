/**
 * The company registry behind the form's 載入 button: given a 營利事業統一編號,
 * the registered company name, 負責人 and 營利事業登記地址 fill the form. A
 * deployment implements it over its own source (the 商工登記 open data, a
 * cached copy, an internal service); tests use {@link StaticCompanyRegistry}.
 */
import type { BusinessId } from '../domain/identifiers.js';

/** A postal address as the form has it: 郵遞區號 plus the address text. */
export interface PostalAddress {
  /** 郵遞區號: 3, 5 (3+2) or 6 (3+3) digits. */
  readonly postalCode: string;
  /** The address (縣市, 鄉鎮市區 and the rest). */
  readonly address: string;
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

  /** Uses `companies` as the whole registry. */
  public constructor(companies: readonly CompanyRecord[]) {
    this.companies = companies;
  }

  /** {@inheritDoc CompanyRegistry.findByBusinessId} */
  public findByBusinessId(businessId: BusinessId): Promise<CompanyRecord | undefined> {
    return Promise.resolve(this.companies.find((c) => c.businessId === businessId));
  }
}
