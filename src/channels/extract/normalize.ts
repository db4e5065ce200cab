// Every extractor reads the same normalised text, so full-width digits (１３８), full-width
// punctuation (＠，￥) and traditional characters need handling once, here.

/**
 * Traditional → simplified, character for character, for the characters the lexicons, numerals
 * and date words use plus the commonest ones around them. Not a general converter (OpenCC is):
 * one-to-many cases such as 乾/干 are left alone because no lexicon term depends on them.
 */
const TRADITIONAL =
  '訴貨發們單號訂費賬帳錢塊張機碼際遞運況質電話郵錯誤無開關聯繫係據護務態應還這麼說請問題沒為個嗎時間後東車員貴買賣價萬億兩來經過從給讓處達實現圓週禮擊點體驗證錄幫網頁響復複換補償賠壞損虧詐騙爛氣惱滿極漲額戶續閱稅餘門專線遲預計遺丟見聽顯連斷當統級載裝轉啟動殼綁攝護層紅閃卡屏幣購物隊儲軟辦歡謝謝們邊貼態對錢臺灣寶淨層搶緊呢啊裡裏倉庫廠櫃盒撥鈕覺讀寫認識該變樣試儘詢諮優貳陸參鐘麽雙領傳輸舊新誰鏈結';
const SIMPLIFIED =
  '诉货发们单号订费账账钱块张机码际递运况质电话邮错误无开关联系系据护务态应还这么说请问题没为个吗时间后东车员贵买卖价万亿两来经过从给让处达实现圆周礼击点体验证录帮网页响复复换补偿赔坏损亏诈骗烂气恼满极涨额户续阅税余门专线迟预计遗丢见听显连断当统级载装转启动壳绑摄护层红闪卡屏币购物队储软办欢谢谢们边贴态对钱台湾宝净层抢紧呢啊里里仓库厂柜盒拨钮觉读写认识该变样试尽询咨优贰陆叁钟么双领传输旧新谁链结';

const TO_SIMPLIFIED: ReadonlyMap<string, string> = buildMap();

function buildMap(): Map<string, string> {
  const from = [...TRADITIONAL];
  const to = [...SIMPLIFIED];
  // A mismatch here would silently shift every later pair; fail at load instead.
  if (from.length !== to.length) throw new RangeError('traditional/simplified tables differ in length');
  const map = new Map<string, string>();
  from.forEach((ch, i) => {
    const simple = to[i]!;
    if (ch !== simple) map.set(ch, simple);
  });
  return map;
}

/** Maps the traditional characters we know to simplified; everything else passes through. */
export function toSimplified(text: string): string {
  let out = '';
  for (const ch of text) out += TO_SIMPLIFIED.get(ch) ?? ch;
  return out;
}

/**
 * NFKC folds full-width forms (１３８ → 138, ＠ → @, ￥ → ¥, （ → (); curly apostrophes become
 * straight so "don’t" and "don't" are one word.
 */
export function normalizeText(text: string): string {
  return toSimplified(text.normalize('NFKC').replace(/[‘’ʼ]/g, "'"));
}
