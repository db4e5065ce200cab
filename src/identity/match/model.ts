// The engine's data: contact records in, customers with their evidence out. Plain values only,
// so the same engine serves the live path, the batch command and the benchmarks.
import type { Region } from '../normalize/index.js';

/** One contact record as a channel or an import sees it. Every field but `id` is optional. */
export interface ContactRecord {
  id: string;
  name?: string;
  phone?: string;
  email?: string;
  deviceId?: string;
  wechatOpenId?: string;
  wechatUnionId?: string;
  whatsapp?: string;
  telegramId?: string;
  birthDate?: string;
  city?: string;
  /** Any other identifier by kind (`app_user`, `messenger`, `soc_sec_id`, …). */
  identifiers?: Record<string, string>;
  /** Where the record comes from; in `link` mode only records of different sources are compared. */
  source?: string;
}

export type Trust = 'strong' | 'weak';

export interface MatchSettings {
  defaultRegion: Region;
  gmailDots: boolean;
  plusTags: boolean;
  /** Posterior probability at or above which a pair is merged automatically. */
  upper: number;
  /** Posterior probability at or above which a pair goes to the review list. */
  lower: number;
  /** Trust per identifier kind; kinds not listed are weak. */
  identifierTrust: Record<string, Trust>;
}

export const DEFAULT_SETTINGS: MatchSettings = {
  defaultRegion: 'CN',
  gmailDots: true,
  plusTags: true,
  upper: 0.95,
  lower: 0.6,
  // A phone (and so a WhatsApp number) can be a household's landline or family plan: weak.
  // Accounts that belong to one person (unionid, openid, app login, device, mailbox) are strong.
  identifierTrust: {
    wechatUnionId: 'strong',
    wechatOpenId: 'strong',
    app_user: 'strong',
    deviceId: 'strong',
    email: 'strong',
    telegramId: 'strong',
    messenger: 'strong',
    phone: 'weak',
    whatsapp: 'weak',
  },
};

export interface ResolveOptions {
  /**
   * `dedupe` compares every candidate pair; `link` only pairs whose `source` differs, and makes no
   * identifier links (they would join records within one source).
   */
  mode?: 'dedupe' | 'link';
  /** Seed of the PRNG that samples random pairs for the u estimates. */
  seed?: number;
  /** Blocks larger than this are skipped (counted in the stats): one common key must not go quadratic. */
  maxBlockSize?: number;
  /** Random pairs sampled to initialise u. */
  uSamplePairs?: number;
  emMaxIterations?: number;
}

/** One field's contribution to a pair's score: the comparison level and its log2 Bayes factor. */
export interface Evidence {
  field: string;
  level: string;
  weight: number;
}

export interface Link {
  a: string;
  b: string;
  /** `identifier`: an exact normalised identifier; `probabilistic`: Fellegi–Sunter above `upper`. */
  kind: 'identifier' | 'probabilistic';
  /** For identifier links: the identifier kinds shared. */
  identifiers?: string[];
  evidence: Evidence[];
  /** Sum of the evidence weights (log2), without the prior. */
  total: number;
  /** Posterior probability that both records are one person (1 for a strong identifier). */
  confidence: number;
}

export interface Assignment {
  id: string;
  customerId: string;
  confidence: number;
}

export interface FieldModel {
  field: string;
  levels: string[];
  m: number[];
  u: number[];
}

export interface ResolveStats {
  records: number;
  /** Pairs a full comparison would make: n(n-1)/2 in dedupe mode, |A|·|B|… in link mode. */
  totalPairs: number;
  candidatePairs: number;
  /** candidatePairs / totalPairs. */
  blockingShare: number;
  skippedBlocks: number;
  emIterations: number;
  emConverged: boolean;
  lambda: number;
  model: FieldModel[];
}

export interface Resolution {
  /** One entry per input record, in input order. */
  assignments: Assignment[];
  /** Customers with more than one record, smallest customer id first. */
  clusters: { customerId: string; recordIds: string[] }[];
  links: Link[];
  /** Pairs between `lower` and `upper`, or above `upper` but held back because names conflict. */
  review: Link[];
  stats: ResolveStats;
}
