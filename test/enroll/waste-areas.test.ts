/**
 * Where a waste address is: the former 縣 of the 2010 and 2014 upgrades read as
 * today's 縣市 and 區 (with the 郵遞區號 they kept), never as another area, and
 * a host directory that fails or answers garbage as POSTAL_CODES_UNAVAILABLE.
 */
import { describe, expect, it } from 'vitest';
import { EnrollError, StaticPostalCodeDirectory, twzipcodeDirectory, type PostalCodeDirectory } from '../../src/enroll/index.js';
import { areaPrefix, checkedCounties, locateArea } from '../../src/enroll/flows/waste-areas.js';
import { FORMER_COUNTIES } from '../../src/enroll/domain/former-counties.js';

// Pairs from the 郵遞區號 lists of before the upgrades (the 3-digit codes did not change with them).
const KNOWN: ReadonlyArray<readonly [string, string, string, string, string]> = [
  ['臺北縣', '板橋市', '新北市', '板橋區', '220'],
  ['臺北縣', '三重市', '新北市', '三重區', '241'],
  ['臺北縣', '淡水鎮', '新北市', '淡水區', '251'],
  ['臺北縣', '烏來鄉', '新北市', '烏來區', '233'],
  ['桃園縣', '桃園市', '桃園市', '桃園區', '330'],
  ['桃園縣', '中壢市', '桃園市', '中壢區', '320'],
  ['桃園縣', '大溪鎮', '桃園市', '大溪區', '335'],
  ['桃園縣', '復興鄉', '桃園市', '復興區', '336'],
  ['臺中縣', '豐原市', '臺中市', '豐原區', '420'],
  ['臺中縣', '大甲鎮', '臺中市', '大甲區', '437'],
  ['臺中縣', '大安鄉', '臺中市', '大安區', '439'],
  ['臺南縣', '新營市', '臺南市', '新營區', '730'],
  ['臺南縣', '永康市', '臺南市', '永康區', '710'],
  ['臺南縣', '新市鄉', '臺南市', '新市區', '744'],
  ['高雄縣', '鳳山市', '高雄市', '鳳山區', '830'],
  ['高雄縣', '岡山鎮', '高雄市', '岡山區', '820'],
  ['高雄縣', '那瑪夏鄉', '高雄市', '那瑪夏區', '849'],
  ['高雄縣', '茄萣鄉', '高雄市', '茄萣區', '852'],
];

