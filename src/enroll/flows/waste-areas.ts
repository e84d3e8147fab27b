/**
 * Which 縣市 and 鄉鎮市區 a waste form's address is in, and their 郵遞區號, read
 * against the PostalCodeDirectory: today's names, and the names older records
 * still carry for the five 縣 that became 直轄市 (臺北縣板橋市 …), read as
 * today's, and a 縣轄市 written without its 縣, today's or former (竹北市 …,
 * 板橋市 …). A name that could be two places is refused with the reason, never
 * read as either.
 */
import { FORMER_COUNTIES, type FormerCounty } from '../domain/former-counties.js';
import { EnrollError } from '../errors.js';
import { foldPlaceName, isThreeDigitPostalCode, type PostalCodeDirectory, type PostalCounty, type PostalDistrict } from '../ports/postal-code-directory.js';

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

/** A place of a former 縣 by its name stem, for explaining a name written with a suffix it never had. */
interface FormerPlace {
  /** The 縣, as older records write it. */
  readonly county: string;
  /** Its names in {@link FORMER_COUNTIES} (one, or two for 楊梅 and 蘆竹). */
  readonly names: readonly string[];
  /** Today's 縣市 and 區. */
  readonly area: Area;
}

interface AreaIndex {
  /** By folded 縣市 + 鄉鎮市區: today's, and a former 縣's with the names its places had. */
  readonly areas: ReadonlyMap<string, Area>;
  /**
   * What an address may begin with: {@link areas}, and a 縣轄市 named alone, today's (竹北市) or former (板橋市), read
   * when the name is Taiwan's only place of that name and {@link UnplacedPrefix} when it is not (桃園市).
   */
  readonly prefixes: ReadonlyMap<string, Area | UnplacedPrefix>;
  /** By folded former 縣 + name stem (臺南縣新市). */
  readonly stems: ReadonlyMap<string, FormerPlace>;
  /** Folded 縣市 names the index knows, today's and former (to tell an unknown 縣市 from an unknown 區). */
  readonly counties: ReadonlySet<string>;
  /** The longest prefix key, to bound the prefix search. */
  readonly longest: number;
}

/** The 縣 an older record names, when it is one of {@link FORMER_COUNTIES}. */
function formerCounty(county: string): FormerCounty | undefined {
  const folded = foldPlaceName(county);
  return FORMER_COUNTIES.find((f) => f.name === folded);
}

/** 板橋市 → 板橋: every listed name is its stem and a one-character suffix (鄉, 鎮 or 市). */
function stemOf(place: string): string {
  return place.slice(0, -1);
}

