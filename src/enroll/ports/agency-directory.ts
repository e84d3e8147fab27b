import { parseAgencyOid, parseBusinessId, parseRequiredText, type AgencyOid, type BusinessId } from '../domain/identifiers.js';
import { IssueCollector } from '../errors.js';

/** An agency or organization as the government OID registry knows it. */
export interface Agency {
  /** Agency OID (機關OID). */
  readonly oid: AgencyOid;
  /** Official name (新機關名稱 is filled from this). */
  readonly name: string;
  /** The relying party's own agency code (e.g. 公保機關代號), when it has one. */
  readonly agencyCode?: string;
  /** 統一編號, for organizations whose certificate is a MOEACA company certificate. */
  readonly businessId?: BusinessId;
}

/** Looks agencies up by OID or by the relying party's agency code. */
export interface AgencyDirectory {
  /** The agency with this OID, or undefined. */
  findByOid(oid: AgencyOid): Promise<Agency | undefined>;
  /** The agency registered under `agencyCode`, or undefined. */
  findByAgencyCode(agencyCode: string): Promise<Agency | undefined>;
  /**
   * 查詢機關OID: agencies whose name contains `name`, at most `limit`, best
   * match first. Optional: a directory without it cannot be searched.
   */
  searchByName?(name: string, limit: number): Promise<Agency[]>;
}

/** One entry of a {@link StaticAgencyDirectory}, as a configuration file gives it (plain strings). */
export interface AgencyEntry {
  /** Agency OID (機關OID), dotted. */
  readonly oid: string;
  /** Official name. */
  readonly name: string;
  /** The relying party's own agency code, when it has one. */
  readonly agencyCode?: string;
  /** 統一編號, for organizations with a MOEACA company certificate. */
  readonly businessId?: string;
}

/** An {@link AgencyDirectory} over a fixed list (configuration files, tests). */
export class StaticAgencyDirectory implements AgencyDirectory {
  private readonly agencies: readonly Agency[];

  /**
   * Uses `agencies` as the whole directory, each entry checked as the flows
   * check input (OID, 統一編號 check digit, non-empty name).
   * @throws InvalidInputError naming every bad entry's field (`agencies[2].oid`).
   */
  public constructor(agencies: readonly AgencyEntry[]) {
    const issues = new IssueCollector();
    const list: Agency[] = [];
    if (!Array.isArray(agencies)) issues.add('agencies', 'INVALID_FORMAT', 'must be a list of { oid, name, agencyCode?, businessId? }');
    for (const [i, entry] of (Array.isArray(agencies) ? agencies : []).entries()) {
      const e = (typeof entry === 'object' && entry !== null ? entry : {}) as Partial<Record<keyof AgencyEntry, unknown>>;
      const at = `agencies[${i}]`;
      const oid = issues.take(() => parseAgencyOid(e.oid, `${at}.oid`));
      const name = issues.take(() => parseRequiredText(e.name, `${at}.name`));
      const agencyCode = e.agencyCode === undefined ? undefined : issues.take(() => parseRequiredText(e.agencyCode, `${at}.agencyCode`));
      const businessId = e.businessId === undefined ? undefined : issues.take(() => parseBusinessId(e.businessId, `${at}.businessId`));
      if (oid === undefined || name === undefined) continue;
      list.push({ oid, name, ...(agencyCode === undefined ? {} : { agencyCode }), ...(businessId === undefined ? {} : { businessId }) });
    }
    issues.throwIfAny();
    this.agencies = list;
  }

  /** {@inheritDoc AgencyDirectory.findByOid} */
  public findByOid(oid: AgencyOid): Promise<Agency | undefined> {
    return Promise.resolve(this.agencies.find((a) => a.oid === oid));
  }

  /** {@inheritDoc AgencyDirectory.findByAgencyCode} */
  public findByAgencyCode(agencyCode: string): Promise<Agency | undefined> {
    return Promise.resolve(this.agencies.find((a) => a.agencyCode === agencyCode));
  }

  /**
   * 查詢機關OID over the list: agencies whose name contains `name` (NFKC),
   * exact names first, then shorter names (the agency itself before its units).
   */
  public searchByName(name: string, limit: number): Promise<Agency[]> {
    const wanted = name.normalize('NFKC');
    const found = this.agencies.filter((a) => a.name.normalize('NFKC').includes(wanted));
    found.sort((a, b) => Number(b.name === wanted) - Number(a.name === wanted) || a.name.length - b.name.length);
    return Promise.resolve(found.slice(0, limit));
  }
}