describe('a former 縣 (臺北縣 → 新北市 …, 2010; 桃園縣 → 桃園市, 2014)', () => {
  it.each(KNOWN)('%s%s is %s%s, %s', (county, district, nowCounty, nowDistrict, code) => {
    expect(locateArea(twzipcodeDirectory, county, district)).toEqual({ county: nowCounty, district: nowDistrict, postalCode: code });
  });

  it('reads 台 for 臺, spaces, and the 縣 written with the new 區', () => {
    expect(locateArea(twzipcodeDirectory, '台北縣', '板橋市')).toMatchObject({ county: '新北市', district: '板橋區', postalCode: '220' });
    expect(locateArea(twzipcodeDirectory, ' 台中縣 ', '大 里 市')).toMatchObject({ county: '臺中市', district: '大里區', postalCode: '412' });
    expect(locateArea(twzipcodeDirectory, '臺北縣', '板橋區')).toMatchObject({ county: '新北市', district: '板橋區' });
  });

  it('each 縣 reaches exactly as many 區 as it had 鄉鎮市 (29, 21, 31, 27, 13), each in today\'s city with the same name stem', () => {
    const reached = (former: string, now: string): string[] => {
      const districts = twzipcodeDirectory.counties().find((c) => c.name === now)?.districts ?? [];
      const found = new Set<string>();
      for (const d of districts) {
        for (const suffix of ['鄉', '鎮', '市']) {
          const stem = d.name.replace(/區$/u, '');
          const area = locateArea(twzipcodeDirectory, former, stem + suffix);
          if ('unknown' in area) continue;
          expect(area.county).toBe(now);
          expect(area.district).toBe(`${stem}區`);
          found.add(area.district);
        }
      }
      return [...found];
    };
    expect(reached('臺北縣', '新北市')).toHaveLength(29);
    expect(reached('臺中縣', '臺中市')).toHaveLength(21);
    expect(reached('臺南縣', '臺南市')).toHaveLength(31);
    expect(reached('高雄縣', '高雄市')).toHaveLength(27);
    expect(reached('桃園縣', '桃園市')).toHaveLength(13);
  });

  it('a name that would land in a 區 the 縣 never had is refused naming the district, not placed', () => {
    // 高雄縣三民鄉 was renamed 那瑪夏鄉 in 2008 (849); 三民區 (807) was 高雄市's.
    expect(locateArea(twzipcodeDirectory, '高雄縣', '三民鄉')).toMatchObject({ unknown: 'district' });
    // The old cities' 區 were never in the 縣.
    expect(locateArea(twzipcodeDirectory, '臺中縣', '北屯區')).toMatchObject({ unknown: 'district' });
    expect(locateArea(twzipcodeDirectory, '臺南縣', '東區')).toMatchObject({ unknown: 'district' });
    expect(locateArea(twzipcodeDirectory, '臺南縣', '安平鄉')).toMatchObject({ unknown: 'district' });
    // Today's city with an old 鄉鎮 name, and another 縣's 鄉.
    expect(locateArea(twzipcodeDirectory, '新北市', '板橋市')).toMatchObject({ unknown: 'district' });
    expect(locateArea(twzipcodeDirectory, '臺北縣', '中壢市')).toMatchObject({ unknown: 'district' });
    expect(locateArea(twzipcodeDirectory, '臺灣縣', '板橋市')).toMatchObject({ unknown: 'county' });
    const refused = locateArea(twzipcodeDirectory, '高雄縣', '三民鄉');
    expect('reason' in refused && refused.reason).toContain('高雄市');
  });

  it('the 縣市 and the 鄉鎮市區 are two fields: a name split across them elsewhere is not read as the two joined', () => {
    // The selects give whole names; joined, these spell 臺北市中正區 and 臺北縣板橋市, but neither field is one.
    expect(locateArea(twzipcodeDirectory, '臺北市中', '正區')).toMatchObject({ unknown: 'county' });
    expect(locateArea(twzipcodeDirectory, '臺北縣板', '橋市')).toMatchObject({ unknown: 'county' });
    expect(locateArea(twzipcodeDirectory, '臺北', '縣板橋市')).toMatchObject({ unknown: 'county' });
    expect(locateArea(twzipcodeDirectory, '新北', '市板橋區')).toMatchObject({ unknown: 'county' });
    // Whole names still are.
    expect(locateArea(twzipcodeDirectory, '臺北縣', '板橋市')).toMatchObject({ county: '新北市', district: '板橋區' });
  });

  it('a whole address: a leading code, a province and the former names are read; the rest is what follows', () => {
    expect(areaPrefix(twzipcodeDirectory, '220臺灣省臺北縣板橋市文化路一段1號')).toEqual({ county: '新北市', district: '板橋區', postalCode: '220', rest: '文化路一段1號' });
    expect(areaPrefix(twzipcodeDirectory, '台灣省 桃園縣 中壢市 中大路300號')).toMatchObject({ county: '桃園市', district: '中壢區', rest: '中大路300號' });
    expect(areaPrefix(twzipcodeDirectory, '高雄縣三民鄉民權村1號')).toBeUndefined();
    // Today's names are read as before.
    expect(areaPrefix(twzipcodeDirectory, '桃園市桃園區縣府路1號')).toMatchObject({ county: '桃園市', district: '桃園區', postalCode: '330', rest: '縣府路1號' });
  });

  it('a host directory without the city reads no former name of it; one that lists a former name is answered as it says', () => {
    const hosts = new StaticPostalCodeDirectory([
      { county: '臺北市', district: '中正區', postalCode: '100' },
      { county: '桃園縣', district: '中壢市', postalCode: '320' },
    ]);
    expect(locateArea(hosts, '臺北縣', '板橋市')).toMatchObject({ unknown: 'county' });
    expect(locateArea(hosts, '桃園縣', '中壢市')).toEqual({ county: '桃園縣', district: '中壢市', postalCode: '320' });
  });
});