/** `a or b`, for a reason's list of names. */
function either(names: readonly string[]): string {
  return names.join(' or ');
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

// Each list a directory answered, checked and copied once (keyed by the list, so a directory that reloads its table,
// answering a new list, is read again).
const CHECKED = new WeakMap<object, readonly PostalCounty[]>();

/**
 * The directory's list, checked: it may be the host's, and a code read from it is stored (and shown in a form's
 * selects). What is returned is a frozen copy of plain strings, read once: the list itself may carry getters or be a
 * Proxy that answers otherwise (or throws) when read again, by the index built from it or by the host serializing the
 * selects' list.
 * @throws EnrollError POSTAL_CODES_UNAVAILABLE when the directory throws, answers a list of another shape, or
 *   throws while its list is read (a getter, a Proxy, an iterator).
 */
export function checkedCounties(postalCodes: PostalCodeDirectory): readonly PostalCounty[] {
  const answer: unknown = askDirectory(() => postalCodes.counties());
  if (typeof answer !== 'object' || answer === null) throw badList('is not a list');
  let counties = CHECKED.get(answer);
  if (counties === undefined) {
    // Whatever reading it throws (Array.isArray on a revoked Proxy, a getter) is the directory's failure too.
    const read = answer;
    counties = askDirectory(() => copiedCounties(read));
    CHECKED.set(answer, counties);
  }
  return counties;
}

/** `value[key]` of an object, read once; `undefined` for anything else. */
function property(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

/** A 縣市 or 鄉鎮市區 name: a string that folds to some text (an empty name is no place, nor a select's option). */
function isPlaceName(value: unknown): value is string {
  return typeof value === 'string' && foldPlaceName(value) !== '';
}

/** The list's 縣市 and 鄉鎮市區 copied field by field, each read once, or the shape it has instead. */
function copiedCounties(answer: object): readonly PostalCounty[] {
  if (!Array.isArray(answer)) throw badList('is not a list');
  const counties: PostalCounty[] = [];
  for (const c of answer as unknown[]) {
    const name = property(c, 'name');
    const districts = property(c, 'districts');
    if (!isPlaceName(name) || !Array.isArray(districts)) throw badList('has a 縣市 without a name or its 鄉鎮市區');
    const copied: PostalDistrict[] = [];
    for (const d of districts as unknown[]) {
      const district = property(d, 'name');
      const postalCode = property(d, 'postalCode');
      if (!isPlaceName(district) || !isThreeDigitPostalCode(postalCode)) {
        throw badList(`has a 鄉鎮市區 of ${name} without a name or a 3-digit 郵遞區號`);
      }
      copied.push(Object.freeze({ name: district, postalCode }));
    }
    counties.push(Object.freeze({ name, districts: Object.freeze(copied) }));
  }
  // Frozen: every caller (each page's selects) shares the one copy.
  return Object.freeze(counties);
}

// Each checked list, indexed once (the same copy for as long as the directory answers the same list).
const INDEXES = new WeakMap<readonly PostalCounty[], AreaIndex>();

function build(counties: readonly PostalCounty[]): AreaIndex {
  const areas = new Map<string, Area>();
  const names = new Set<string>();
  for (const c of counties) {
    names.add(foldPlaceName(c.name));
    for (const d of c.districts) areas.set(foldPlaceName(c.name + d.name), { county: c.name, district: d.name, postalCode: d.postalCode });
  }
  const stems = new Map<string, FormerPlace>();
  for (const former of FORMER_COUNTIES) {
    const today = counties.find((c) => foldPlaceName(c.name) === former.now);
    if (today === undefined) continue;
    names.add(former.name);
    for (const place of former.places) {
      const stem = stemOf(place);
      const d = today.districts.find((x) => foldPlaceName(x.name) === `${stem}區`);
      if (d === undefined) continue;
      const area: Area = { county: today.name, district: d.name, postalCode: d.postalCode };
      const known = stems.get(former.name + stem);
      stems.set(former.name + stem, { county: former.name, names: [...(known?.names ?? []), place], area });
      // The 縣 with the name the place had (板橋市), or already with the 區 (臺北縣板橋區, as records of the change
      // write it); no other suffix, so that 臺南縣新市市場路 is not read as 新市 + 場路. A host directory that lists
      // a former name itself is answered as it says.
      for (const name of [place, `${stem}區`]) {
        if (!areas.has(former.name + name)) areas.set(former.name + name, area);
      }
    }
  }
  const prefixes = new Map<string, Area | UnplacedPrefix>(areas);
  for (const [name, reading] of citiesAlone(counties, stems)) {
    if (!prefixes.has(name)) prefixes.set(name, reading);
  }
  return { areas, prefixes, stems, counties: names, longest: Math.max(0, ...[...prefixes.keys()].map((k) => k.length)) };
}

/**
 * Each 縣轄市, today's or a former 縣's, as records also write it, without its 縣 (竹北市光明六路…, 板橋市文化路…):
 * today's 縣市 and 鄉鎮市區 when no other place of Taiwan has that name, else why it cannot be told apart (桃園縣's
 * 桃園市 is also today's 桃園市). Both lists are the directory's: today's 縣轄市 are its 鄉鎮市區 named 市 in a 縣
 * (none is hand-written), and a former one is there only when its city is. Today's 市 (臺北市, 新竹市, 嘉義市 …) are
 * never read as one: they are 縣市, and a 縣轄市 of the same name (a host's directory listing 新竹縣新竹市, as
 * before 1982) makes the name two places, refused.
 */
function citiesAlone(counties: readonly PostalCounty[], stems: ReadonlyMap<string, FormerPlace>): Map<string, Area | UnplacedPrefix> {
  // Every name a place has or had: what it names, and how that place is written whole, to find the names that are
  // not one place's and say how to write each (keyed by what: a row the directory lists twice is still one place).
  const named = new Map<string, Map<string, string>>();
  const add = (name: string, what: string, whole: string): void => {
    named.set(name, (named.get(name) ?? new Map<string, string>()).set(what, whole));
  };
  const cities = new Map<string, Area>();
  for (const c of counties) {
    const county = foldPlaceName(c.name);
    add(county, `today's ${c.name}`, `${c.name} with its 區`);
    for (const d of c.districts) {
      const district = foldPlaceName(d.name);
      add(district, c.name + d.name, `${c.name}${d.name}…`);
      if (county.endsWith('縣') && district.endsWith('市')) cities.set(district, { county: c.name, district: d.name, postalCode: d.postalCode });
    }
  }
  for (const place of stems.values()) {
    for (const name of place.names) {
      if (!name.endsWith('市')) continue;
      const now = place.area.county + place.area.district;
      if (!cities.has(name)) cities.set(name, place.area);
      add(name, `${place.county}'s ${name} (now ${now})`, `${now}… or ${place.county}${name}…`);
    }
  }
  const readings = new Map<string, Area | UnplacedPrefix>();
  for (const [name, area] of cities) {
    const all = named.get(name) ?? new Map<string, string>();
    readings.set(
      name,
      all.size === 1 ? area : { unplaced: `${name} alone names ${either([...all.keys()])}: write it whole (${[...all.values()].join('; ')})` },
    );
  }
  return readings;
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

/** An address whose start names a place that cannot be told from another, or a former 縣's place misspelt. */
export interface UnplacedPrefix {
  /** Why, for the reason. */
  readonly unplaced: string;
}

/**
 * The 縣市 and 鄉鎮市區 `address` begins with (folded as the directory folds names, so 台北市 or 臺北市 中正區 match;
 * a former 縣's names, and a 縣轄市 alone, today's or former, when it is Taiwan's only place of the name, are read as
 * today's 縣市 and 鄉鎮市區), the longest that matches, and the rest; `undefined` when it begins with none.
 * {@link UnplacedPrefix} when it begins with a name that is two places' (桃園市 alone: today's city, or 桃園縣's
 * 桃園市), or with a former 縣 and one of its places without the suffix it had (臺南縣新市市場路: 新市 was 新市鄉):
 * read as either, a character of the rest could be lost or the area be wrong. A leading 郵遞區號 or province ({@link LEADING_CODE_AND_PROVINCE}) is passed
 * over and left out of the rest.
 * @throws EnrollError POSTAL_CODES_UNAVAILABLE when the directory cannot answer.
 */
export function areaPrefix(postalCodes: PostalCodeDirectory, address: string): AreaPrefix | UnplacedPrefix | undefined {
  const { prefixes, stems, longest } = areaIndex(postalCodes);
  const from = address.replace(LEADING_CODE_AND_PROVINCE, '');
  let found: AreaPrefix | UnplacedPrefix | undefined;
  let stem: FormerPlace | undefined;
  // Spaces fold away, so a prefix may be longer than the name it matches: twice the longest name is ample.
  for (let end = 1; end <= Math.min(from.length, 2 * longest); end++) {
    const key = foldPlaceName(from.slice(0, end));
    const hit = prefixes.get(key);
    if (hit !== undefined) found = 'unplaced' in hit ? hit : { ...hit, rest: from.slice(end).trim() };
    stem = stems.get(key) ?? stem;
  }
  if (found === undefined && stem !== undefined) {
    const { county, names, area } = stem;
    const now = area.county + area.district;
    return { unplaced: `begins with ${county}${stemOf(names[0] as string)} but not with the name it had until the 縣's 改制 (${either(names)}; now ${now}): write ${county}${either(names)} or ${now}` };
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
      // Described without reading it: JSON.stringify throws on a BigInt, and runs a Proxy's traps or an object's toJSON.
      const what = typeof code === 'string' ? JSON.stringify(code) : code === null ? 'null' : `a ${typeof code}`;
      throw new EnrollError('POSTAL_CODES_UNAVAILABLE', `the postalCodes directory answered ${what} for ${c}${d}, not 3 digits`);
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
  if (was === undefined) return { unknown: 'district', reason: `${d} is not a 鄉鎮市區 of ${c} in the 郵遞區號 directory` };
  // A place of the 縣 with a suffix it never had (新市市), or none (新市): say the name it had.
  const place = index.stems.get(c + d) ?? index.stems.get(c + stemOf(d));
  return {
    unknown: 'district',
    reason:
      place === undefined
        ? `${d} is not a 鄉鎮市 of ${c} (now ${was.now}) that can be placed in one of ${was.now}'s 區: choose ${was.now} and its 區`
        : `${d} is not a name of ${c}'s: the place was ${either(place.names)} (now ${place.area.county}${place.area.district})`,
  };
}
