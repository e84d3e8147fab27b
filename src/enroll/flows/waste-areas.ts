/**
 * Which 縣市 and 鄉鎮市區 a waste form's address is in, and their 郵遞區號, read
 * against the PostalCodeDirectory: today's names, and the names older records
 * still carry for the five 縣 that became 直轄市 (臺北縣 …), read as today's.
 */
import { EnrollError } from '../errors.js';
import { foldPlaceName, isThreeDigitPostalCode, type PostalCodeDirectory, type PostalCounty } from '../ports/postal-code-directory.js';

/** A 縣市 + 鄉鎮市區 as the directory names it today, with its 郵遞區號. */
export interface Area {
  /** 縣市, as the directory spells it. */
  readonly county: string;
  /** 鄉鎮市區, as the directory spells it. */
  readonly district: string;
  /** 3 digits. */
  readonly postalCode: string;
}

/** An {@link Area} an address begins with, and what follows it. */
export interface AreaPrefix extends Area {
  /** The address after the 縣市 and 鄉鎮市區, trimmed. */
  readonly rest: string;
}

/** A 縣 upgraded to a 直轄市: its 鄉, 鎮 and 縣轄市 became 區 of the same name stem, and kept their 郵遞區號. */
interface FormerCounty {
  /** The 縣 as older records write it. */
  readonly name: string;
  /** The 直轄市 it is part of today. */
  readonly now: string;
  /**
   * The 區 of `now` that were the old 市's, already 區 before the merger and never in the 縣. Left out of the 縣's
   * names, so that 高雄縣三民鄉 (那瑪夏鄉 since 2008, 849) is refused rather than placed in 三民區 (807).
   */
  readonly notFromCounty: readonly string[];
}

/**
 * The 2010 upgrades (臺北縣 alone; 臺中, 臺南, 高雄 merged with the 市 of the same name) and 桃園縣's in 2014. The
 * history is all that is listed here; which 區 each 縣 became is derived from the directory.
 */
const FORMER_COUNTIES: readonly FormerCounty[] = [
  { name: '臺北縣', now: '新北市', notFromCounty: [] },
  { name: '臺中縣', now: '臺中市', notFromCounty: ['中區', '東區', '南區', '西區', '北區', '北屯區', '西屯區', '南屯區'] },
  { name: '臺南縣', now: '臺南市', notFromCounty: ['中西區', '東區', '南區', '北區', '安平區', '安南區'] },
  {
    name: '高雄縣',
    now: '高雄市',
    notFromCounty: ['新興區', '前金區', '苓雅區', '鹽埕區', '鼓山區', '旗津區', '前鎮區', '三民區', '楠梓區', '小港區', '左營區'],
  },
  { name: '桃園縣', now: '桃園市', notFromCounty: [] },
];

/** The suffixes of the 縣's 鄉, 鎮 and 縣轄市, one of which each 區 of the 縣 had before. */
const FORMER_DISTRICT_SUFFIXES = ['鄉', '鎮', '市'] as const;

interface AreaIndex {
  /** By folded 縣市 + 鄉鎮市區: today's, and the former names that can be placed. */
  readonly areas: ReadonlyMap<string, Area>;
  /** Folded 縣市 names the index knows, today's and former (to tell an unknown 縣市 from an unknown 區). */
  readonly counties: ReadonlySet<string>;
  /** The longest key, to bound the prefix search. */
  readonly longest: number;
}

/** The 縣 an older record names, when it is one of {@link FORMER_COUNTIES}. */
function formerCounty(county: string): { readonly name: string; readonly now: string } | undefined {
  const folded = foldPlaceName(county);
  return FORMER_COUNTIES.find((f) => f.name === folded);
}

/**
 * Calls the directory, which may be the host's: whatever it throws is POSTAL_CODES_UNAVAILABLE (the default
 * directory's own error passes as it is).
 */
export function askDirectory<T>(call: () => T): T {
  try {
    return call();
  } catch (error) {
    if (error instanceof EnrollError && error.code === 'POSTAL_CODES_UNAVAILABLE') throw error;
    throw new EnrollError('POSTAL_CODES_UNAVAILABLE', 'the postalCodes directory failed to answer', { cause: error });
  }
}

function badList(why: string): EnrollError {
  return new EnrollError('POSTAL_CODES_UNAVAILABLE', `the postalCodes directory's counties() ${why}`);
}

/** The directory's list, checked: it may be the host's, and a code read from it is stored. */
function checkedCounties(postalCodes: PostalCodeDirectory): readonly PostalCounty[] {
  const counties: unknown = askDirectory(() => postalCodes.counties());
  if (!Array.isArray(counties)) throw badList('is not a list');
  for (const c of counties as unknown[]) {
    const county = (typeof c === 'object' && c !== null ? c : {}) as Record<string, unknown>;
    if (typeof county.name !== 'string' || !Array.isArray(county.districts)) throw badList('has a 縣市 without a name or its 鄉鎮市區');
    for (const d of county.districts as unknown[]) {
      const district = (typeof d === 'object' && d !== null ? d : {}) as Record<string, unknown>;
      if (typeof district.name !== 'string' || !isThreeDigitPostalCode(district.postalCode)) {
        throw badList(`has a 鄉鎮市區 of ${county.name} without a name or a 3-digit 郵遞區號`);
      }
    }
  }
  return counties as readonly PostalCounty[];
}

// Each directory's list, indexed once (keyed by the list, so a directory that reloads its table is indexed again).
const INDEXES = new WeakMap<readonly PostalCounty[], AreaIndex>();