describe('a former 縣\'s place is read by the name it had, not by any of 鄉 / 鎮 / 市', () => {
  it('every listed name is today\'s 區 of the same stem in the 郵遞區號 table, no other suffix is, and each 縣 had as many places as it has 區 (29, 21, 31, 27, 13)', () => {
    const counts: Record<string, number> = {};
    for (const former of FORMER_COUNTIES) {
      const reached = new Set<string>();
      for (const place of former.places) {
        expect(place).toMatch(/^.{2,3}[鄉鎮市]$/u);
        const area = locateArea(twzipcodeDirectory, former.name, place);
        expect(area, `${former.name}${place}`).toMatchObject({ county: former.now, district: `${place.slice(0, -1)}區` });
        if (!('unknown' in area)) reached.add(area.district);
        // With a suffix it did not have, the place is not read (新市市, 板橋鎮).
        for (const other of ['鄉', '鎮', '市'].map((suffix) => place.slice(0, -1) + suffix).filter((name) => !former.places.includes(name))) {
          expect(locateArea(twzipcodeDirectory, former.name, other), `${former.name}${other}`).toMatchObject({ unknown: 'district' });
        }
      }
      counts[former.name] = reached.size;
    }
    expect(counts).toEqual({ 臺北縣: 29, 臺中縣: 21, 臺南縣: 31, 高雄縣: 27, 桃園縣: 13 });
  });

  it('臺南縣新市市場路 (新市 was 新市鄉) is refused with the name it had, not read as 新市 + 場路', () => {
    expect(areaPrefix(twzipcodeDirectory, '臺南縣新市鄉市場路1號')).toEqual({ county: '臺南市', district: '新市區', postalCode: '744', rest: '市場路1號' });
    const refused = areaPrefix(twzipcodeDirectory, '臺南縣新市市場路1號');
    expect(refused).toEqual({ unplaced: expect.stringContaining('新市鄉') });
    expect(JSON.stringify(refused)).toContain('臺南市新市區');
    // The same in the two fields, with a suffix the place never had or none.
    for (const district of ['新市市', '新市鎮', '新市']) {
      const area = locateArea(twzipcodeDirectory, '臺南縣', district);
      expect(area).toMatchObject({ unknown: 'district', reason: expect.stringContaining('新市鄉') });
    }
  });

  it('a 鄉, 鎮 or 市 is read only with its own suffix (板橋市, 淡水鎮, 大里市, 岡山鎮, 大溪鎮), never another', () => {
    const wrong: ReadonlyArray<readonly [string, string]> = [
      ['臺北縣', '板橋鎮'],
      ['臺北縣', '淡水市'],
      ['臺北縣', '烏來鎮'],
      ['臺中縣', '大里鄉'],
      ['臺中縣', '大甲市'],
      ['臺南縣', '永康鄉'],
      ['高雄縣', '岡山市'],
      ['高雄縣', '鳳山鎮'],
      ['桃園縣', '大溪市'],
      ['桃園縣', '中壢鎮'],
    ];
    for (const [county, district] of wrong) {
      expect(locateArea(twzipcodeDirectory, county, district), county + district).toMatchObject({ unknown: 'district' });
      expect(areaPrefix(twzipcodeDirectory, `${county}${district}中山路1號`), county + district).toMatchObject({ unplaced: expect.any(String) });
    }
    // The names they had, and the 縣 written with the 區, are read.
    expect(areaPrefix(twzipcodeDirectory, '臺北縣淡水鎮中正路1號')).toMatchObject({ county: '新北市', district: '淡水區', rest: '中正路1號' });
    expect(areaPrefix(twzipcodeDirectory, '臺中縣大里市中興路1號')).toMatchObject({ county: '臺中市', district: '大里區', rest: '中興路1號' });
    expect(areaPrefix(twzipcodeDirectory, '臺北縣板橋區文化路一段1號')).toMatchObject({ county: '新北市', district: '板橋區', rest: '文化路一段1號' });
  });

  it('桃園縣\'s two late changes: 楊梅鎮 (to 2010-08-01) and 楊梅市, 蘆竹鄉 (to 2014-06-03) and 蘆竹市, each read', () => {
    for (const district of ['楊梅鎮', '楊梅市']) expect(locateArea(twzipcodeDirectory, '桃園縣', district)).toEqual({ county: '桃園市', district: '楊梅區', postalCode: '326' });
    for (const district of ['蘆竹鄉', '蘆竹市']) expect(locateArea(twzipcodeDirectory, '桃園縣', district)).toEqual({ county: '桃園市', district: '蘆竹區', postalCode: '338' });
    expect(locateArea(twzipcodeDirectory, '桃園縣', '蘆竹鎮')).toMatchObject({ unknown: 'district', reason: expect.stringContaining('蘆竹鄉 or 蘆竹市') });
  });
});

