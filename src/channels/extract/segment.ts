import { createRequire } from 'node:module';
import { lexiconHanTerms } from './lexicon.js';
import type { Segmenter } from './types.js';

// jieba is a native addon (napi-rs, prebuilt per platform inside npm packages). If the platform
// package is missing the module still works on Intl.Segmenter, which ships with Node's full ICU;
// it splits Chinese less well (no 退货/退款 distinction from a dictionary) but never fails.

type JiebaModule = typeof import('@node-rs/jieba');
type DictModule = typeof import('@node-rs/jieba/dict.js');

let cached: Segmenter | undefined;
const LEXICON_WORD_FREQUENCY = 50_000;

/** The shared default segmenter: loaded on first use (jieba's dictionary takes ~200 ms). */
export function defaultSegmenter(): Segmenter {
  cached ??= loadJieba() ?? intlSegmenter();
  return cached;
}

function loadJieba(): Segmenter | undefined {
  try {
    const require = createRequire(import.meta.url);
    const { Jieba } = require('@node-rs/jieba') as JiebaModule;
    const { dict } = require('@node-rs/jieba/dict.js') as DictModule;
    const jieba = Jieba.withDict(dict);
    // Lexicon terms become dictionary words, so jieba keeps 退货 whole in 退货运费 instead of
    // cutting 退|货运费. The frequency only has to beat the everyday words around them.
    jieba.loadDict(
      Buffer.from(
        lexiconHanTerms()
          .map((t) => `${t} ${LEXICON_WORD_FREQUENCY}\n`)
          .join(''),
      ),
    );
    // HMM off: it invents words for unknown runs, which makes lexicon matches less predictable.
    return { name: 'jieba', cut: (han) => jieba.cut(han, false) };
  } catch (err) {
    process.emitWarning(`@node-rs/jieba could not load, using Intl.Segmenter: ${String(err)}`, {
      code: 'SWITCHBOARD_JIEBA_UNAVAILABLE',
    });
    return undefined;
  }
}

/** The fallback, also usable directly (tests compare both). */
export function intlSegmenter(): Segmenter {
  const seg = new Intl.Segmenter('zh', { granularity: 'word' });
  return { name: 'intl', cut: (han) => Array.from(seg.segment(han), (s) => s.segment) };
}
