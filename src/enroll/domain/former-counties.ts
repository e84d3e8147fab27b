/**
 * The five 縣 that became 直轄市, and the names of their 鄉, 鎮 and 縣轄市: what
 * older records (a company's registration, an envelope) still write, and what the
 * 郵遞區號 table, which has today's 區 only, no longer says. Historical and closed:
 * nothing is added to it.
 *
 * Source of the facts: the 改制 of 2010-12-25 (臺北縣 → 新北市; 臺中縣, 臺南縣 and
 * 高雄縣 merged with the 市 of the same name) and of 2014-12-25 (桃園縣 → 桃園市),
 * by which each 鄉, 鎮 and 縣轄市 became the 區 of the same name stem (板橋市 →
 * 板橋區), keeping its 3-digit 郵遞區號; and the two suffix changes of 桃園縣's last
 * years: 楊梅鎮 became 楊梅市 on 2010-08-01, 蘆竹鄉 became 蘆竹市 on 2014-06-03.
 *
 * Each place is listed under the names it had from 2010 until its 縣's 改制: the
 * name at the 改制, and for 楊梅 and 蘆竹 the one before it as well. A name a place
 * bore only earlier (土城鄉 before 1993, 三民鄉 before 2008 …) is not listed, so it
 * is refused, never read as another place.
 */

/** A 縣 upgraded to (or merged into) a 直轄市. */
export interface FormerCounty {
  /** The 縣 as older records write it. */
  readonly name: string;
  /** The 直轄市 it is part of today. */
  readonly now: string;
  /** The day its 鄉, 鎮 and 縣轄市 became 區. */
  readonly upgraded: string;
  /**
   * Its 鄉, 鎮 and 縣轄市 by the names listed (see the module's note): each is its name stem and one suffix, and
   * the stem with 區 is today's 區 of `now`.
   */
  readonly places: readonly string[];
}

export const FORMER_COUNTIES: readonly FormerCounty[] = [
  {
    name: '臺北縣',
    now: '新北市',
    upgraded: '2010-12-25',
    places: [
      ...['板橋市', '三重市', '中和市', '永和市', '新莊市', '新店市', '土城市', '蘆洲市', '汐止市', '樹林市'],
      ...['鶯歌鎮', '三峽鎮', '淡水鎮', '瑞芳鎮'],
      ...['五股鄉', '泰山鄉', '林口鄉', '深坑鄉', '石碇鄉', '坪林鄉', '三芝鄉', '石門鄉', '八里鄉', '平溪鄉', '雙溪鄉', '貢寮鄉', '金山鄉', '萬里鄉', '烏來鄉'],
    ],
  },
  {
    name: '臺中縣',
    now: '臺中市',
    upgraded: '2010-12-25',
    places: [
      ...['豐原市', '大里市', '太平市'],
      ...['東勢鎮', '大甲鎮', '清水鎮', '沙鹿鎮', '梧棲鎮'],
      ...['后里鄉', '神岡鄉', '潭子鄉', '大雅鄉', '新社鄉', '石岡鄉', '外埔鄉', '大安鄉', '烏日鄉', '大肚鄉', '龍井鄉', '霧峰鄉', '和平鄉'],
    ],
  },
  {
    name: '臺南縣',
    now: '臺南市',
    upgraded: '2010-12-25',
    places: [
      ...['新營市', '永康市'],
      ...['鹽水鎮', '白河鎮', '麻豆鎮', '佳里鎮', '新化鎮', '善化鎮', '學甲鎮'],
      ...['柳營鄉', '後壁鄉', '東山鄉', '下營鄉', '六甲鄉', '官田鄉', '大內鄉', '西港鄉', '七股鄉', '將軍鄉', '北門鄉'],
      ...['新市鄉', '安定鄉', '山上鄉', '玉井鄉', '楠西鄉', '南化鄉', '左鎮鄉', '仁德鄉', '歸仁鄉', '關廟鄉', '龍崎鄉'],
    ],
  },
  {
    name: '高雄縣',
    now: '高雄市',
    upgraded: '2010-12-25',
    places: [
      '鳳山市',
      ...['岡山鎮', '旗山鎮', '美濃鎮'],
      ...['林園鄉', '大寮鄉', '大樹鄉', '仁武鄉', '大社鄉', '鳥松鄉', '橋頭鄉', '燕巢鄉', '田寮鄉', '阿蓮鄉', '路竹鄉', '湖內鄉'],
      ...['茄萣鄉', '永安鄉', '彌陀鄉', '梓官鄉', '六龜鄉', '甲仙鄉', '杉林鄉', '內門鄉', '茂林鄉', '桃源鄉', '那瑪夏鄉'],
    ],
  },
  {
    name: '桃園縣',
    now: '桃園市',
    upgraded: '2014-12-25',
    places: [
      ...['桃園市', '中壢市', '平鎮市', '八德市'],
      // Each with the name it had before its change (2010-08-01, 2014-06-03), then the one after.
      ...['楊梅鎮', '楊梅市', '蘆竹鄉', '蘆竹市'],
      '大溪鎮',
      ...['大園鄉', '龜山鄉', '龍潭鄉', '新屋鄉', '觀音鄉', '復興鄉'],
    ],
  },
];
