// Name, city and e-mail material for the labelled generator, with the traditional form and the
// tone-less pinyin of every character written out here, so the generator's truth does not come from
// the normalizers it is testing. Characters with two common readings (曾, 单, 长, 乐) are left out.

/** [simplified, traditional, pinyin], most frequent surnames first (frequency-weighted when drawn). */
export const SURNAMES: readonly [string, string, string][] = [
  ['王', '王', 'wang'],
  ['李', '李', 'li'],
  ['张', '張', 'zhang'],
  ['刘', '劉', 'liu'],
  ['陈', '陳', 'chen'],
  ['杨', '楊', 'yang'],
  ['黄', '黃', 'huang'],
  ['赵', '趙', 'zhao'],
  ['吴', '吳', 'wu'],
  ['周', '周', 'zhou'],
  ['徐', '徐', 'xu'],
  ['孙', '孫', 'sun'],
  ['马', '馬', 'ma'],
  ['朱', '朱', 'zhu'],
  ['胡', '胡', 'hu'],
  ['郭', '郭', 'guo'],
  ['何', '何', 'he'],
  ['林', '林', 'lin'],
  ['罗', '羅', 'luo'],
  ['高', '高', 'gao'],
  ['郑', '鄭', 'zheng'],
  ['梁', '梁', 'liang'],
  ['谢', '謝', 'xie'],
  ['宋', '宋', 'song'],
  ['唐', '唐', 'tang'],
  ['韩', '韓', 'han'],
  ['冯', '馮', 'feng'],
  ['邓', '鄧', 'deng'],
  ['彭', '彭', 'peng'],
  ['萧', '蕭', 'xiao'],
  ['田', '田', 'tian'],
  ['董', '董', 'dong'],
  ['袁', '袁', 'yuan'],
  ['潘', '潘', 'pan'],
  ['蒋', '蔣', 'jiang'],
  ['蔡', '蔡', 'cai'],
  ['杜', '杜', 'du'],
  ['叶', '葉', 'ye'],
  ['程', '程', 'cheng'],
  ['苏', '蘇', 'su'],
  ['魏', '魏', 'wei'],
  ['欧阳', '歐陽', 'ouyang'],
  ['司马', '司馬', 'sima'],
];

export const GIVEN_CHARS: readonly [string, string, string][] = [
  ['伟', '偉', 'wei'],
  ['芳', '芳', 'fang'],
  ['娜', '娜', 'na'],
  ['敏', '敏', 'min'],
  ['静', '靜', 'jing'],
  ['丽', '麗', 'li'],
  ['强', '強', 'qiang'],
  ['磊', '磊', 'lei'],
  ['军', '軍', 'jun'],
  ['洋', '洋', 'yang'],
  ['勇', '勇', 'yong'],
  ['艳', '艷', 'yan'],
  ['杰', '傑', 'jie'],
  ['娟', '娟', 'juan'],
  ['涛', '濤', 'tao'],
  ['明', '明', 'ming'],
  ['超', '超', 'chao'],
  ['秀', '秀', 'xiu'],
  ['霞', '霞', 'xia'],
  ['平', '平', 'ping'],
  ['刚', '剛', 'gang'],
  ['英', '英', 'ying'],
  ['华', '華', 'hua'],
  ['文', '文', 'wen'],
  ['玉', '玉', 'yu'],
  ['兰', '蘭', 'lan'],
  ['红', '紅', 'hong'],
  ['建', '建', 'jian'],
  ['国', '國', 'guo'],
  ['志', '志', 'zhi'],
  ['海', '海', 'hai'],
  ['晨', '晨', 'chen'],
  ['欣', '欣', 'xin'],
  ['宇', '宇', 'yu'],
  ['浩', '浩', 'hao'],
  ['然', '然', 'ran'],
  ['涵', '涵', 'han'],
  ['轩', '軒', 'xuan'],
  ['怡', '怡', 'yi'],
  ['雪', '雪', 'xue'],
  ['鹏', '鵬', 'peng'],
  ['飞', '飛', 'fei'],
  ['婷', '婷', 'ting'],
  ['琳', '琳', 'lin'],
  ['斌', '斌', 'bin'],
  ['辉', '輝', 'hui'],
  ['佳', '佳', 'jia'],
  ['俊', '俊', 'jun'],
  ['博', '博', 'bo'],
  ['凯', '凱', 'kai'],
  ['慧', '慧', 'hui'],
  ['颖', '穎', 'ying'],
  ['倩', '倩', 'qian'],
  ['晓', '曉', 'xiao'],
  ['东', '東', 'dong'],
  ['亮', '亮', 'liang'],
  ['春', '春', 'chun'],
  ['梅', '梅', 'mei'],
  ['琴', '琴', 'qin'],
  ['云', '雲', 'yun'],
  ['龙', '龍', 'long'],
];

