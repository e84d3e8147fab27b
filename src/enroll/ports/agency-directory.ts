import type { AgencyOid, BusinessId } from '../domain/identifiers.js';

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

/** An {@link AgencyDirectory} over a fixed list (configuration files, tests). */
export class StaticAgencyDirectory implements AgencyDirectory {
  private readonly agencies: readonly Agency[];

  /** Uses `agencies` as the whole directory. */
  public constructor(agencies: readonly Agency[]) {
    this.agencies = agencies;
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
