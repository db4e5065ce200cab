// Field extraction quality and speed over the labelled set (test/fixtures/extraction.json):
// per-field precision/recall/F1, intent accuracy with a confusion table (jieba and the
// Intl.Segmenter fallback), and single-core throughput over 10,000 messages. Prints markdown;
// the figures are in-sample for all but the ho-* messages (see the fixture's $comment).
// Run alone with `node bin/run-ts.js bench/extraction.ts`; bench/run.ts calls `run()`.
import { pathToFileURL } from 'node:url';
import {
  type Extracted,
  type ExtractOptions,
  extractFields,
  INTENT_CATEGORIES,
  type IntentCategory,
  intlSegmenter,
} from '../src/channels/extract/index.js';
import {
  FIELDS,
  type Field,
  keysOf,
  type LabelledSet,
  loadLabelledSet,
  optionsFor,
} from '../src/channels/extract/labelled-set.js';

const THROUGHPUT_MESSAGES = 10_000;

interface Counts {
  tp: number;
  fp: number;
  fn: number;
}

/** True positives count each expected value at most once (multiset intersection). */
function count(expected: readonly string[], actual: readonly string[]): Counts {
  const left = [...expected];
  let tp = 0;
  for (const a of actual) {
    const i = left.indexOf(a);
    if (i >= 0) {
      left.splice(i, 1);
      tp++;
    }
  }
  return { tp, fp: actual.length - tp, fn: left.length };
}

const ratio = (n: number, d: number) => (d === 0 ? 1 : n / d);
const fmt = (x: number) => x.toFixed(3);

function fieldTable(set: LabelledSet, results: readonly Extracted[]): string {
  const rows = [
    '| field | expected | extracted | precision | recall | F1 |',
    '| --- | --: | --: | --: | --: | --: |',
  ];
  const total: Counts = { tp: 0, fp: 0, fn: 0 };
  const line = (name: string, c: Counts) => {
    const p = ratio(c.tp, c.tp + c.fp);
    const r = ratio(c.tp, c.tp + c.fn);
    const f1 = p + r === 0 ? 0 : (2 * p * r) / (p + r);
    return `| ${name} | ${c.tp + c.fn} | ${c.tp + c.fp} | ${fmt(p)} | ${fmt(r)} | ${fmt(f1)} |`;
  };
  for (const field of FIELDS) {
    const c: Counts = { tp: 0, fp: 0, fn: 0 };
    set.messages.forEach((m, i) => {
      const got = count(keysOf(m.expected[field as Field]), keysOf(results[i]![field]));
      c.tp += got.tp;
      c.fp += got.fp;
      c.fn += got.fn;
    });
    total.tp += c.tp;
    total.fp += c.fp;
    total.fn += c.fn;
    rows.push(line(field, c));
  }
  rows.push(line('**all fields**', total));
  return rows.join('\n');
}

function intentSection(set: LabelledSet, results: readonly Extracted[], label: string): string {
  const matrix = new Map<string, number>();
  let right = 0;
  set.messages.forEach((m, i) => {
    const got = results[i]!.intent.category;
    if (got === m.expected.intent) right++;
    const key = `${m.expected.intent}>${got}`;
    matrix.set(key, (matrix.get(key) ?? 0) + 1);
  });
  const cats: readonly IntentCategory[] = INTENT_CATEGORIES;
  const header = `| labelled ↓ / predicted → | ${cats.join(' | ')} |`;
  const rows = cats.map((l) => `| ${l} | ${cats.map((p) => matrix.get(`${l}>${p}`) ?? 0).join(' | ')} |`);
  return [
    `Intent accuracy (${label}): **${fmt(right / set.messages.length)}** (${right}/${set.messages.length})`,
    '',
    header,
    `| --- | ${cats.map(() => '--:').join(' | ')} |`,
    ...rows,
  ].join('\n');
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function throughput(set: LabelledSet, n: number, coldMs: number): string {
  for (let i = 0; i < 500; i++) {
    const m = set.messages[i % set.messages.length]!;
    extractFields(m.text, optionsFor(set, m));
  }
  const latencies = new Float64Array(n);
  const started = performance.now();
  for (let i = 0; i < n; i++) {
    const m = set.messages[i % set.messages.length]!;
    const options: ExtractOptions = optionsFor(set, m);
    const t = performance.now();
    extractFields(m.text, options);
    latencies[i] = performance.now() - t;
  }
  const elapsed = (performance.now() - started) / 1000;
  const sorted = [...latencies].sort((a, b) => a - b);
  const mean = sorted.reduce((s, x) => s + x, 0) / n;
  return [
    `Throughput over ${n.toLocaleString('en')} messages (the labelled set, cycled; one core):`,
    '',
    '| messages/s | mean ms | p50 ms | p99 ms | max ms | first call (loads jieba) ms |',
    '| --: | --: | --: | --: | --: | --: |',
    `| ${Math.round(n / elapsed).toLocaleString('en')} | ${fmt(mean)} | ${fmt(percentile(sorted, 50))} | ${fmt(percentile(sorted, 99))} | ${fmt(sorted[n - 1]!)} | ${coldMs.toFixed(0)} |`,
  ].join('\n');
}

/** For bench/run.ts: the same report as markdown. */
export async function runExtraction(): Promise<{ markdown: string; problems: string[] }> {
  return { markdown: report(), problems: [] };
}

export async function run(): Promise<void> {
  console.log(report());
}

function report(): string {
  const set = loadLabelledSet();
  // The first call loads jieba's dictionary; timed apart so it does not skew the percentiles.
  const coldStart = performance.now();
  extractFields('预热', { now: set.now });
  const coldMs = performance.now() - coldStart;
  const results = set.messages.map((m) => extractFields(m.text, optionsFor(set, m)));
  const intl = intlSegmenter();
  const fallback = set.messages.map((m) => extractFields(m.text, { ...optionsFor(set, m), segmenter: intl }));
  return [
    '## Extraction',
    '',
    `${set.messages.length} labelled messages (test/fixtures/extraction.json). Micro-averaged over values.`,
    '',
    fieldTable(set, results),
    '',
    intentSection(set, results, 'jieba'),
    '',
    intentSection(set, fallback, 'Intl.Segmenter fallback'),
    '',
    throughput(set, THROUGHPUT_MESSAGES, coldMs),
    '',
  ].join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await run();