describe('a former 縣轄市 written without its 縣 (板橋市文化路…)', () => {
  it('is read as today\'s 縣市 and 區 when no other place of Taiwan has the name; today\'s 市 (新竹市, 嘉義市, 臺中市 …) are not taken for one', () => {
    expect(areaPrefix(twzipcodeDirectory, '板橋市文化路一段1號')).toEqual({ county: '新北市', district: '板橋區', postalCode: '220', rest: '文化路一段1號' });
    expect(areaPrefix(twzipcodeDirectory, '220 臺灣省 中壢市中大路300號')).toEqual({ county: '桃園市', district: '中壢區', postalCode: '320', rest: '中大路300號' });
    expect(areaPrefix(twzipcodeDirectory, '鳳山市光復路二段132號')).toMatchObject({ county: '高雄市', district: '鳳山區', postalCode: '830' });
    expect(areaPrefix(twzipcodeDirectory, '台中縣大里市中興路1號')).toMatchObject({ county: '臺中市', district: '大里區' });
    expect(areaPrefix(twzipcodeDirectory, '永康市中華路1號')).toMatchObject({ county: '臺南市', district: '永康區', postalCode: '710' });
    expect(areaPrefix(twzipcodeDirectory, '蘆竹市南崁路1號')).toMatchObject({ county: '桃園市', district: '蘆竹區', postalCode: '338' });
    // Today's 市 stay what they are; a 鄉 or 鎮 alone, and a 縣轄市 after another 縣市, are not read.
    expect(areaPrefix(twzipcodeDirectory, '新竹市東區光復路二段1號')).toMatchObject({ county: '新竹市', district: '東區', postalCode: '300' });
    expect(areaPrefix(twzipcodeDirectory, '嘉義市西區中山路1號')).toMatchObject({ county: '嘉義市', district: '西區' });
    expect(areaPrefix(twzipcodeDirectory, '臺中市北屯區文心路1號')).toMatchObject({ county: '臺中市', district: '北屯區' });
    // 臺中市, 臺南市 and 高雄市 were 省轄市 before 2010, never a 縣's: alone they name no 區.
    expect(areaPrefix(twzipcodeDirectory, '臺中市文心路1號')).toBeUndefined();
    expect(areaPrefix(twzipcodeDirectory, '淡水鎮中正路1號')).toBeUndefined();
    expect(areaPrefix(twzipcodeDirectory, '新北市板橋市文化路1號')).toBeUndefined();
  });

  it('each of the 22 former 縣轄市 (楊梅市 and 蘆竹市, of 2010 and 2014, included) but 桃園市 is read alone; 桃園市 alone is refused, naming both places', () => {
    const cities = FORMER_COUNTIES.flatMap((f) => f.places.filter((p) => p.endsWith('市')).map((p) => [f, p] as const));
    expect(cities).toHaveLength(22);
    for (const [former, city] of cities) {
      if (city === '桃園市') continue;
      expect(areaPrefix(twzipcodeDirectory, `${city}中山路1號`), city).toMatchObject({ county: former.now, district: `${city.slice(0, -1)}區`, rest: '中山路1號' });
    }
    // Today's 桃園市 without its 區, or 桃園縣's 桃園市 (now 桃園區): either could be meant.
    const refused = areaPrefix(twzipcodeDirectory, '桃園市中正路1號');
    expect(refused).toMatchObject({ unplaced: expect.stringContaining('桃園縣') });
    expect(JSON.stringify(refused)).toContain('桃園市桃園區');
    // With its 區 or its 縣 it is one place.
    expect(areaPrefix(twzipcodeDirectory, '桃園市桃園區中正路1號')).toMatchObject({ county: '桃園市', district: '桃園區', rest: '中正路1號' });
    expect(areaPrefix(twzipcodeDirectory, '桃園縣桃園市中正路1號')).toMatchObject({ county: '桃園市', district: '桃園區', rest: '中正路1號' });
  });

  it('uniqueness is the directory\'s: a host directory that also lists the name elsewhere makes it ambiguous', () => {
    const rows = twzipcodeDirectory.counties().flatMap((c) => c.districts.map((d) => ({ county: c.name, district: d.name, postalCode: d.postalCode })));
    const host = new StaticPostalCodeDirectory([...rows, { county: '苗栗縣', district: '中壢市', postalCode: '999' }]);
    expect(areaPrefix(host, '中壢市中大路300號')).toMatchObject({ unplaced: expect.stringContaining('苗栗縣中壢市') });
    expect(areaPrefix(host, '板橋市文化路一段1號')).toMatchObject({ county: '新北市', district: '板橋區' });
  });
});

