// The public FEBRL synthetic sets (Christen's Febrl generator): dedup of dataset2 and linkage of
// dataset4a × dataset4b. `rec-N-org` and `rec-N-dup-K` are one person.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ContactRecord, DEFAULT_SETTINGS, resolveRecords } from '../../src/identity/match/index.js';
import { exactIdentifierBaseline, type PairScores, pairwiseScores } from './evaluate.js';

/** `../shared/data/febrl/` beside the project root, wherever the bench is started from. */
export const FEBRL_DIR = fileURLToPath(new URL('../../../shared/data/febrl/', import.meta.url));

export interface FebrlResult {
  task: string;
  records: number;
  engine: PairScores;
  baseline: PairScores;
  blockingShare: number;
  candidatePairs: number;
  totalPairs: number;
  seconds: number;
}

/** FEBRL fields mapped onto the engine's; addresses other than the suburb are not used. */
export function loadFebrl(
  file: string,
  source = '',
): { records: ContactRecord[]; truth: Map<string, string> } {
  const lines = readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '');
  const header = lines[0]!.split(',').map((h) => h.trim());
  const col = (name: string) => header.indexOf(name);
  const [id, given, surname, suburb, dob, ssn] = [
    'rec_id',
    'given_name',
    'surname',
    'suburb',
    'date_of_birth',
    'soc_sec_id',
  ].map(col);
  const records: ContactRecord[] = [];
  const truth = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const f = line.split(',').map((v) => v.trim());
    const recId = f[id!]!;
    const name = `${f[given!] ?? ''} ${f[surname!] ?? ''}`.trim();
    const r: ContactRecord = { id: recId, source };
    if (name) r.name = name;
    if (f[dob!]) r.birthDate = f[dob!];
    if (f[suburb!]) r.city = f[suburb!];
    if (f[ssn!]) r.identifiers = { soc_sec_id: f[ssn!]! };
    records.push(r);
    truth.set(recId, recId.split('-')[1]!);
  }
  return { records, truth };
}

function evaluate(
  task: string,
  records: ContactRecord[],
  truth: Map<string, string>,
  linkage: boolean,
): FebrlResult {
  const started = performance.now();
  const res = resolveRecords(records, DEFAULT_SETTINGS, { mode: linkage ? 'link' : 'dedupe' });
  const seconds = (performance.now() - started) / 1000;
  const source = new Map(records.map((r) => [r.id, r.source ?? '']));
  const sourceOf = (id: string) => source.get(id)!;
  const predicted = new Map(res.assignments.map((a) => [a.id, a.customerId]));
  return {
    task,
    records: records.length,
    engine: pairwiseScores(predicted, truth, sourceOf, linkage),
    baseline: pairwiseScores(exactIdentifierBaseline(records), truth, sourceOf, linkage),
    blockingShare: res.stats.blockingShare,
    candidatePairs: res.stats.candidatePairs,
    totalPairs: res.stats.totalPairs,
    seconds,
  };
}

/** Both FEBRL tasks, or null when the data is not there. */
export function runFebrl(dir = FEBRL_DIR): FebrlResult[] | null {
  const files = ['dataset2.csv', 'dataset4a.csv', 'dataset4b.csv'].map((f) => path.join(dir, f));
  if (!files.every(existsSync)) return null;
  const [d2, d4a, d4b] = files as [string, string, string];
  const dedup = loadFebrl(d2);
  const a = loadFebrl(d4a, 'a');
  const b = loadFebrl(d4b, 'b');
  return [
    evaluate('dataset2 dedup', dedup.records, dedup.truth, false),
    evaluate(
      'dataset4a × dataset4b linkage',
      [...a.records, ...b.records],
      new Map([...a.truth, ...b.truth]),
      true,
    ),
  ];
}
