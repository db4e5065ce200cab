// Cities as customers write them (上海市, 上海, Shanghai, 廣州, Canton) brought to one key.
import { hasHan, toPinyin, toSimplified } from './chinese.js';
import { asciiLetters } from './latin.js';

// Keys for Han names whose pinyin is not how the city is known in Latin script: Hong Kong,
// Macau and Taiwan spell their own names, and foreign cities have their own. The pinyin of 巴黎
// is bali, which would make Paris meet Bali.
const HAN_CITY_KEYS: ReadonlyMap<string, string> = new Map([
  ['香港', 'hongkong'],
  ['澳门', 'macau'],
  ['台北', 'taipei'],
  ['新北', 'newtaipei'],
  ['高雄', 'kaohsiung'],
  ['台中', 'taichung'],
  ['台南', 'tainan'],
  ['新竹', 'hsinchu'],
  ['基隆', 'keelung'],
  ['桃园', 'taoyuan'],
  ['新加坡', 'singapore'],
  ['吉隆坡', 'kualalumpur'],
  ['曼谷', 'bangkok'],
  ['东京', 'tokyo'],
  ['大阪', 'osaka'],
  ['首尔', 'seoul'],
  ['伦敦', 'london'],
  ['巴黎', 'paris'],
  ['柏林', 'berlin'],
  ['纽约', 'newyork'],
  ['洛杉矶', 'losangeles'],
  ['旧金山', 'sanfrancisco'],
  ['悉尼', 'sydney'],
  ['墨尔本', 'melbourne'],
  ['温哥华', 'vancouver'],
  ['多伦多', 'toronto'],
  ['迪拜', 'dubai'],
  ['莫斯科', 'moscow'],
  ['雅加达', 'jakarta'],
  ['胡志明', 'hochiminh'],
  ['河内', 'hanoi'],
  ['马尼拉', 'manila'],
]);

// Older and local Latin spellings to the key of the same city (Peking is Beijing), and pinyin
// written out by hand for the cities keyed above (Xianggang is Hong Kong).
const LATIN_CITY_ALIASES: ReadonlyMap<string, string> = new Map([
  ['peking', 'beijing'],
  ['peiping', 'beijing'],
  ['canton', 'guangzhou'],
  ['amoy', 'xiamen'],
  ['tientsin', 'tianjin'],
  ['nanking', 'nanjing'],
  ['chungking', 'chongqing'],
  ['tsingtao', 'qingdao'],
  ['sian', 'xian'],
  ['hangchow', 'hangzhou'],
  ['soochow', 'suzhou'],
  ['macao', 'macau'],
  ['xianggang', 'hongkong'],
  ['aomen', 'macau'],
  ['taibei', 'taipei'],
  ['gaoxiong', 'kaohsiung'],
  ['taizhong', 'taichung'],
  ['xinzhu', 'hsinchu'],
  ['jilong', 'keelung'],
  ['saigon', 'hochiminh'],
  ['bombay', 'mumbai'],
]);

// A province or region before the city (广东省深圳市), and endings that name the kind of place.
const HAN_REGION_PREFIX = /^.+?(?:省|自治区|特别行政区)(?=.)/u;
const HAN_SUFFIXES = ['特别行政区', '自治区', '自治州', '地区', '省', '市'];
const LATIN_SUFFIXES = [' city', ' shi', ' province', ' sheng'];

/**
 * Simplified, lower-cased city with 市/省/city suffixes removed (上海市 → 上海, 'Shanghai' →
 * 'shanghai'), or null when there are no letters. An address that starts with a city keeps
 * only the city (广东省深圳市南山区 → 深圳; "Shanghai, China" → shanghai).
 */
export function normalizeCity(raw: string): string | null {
  if (typeof raw !== 'string' || raw.length > 500) return null;
  const text = toSimplified(raw.replace(/\p{C}/gu, '').normalize('NFKC')).toLowerCase();
  const readCity = hasHan(text) ? hanCity : latinCity;
  // Repeated to a fixed point so that the result reads as itself (上海市市 → 上海, not 上海市).
  let city = readCity(text);
  for (let next = readCity(city); next !== city; next = readCity(city)) city = next;
  return /\p{L}/u.test(city) ? city : null;
}

/** One comparable key across scripts: 上海 / 上海市 / Shanghai → 'shanghai'; 香港 / Hong Kong → 'hongkong'. */
export function cityKey(raw: string): string | null {
  const city = normalizeCity(raw);
  if (city === null) return null;
  const known = HAN_CITY_KEYS.get(city);
  if (known) return known;
  const letters = asciiLetters(
    hasHan(city) ? city.replace(/\p{Script=Han}+/gu, (han) => toPinyin(han)) : city,
  );
  return letters ? (LATIN_CITY_ALIASES.get(letters) ?? letters) : null;
}

function hanCity(text: string): string {
  let s = firstPart(text)
    .replace(/\s+/gu, '')
    .replace(/^中国(?=.)/u, '');
  for (let next = s.replace(HAN_REGION_PREFIX, ''); next !== s; next = s.replace(HAN_REGION_PREFIX, ''))
    s = next;
  // Whatever follows the first 市 is a district or street; 市中区 (Jinan) starts with 市 and stays.
  const shi = s.indexOf('市');
  if (shi > 0) s = s.slice(0, shi);
  return withoutSuffixes(s, HAN_SUFFIXES);
}

function latinCity(text: string): string {
  return withoutSuffixes(
    firstPart(text)
      .replace(/\s+/gu, ' ')
      .replace(/^city of /, ''),
    LATIN_SUFFIXES,
  );
}

/** "Shanghai, China" → "Shanghai": the city comes first in a comma-separated place. */
function firstPart(text: string): string {
  return (text.split(',')[0] ?? '').trim();
}

function withoutSuffixes(text: string, suffixes: readonly string[]): string {
  let s = text;
  for (let cut = true; cut; ) {
    cut = false;
    for (const suffix of suffixes) {
      if (s.length > suffix.length && s.endsWith(suffix)) {
        s = s.slice(0, -suffix.length).trim();
        cut = true;
      }
    }
  }
  return s;
}