describe('today\'s 縣轄市 written without its 縣 (竹北市光明六路…)', () => {
  /** Today's 縣轄市 as the directory has them: a 鄉鎮市區 named 市 of a 縣. */
  const todays = (directory: PostalCodeDirectory): Array<readonly [string, string, string]> =>
    directory.counties().flatMap((c) => (c.name.endsWith('縣') ? c.districts.filter((d) => d.name.endsWith('市')).map((d) => [c.name, d.name, d.postalCode] as const) : []));
  const rowsOf = (directory: PostalCodeDirectory): Array<{ county: string; district: string; postalCode: string }> =>
    directory.counties().flatMap((c) => c.districts.map((d) => ({ county: c.name, district: d.name, postalCode: d.postalCode })));

  it('each of the 14 is read as its 縣 + 市 with the directory\'s code, the rest after it', () => {
    const cities = todays(twzipcodeDirectory);
    // The directory's, not a list of ours: 宜蘭市 … 馬公市, with 頭份市 and 員林市 (市 since 2015).
    expect(cities.map(([county, city]) => county + city).sort()).toEqual(
      [
        '宜蘭縣宜蘭市', '新竹縣竹北市', '苗栗縣頭份市', '苗栗縣苗栗市', '彰化縣彰化市', '彰化縣員林市', '南投縣南投市',
        '嘉義縣太保市', '嘉義縣朴子市', '雲林縣斗六市', '澎湖縣馬公市', '屏東縣屏東市', '臺東縣臺東市', '花蓮縣花蓮市',
      ].sort(),
    );
    for (const [county, city, postalCode] of cities) {
      expect(areaPrefix(twzipcodeDirectory, `${city}中山路1號`), city).toEqual({ county, district: city, postalCode, rest: '中山路1號' });
    }
    expect(areaPrefix(twzipcodeDirectory, '竹北市光明六路10號')).toEqual({ county: '新竹縣', district: '竹北市', postalCode: '302', rest: '光明六路10號' });
    expect(areaPrefix(twzipcodeDirectory, '頭份市中華路1號')).toMatchObject({ county: '苗栗縣', district: '頭份市', postalCode: '351' });
    // 台 for 臺, a leading code and province as with the other names.
    expect(areaPrefix(twzipcodeDirectory, '950台灣省台東市中華路1號')).toEqual({ county: '臺東縣', district: '臺東市', postalCode: '950', rest: '中華路1號' });
    // With its 縣, as before.
    expect(areaPrefix(twzipcodeDirectory, '新竹縣竹北市光明六路10號')).toMatchObject({ county: '新竹縣', district: '竹北市', rest: '光明六路10號' });
  });

  it('today\'s 市 are not 縣轄市: 新竹市 and 嘉義市 alone name no 區 (新竹縣\'s seat is 竹北市, 嘉義縣\'s 太保市); a 鄉 or 鎮 alone is not read', () => {
    expect(areaPrefix(twzipcodeDirectory, '新竹市光復路二段1號')).toBeUndefined();
    expect(areaPrefix(twzipcodeDirectory, '嘉義市中山路1號')).toBeUndefined();
    expect(areaPrefix(twzipcodeDirectory, '新竹市東區光復路二段1號')).toMatchObject({ county: '新竹市', district: '東區', postalCode: '300' });
    expect(areaPrefix(twzipcodeDirectory, '嘉義市西區中山路1號')).toMatchObject({ county: '嘉義市', district: '西區', postalCode: '600' });
    expect(areaPrefix(twzipcodeDirectory, '太保市祥和一路1號')).toMatchObject({ county: '嘉義縣', district: '太保市', postalCode: '612' });
    expect(areaPrefix(twzipcodeDirectory, '竹東鎮中山路1號')).toBeUndefined();
    expect(areaPrefix(twzipcodeDirectory, '新竹縣竹東鎮中山路1號')).toMatchObject({ county: '新竹縣', district: '竹東鎮' });
    // Another 縣 before it is no address of the directory.
    expect(areaPrefix(twzipcodeDirectory, '苗栗縣竹北市光明六路10號')).toBeUndefined();
  });

  it('a name that is also another place of the directory is refused naming both readings: two 縣 with the 市, or a 縣 with a 市 named as today\'s city', () => {
    const rows = rowsOf(twzipcodeDirectory);
    // A host's older table that still lists 新竹市 as 新竹縣's (before 1982): 新竹市 alone is today's city or that.
    const older = new StaticPostalCodeDirectory([...rows, { county: '新竹縣', district: '新竹市', postalCode: '300' }]);
    const hsinchu = areaPrefix(older, '新竹市光復路二段1號');
    expect(hsinchu).toEqual({ unplaced: expect.stringContaining("today's 新竹市") });
    expect(JSON.stringify(hsinchu)).toContain('新竹縣新竹市');
    // Either, written whole, is one place.
    expect(areaPrefix(older, '新竹市東區光復路二段1號')).toMatchObject({ county: '新竹市', district: '東區' });
    expect(areaPrefix(older, '新竹縣新竹市光復路二段1號')).toMatchObject({ county: '新竹縣', district: '新竹市' });
    // 竹北市 listed under a second 縣.
    const twice = new StaticPostalCodeDirectory([...rows, { county: '苗栗縣', district: '竹北市', postalCode: '999' }]);
    const chupei = areaPrefix(twice, '竹北市光明六路10號');
    expect(chupei).toEqual({ unplaced: expect.stringContaining('新竹縣竹北市') });
    expect(JSON.stringify(chupei)).toContain('苗栗縣竹北市');
    // The others stay read.
    expect(areaPrefix(twice, '頭份市中華路1號')).toMatchObject({ county: '苗栗縣', district: '頭份市' });
  });

  it('a host directory\'s own 縣轄市 are read; one that has no 縣 reads none alone', () => {
    const hosts = new StaticPostalCodeDirectory([
      { county: '新竹縣', district: '竹北市', postalCode: '302' },
      { county: '新竹市', district: '東區', postalCode: '300' },
    ]);
    expect(areaPrefix(hosts, '竹北市光明六路10號')).toMatchObject({ county: '新竹縣', district: '竹北市', postalCode: '302' });
    // A 市 of a 市 is not a 縣轄市 (the directory's own shape decides, nothing hand-written).
    const cityOnly = new StaticPostalCodeDirectory([{ county: '臺北市', district: '中正市', postalCode: '100' }]);
    expect(areaPrefix(cityOnly, '中正市重慶南路1號')).toBeUndefined();
  });
});

