// Common Chinese surnames, simplified script. The single-character list is the ~400 most
// frequent (census rankings; together well over 95% of the population); the compound list is
// the 复姓 of the 百家姓 and a few later ones (独孤, 完颜, 爱新觉罗), less those whose first
// character is a common surname and whose second often starts a given name (单于: 单 + 于…;
// 宗政: 宗 + 政…), where reading a compound would mis-split far more people than it helps.
// The lists decide two things only: whether a name's first two characters are one surname,
// and whether what is left beside an honorific (小王, 刘总) is a surname at all.

const SINGLE =
  '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢' +
  '姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫阎段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康' +
  '施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷' +
  '盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏' +
  '席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠荆乐冀' +
  '郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强帅屠豆朴盖练廉禹井祖漆巴丰支卿国狄平计索宣' +
  '晋相初门云容敬来扈晁芮都普阙浦戈伏鹿薄邸雍辜羊乌母裘亓修邰赫杭况那宿鲜印逯隆茹诸战慕危玉银亢嵇公哈湛宾戎勾' +
  '茅利於呼居揭干但尉冶斯元束檀衣信展阴昝智幸奉植衡富尧闭由';

const COMPOUND = [
  '欧阳',
  '司马',
  '诸葛',
  '上官',
  '东方',
  '皇甫',
  '尉迟',
  '公孙',
  '慕容',
  '长孙',
  '宇文',
  '司徒',
  '夏侯',
  '轩辕',
  '令狐',
  '钟离',
  '闻人',
  '澹台',
  '公冶',
  '濮阳',
  '淳于',
  '太叔',
  '申屠',
  '仲孙',
  '万俟',
  '赫连',
  '呼延',
  '端木',
  '巫马',
  '漆雕',
  '壤驷',
  '拓跋',
  '夹谷',
  '百里',
  '东郭',
  '南门',
  '西门',
  '羊舌',
  '微生',
  '左丘',
  '东门',
  '南宫',
  '第五',
  '司空',
  '亓官',
  '司寇',
  '子车',
  '颛孙',
  '鲜于',
  '闾丘',
  '公羊',
  '独孤',
  '完颜',
  '爱新觉罗',
];

export const SINGLE_SURNAMES: ReadonlySet<string> = new Set(SINGLE);
export const COMPOUND_SURNAMES: ReadonlySet<string> = new Set(COMPOUND);

/** True for a whole string that is a common surname, single or compound (simplified script). */
export function isSurname(s: string): boolean {
  return SINGLE_SURNAMES.has(s) || COMPOUND_SURNAMES.has(s);
}

/**
 * Splits a Han name (simplified, no spaces) into surname and given name. The surname is the
 * first character, or the first two to four when they form a compound surname; a lone
 * character is a surname only when it is a common one (张 after 张先生 lost its 先生).
 */
export function splitHanName(name: string): { surname?: string; given: string } {
  const chars = Array.from(name);
  if (chars.length === 1) return isSurname(name) ? { surname: name, given: '' } : { given: name };
  // Longest compound first: 爱新觉罗 must not be read as 爱 + 新觉罗.
  for (const n of [4, 2]) {
    const head = chars.slice(0, n).join('');
    if (chars.length > n && COMPOUND_SURNAMES.has(head))
      return { surname: head, given: chars.slice(n).join('') };
  }
  return { surname: chars[0], given: chars.slice(1).join('') };
}