/** Same pinyin, other character: what an input method slips to. */
export const HOMOPHONES: Readonly<Record<string, readonly [string, string][]>> = {
  伟: [
    ['玮', '瑋'],
    ['薇', '薇'],
  ],
  芳: [['方', '方']],
  静: [['晶', '晶']],
  丽: [['莉', '莉']],
  敏: [['民', '民']],
  杰: [['洁', '潔']],
  明: [['鸣', '鳴']],
  华: [['桦', '樺']],
  军: [['君', '君']],
  婷: [['庭', '庭']],
  娜: [['纳', '納']],
  洋: [['阳', '陽']],
};

/** Given names so common that many different customers carry the same full name. */
export const COMMON_NAMES: readonly [number, number[]][] = [
  // [surname index, given char indexes]
  [2, [0]], // 张伟
  [0, [0]], // 王伟
  [0, [1]], // 王芳
  [1, [0]], // 李伟
  [1, [2]], // 李娜
  [2, [3]], // 张敏
  [1, [4]], // 李静
  [0, [4]], // 王静
  [3, [0]], // 刘伟
  [0, [17, 21]], // 王秀英
  [2, [5]], // 张丽
  [1, [17, 21]], // 李秀英
  [0, [5]], // 王丽
  [2, [4]], // 张静
  [1, [6]], // 李强
  [0, [3]], // 王敏
  [0, [7]], // 王磊
  [3, [9]], // 刘洋
];

export const LATIN_GIVEN = [
  'john',
  'mary',
  'david',
  'sarah',
  'michael',
  'emma',
  'james',
  'olivia',
  'robert',
  'sophia',
  'daniel',
  'anna',
  'peter',
  'linda',
  'thomas',
  'lucy',
  'george',
  'hannah',
  'oliver',
  'grace',
];
export const LATIN_SURNAMES = [
  'smith',
  'johnson',
  'brown',
  'taylor',
  'miller',
  'wilson',
  'moore',
  'anderson',
  'jackson',
  'white',
  'harris',
  'martin',
  'garcia',
  'walker',
  'young',
  'king',
  'wright',
  'scott',
  'green',
  'baker',
];

/** [simplified, traditional, pinyin]. */
export const CITIES: readonly [string, string, string][] = [
  ['上海', '上海', 'shanghai'],
  ['北京', '北京', 'beijing'],
  ['广州', '廣州', 'guangzhou'],
  ['深圳', '深圳', 'shenzhen'],
  ['杭州', '杭州', 'hangzhou'],
  ['成都', '成都', 'chengdu'],
  ['武汉', '武漢', 'wuhan'],
  ['南京', '南京', 'nanjing'],
  ['天津', '天津', 'tianjin'],
  ['苏州', '蘇州', 'suzhou'],
];

export const EMAIL_DOMAINS = [
  'qq.com',
  '163.com',
  '126.com',
  'gmail.com',
  'outlook.com',
  'sina.com',
  'corp.cn',
];