describe('a host directory that cannot answer', () => {
  const code = (f: () => unknown): string | undefined => {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(EnrollError);
      return (e as EnrollError).code;
    }
    return undefined;
  };

  it('one that throws is POSTAL_CODES_UNAVAILABLE, with the cause', () => {
    const cause = new Error('ENOENT');
    const throwing: PostalCodeDirectory = {
      find: () => {
        throw cause;
      },
      counties: () => {
        throw cause;
      },
    };
    expect(code(() => locateArea(throwing, '臺北市', '中正區'))).toBe('POSTAL_CODES_UNAVAILABLE');
    expect(code(() => areaPrefix(throwing, '臺北市中正區重慶南路一段122號'))).toBe('POSTAL_CODES_UNAVAILABLE');
    let caught: unknown;
    try {
      areaPrefix(throwing, '臺北市');
    } catch (e) {
      caught = e;
    }
    expect((caught as EnrollError).cause).toBe(cause);
  });

  it('a list that is not one of 縣市 with 3-digit codes is POSTAL_CODES_UNAVAILABLE, not a TypeError or a stored bad code', () => {
    const answering = (counties: unknown): PostalCodeDirectory => ({ find: () => undefined, counties: () => counties as never });
    expect(code(() => areaPrefix(answering(undefined), '臺北市中正區1號'))).toBe('POSTAL_CODES_UNAVAILABLE');
    expect(code(() => areaPrefix(answering([{ name: '臺北市' }]), '臺北市中正區1號'))).toBe('POSTAL_CODES_UNAVAILABLE');
    expect(code(() => areaPrefix(answering([{ name: '臺北市', districts: [{ name: '中正區', postalCode: '1' }] }]), '臺北市中正區1號'))).toBe(
      'POSTAL_CODES_UNAVAILABLE',
    );
    expect(code(() => locateArea(answering([{ name: '臺北市', districts: [{ name: '中正區', postalCode: 100 }] }]), '臺北縣', '板橋市'))).toBe(
      'POSTAL_CODES_UNAVAILABLE',
    );
  });

  // Each reading of a host's list that threw (or answered a TypeError later) through areaPrefix, locateArea and the
  // selects' list, where only the directory's call itself was guarded: the request failed 500, not 503.
  describe('a list that throws or changes as it is read is POSTAL_CODES_UNAVAILABLE with the cause, or read once', () => {
    const answering = (counties: unknown): PostalCodeDirectory => ({ find: () => undefined, counties: () => counties as never });
    const TAIPEI = { name: '中正區', postalCode: '100' };
    /** What reading `list` through each entry point gives: the code, and the cause of the refusal. */
    const refusals = (list: unknown): unknown[] => {
      const out: unknown[] = [];
      for (const read of [
        (d: PostalCodeDirectory) => areaPrefix(d, '臺北市中正區1號'),
        (d: PostalCodeDirectory) => locateArea(d, '臺北縣', '板橋市'),
        (d: PostalCodeDirectory) => checkedCounties(d),
      ]) {
        try {
          read(answering(list));
          out.push('answered');
        } catch (e) {
          out.push(e instanceof EnrollError ? [e.code, e.cause instanceof Error ? e.cause.message : e.cause] : e);
        }
      }
      return out;
    };
    const thrice = (answer: unknown): unknown[] => [answer, answer, answer];

    it('a revoked Proxy for the list (Array.isArray throws)', () => {
      const { proxy, revoke } = Proxy.revocable<unknown[]>([], {});
      revoke();
      expect(refusals(proxy)).toEqual(thrice(['POSTAL_CODES_UNAVAILABLE', expect.stringContaining('revoked')]));
    });

    it('a Proxy list whose reads throw', () => {
      const list = new Proxy([{ name: '臺北市', districts: [TAIPEI] }], {
        get: () => {
          throw new Error('the table is being reloaded');
        },
      });
      expect(refusals(list)).toEqual(thrice(['POSTAL_CODES_UNAVAILABLE', 'the table is being reloaded']));
    });

    it('a 縣市 whose name is a getter that throws', () => {
      const county = {
        get name(): string {
          throw new Error('lazy row failed to load');
        },
        districts: [TAIPEI],
      };
      expect(refusals([county])).toEqual(thrice(['POSTAL_CODES_UNAVAILABLE', 'lazy row failed to load']));
    });

    it('鄉鎮市區 that cannot be iterated', () => {
      const districts = [TAIPEI];
      Object.defineProperty(districts, Symbol.iterator, {
        value: () => {
          throw new Error('cursor closed');
        },
      });
      expect(refusals([{ name: '臺北市', districts }])).toEqual(thrice(['POSTAL_CODES_UNAVAILABLE', 'cursor closed']));
    });

    it('an empty name (no place, nor a select\'s option) is refused as a nameless one is', () => {
      expect(refusals([{ name: '臺北市', districts: [{ name: '', postalCode: '100' }] }])).toEqual(thrice(['POSTAL_CODES_UNAVAILABLE', undefined]));
      expect(refusals([{ name: ' ', districts: [TAIPEI] }])).toEqual(thrice(['POSTAL_CODES_UNAVAILABLE', undefined]));
    });

    it('getters that answer once and then fail are read once: the list is used as first read, a plain frozen copy', () => {
      let reads = 0;
      const county = {
        get name(): string {
          reads += 1;
          if (reads > 1) throw new Error('read twice');
          return '臺北市';
        },
        districts: [TAIPEI],
        internalId: 42,
      };
      const directory = answering([county]);
      expect(areaPrefix(directory, '臺北市中正區1號')).toEqual({ county: '臺北市', district: '中正區', postalCode: '100', rest: '1號' });
      const list = checkedCounties(directory);
      // What a host serializes for the selects: plain data, without the row's other fields, the same each call.
      expect(JSON.parse(JSON.stringify(list))).toEqual([{ name: '臺北市', districts: [TAIPEI] }]);
      expect(Object.isFrozen(list) && Object.isFrozen(list[0]) && Object.isFrozen(list[0]?.districts)).toBe(true);
      expect(checkedCounties(directory)).toBe(list);
      expect(reads).toBe(1);
    });

    it('a find() answer that cannot be written into the message (a BigInt, a Proxy) is POSTAL_CODES_UNAVAILABLE', () => {
      const trap = new Proxy({}, {
        get: () => {
          throw new Error('trap');
        },
      });
      for (const answer of [100n, trap]) {
        const directory: PostalCodeDirectory = { find: () => answer as never, counties: () => [] };
        expect(code(() => locateArea(directory, '臺北市', '中正區'))).toBe('POSTAL_CODES_UNAVAILABLE');
      }
    });
  });
});