function build(counties: readonly PostalCounty[]): AreaIndex {
  const areas = new Map<string, Area>();
  const names = new Set<string>();
  for (const c of counties) {
    names.add(foldPlaceName(c.name));
    for (const d of c.districts) areas.set(foldPlaceName(c.name + d.name), { county: c.name, district: d.name, postalCode: d.postalCode });
  }
  for (const former of FORMER_COUNTIES) {
    const today = counties.find((c) => foldPlaceName(c.name) === former.now);
    if (today === undefined) continue;
    names.add(former.name);
    const notFromCounty = new Set(former.notFromCounty);
    for (const d of today.districts) {
      const district = foldPlaceName(d.name);
      if (!district.endsWith('區') || notFromCounty.has(district)) continue;
      const area: Area = { county: today.name, district: d.name, postalCode: d.postalCode };
      const stem = district.slice(0, -1);
      // The 縣 with its old 鄉 / 鎮 / 市 (板橋市), or already with the 區 (臺北縣板橋區, as records of the change
      // write it). One stem names one 區 of the city, so the suffix adds nothing to tell apart. A host directory
      // that lists a former name itself is answered as it says.
      for (const name of [...FORMER_DISTRICT_SUFFIXES.map((s) => stem + s), district]) {
        const key = former.name + name;
        if (!areas.has(key)) areas.set(key, area);
      }
    }
  }
  return { areas, counties: names, longest: Math.max(0, ...[...areas.keys()].map((k) => k.length)) };
}

function areaIndex(postalCodes: PostalCodeDirectory): AreaIndex {
  const counties = checkedCounties(postalCodes);
  let index = INDEXES.get(counties);
  if (index === undefined) {
    index = build(counties);
    INDEXES.set(counties, index);
  }
  return index;
}

/**
 * What an address written the way older records write it may carry before its 縣市: the 郵遞區號 itself (3, 5 or 6
 * digits, as envelopes put it: `100臺北市…`) and a province (臺灣省, 福建省: frozen since 1998, yet still in
 * registrations made before and in addresses typed from them). Neither changes which 縣市 and 鄉鎮市區 follow.
 */
const LEADING_CODE_AND_PROVINCE = /^[\s\u3000]*(?:[0-9０-９]{3}(?:[0-9０-９]{2,3})?[\s\u3000]*)?(?:[臺台]灣省|福建省)?[\s\u3000]*/u;

/**
 * The 縣市 and 鄉鎮市區 `address` begins with (folded as the directory folds names, so 台北市 or 臺北市 中正區 match;
 * a former 縣's name is read as today's 縣市 and 區), the longest that matches, and the rest; `undefined` when it
 * begins with none. A leading 郵遞區號 or province ({@link LEADING_CODE_AND_PROVINCE}) is passed over and left out of
 * the rest.
 * @throws EnrollError POSTAL_CODES_UNAVAILABLE when the directory cannot answer.
 */
export function areaPrefix(postalCodes: PostalCodeDirectory, address: string): AreaPrefix | undefined {
  const { areas, longest } = areaIndex(postalCodes);
  const from = address.replace(LEADING_CODE_AND_PROVINCE, '');
  let found: AreaPrefix | undefined;
  // Spaces fold away, so a prefix may be longer than the name it matches: twice the longest name is ample.
  for (let end = 1; end <= Math.min(from.length, 2 * longest); end++) {
    const hit = areas.get(foldPlaceName(from.slice(0, end)));
    if (hit !== undefined) found = { ...hit, rest: from.slice(end).trim() };
  }
  return found;
}

/** A 縣市 + 鄉鎮市區 the directory cannot place, and which of the two to name. */
export interface UnknownArea {
  /** The field at fault. */
  readonly unknown: 'county' | 'district';
  /** Why, for the reason. */
  readonly reason: string;
}

/**
 * The area of a 縣市 + 鄉鎮市區 as a form's selects (or an older record) give them: the directory's answer for
 * today's names (the input's names folded), else today's for a former 縣's; or which of the two is unknown.
 * @throws EnrollError POSTAL_CODES_UNAVAILABLE when the directory cannot answer or answers no 3-digit code.
 */
export function locateArea(postalCodes: PostalCodeDirectory, county: string, district: string): Area | UnknownArea {
  const c = foldPlaceName(county);
  const d = foldPlaceName(district);
  const code: unknown = askDirectory(() => postalCodes.find(c, d));
  if (code !== undefined) {
    if (!isThreeDigitPostalCode(code)) {
      throw new EnrollError('POSTAL_CODES_UNAVAILABLE', `the postalCodes directory answered ${JSON.stringify(code)} for ${c}${d}, not 3 digits`);
    }
    return { county: c, district: d, postalCode: code };
  }
  const index = areaIndex(postalCodes);
  // Only a former 縣 named whole in `county` is looked up by its joined names: the index is keyed by 縣市 + 鄉鎮市區
  // joined, and another split of the same text (臺北市中 + 正區) is not a 縣市 with its 鄉鎮市區.
  const was = formerCounty(c);
  const former = was === undefined ? undefined : index.areas.get(c + d);
  if (former !== undefined) return former;
  if (!index.counties.has(c)) return { unknown: 'county', reason: `${c} is not a 縣市 of the 郵遞區號 directory` };
  return {
    unknown: 'district',
    reason:
      was === undefined
        ? `${d} is not a 鄉鎮市區 of ${c} in the 郵遞區號 directory`
        : `${d} is not a 鄉鎮市 of ${c} (now ${was.now}) that can be placed in one of ${was.now}'s 區: choose ${was.now} and its 區`,
  };
}
