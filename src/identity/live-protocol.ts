// What the main thread asks of the identity worker (live-worker-main.ts) and what it answers. `t` names
// one tenant's state: an IdentityLive (one per database in this process) and the tenant's id.
import type { LiveEntry, Matchable } from './live-index.js';
import type { Decision } from './live-state.js';
import type { MatchSettings, RhythmProfile } from './match/index.js';
import type { TenantMatching } from './tenant-model.js';

export type Op =
  | { op: 'loadStart'; t: string; settings: MatchSettings }
  | { op: 'loadPage'; t: string; rows: { customer: Matchable; stored: string[] }[] }
  | { op: 'loadEnd'; t: string; apart: [string, string][] }
  | { op: 'seq'; t: string }
  | {
      op: 'apply';
      t: string;
      startSeq: number;
      items: { id: string; data: Matchable | null; rekey: boolean }[];
    }
  /** `m` comes when the tenant's model or settings are not the ones the worker last had. */
  | { op: 'match'; t: string; m?: TenantMatching; id: string; customer: Matchable; known: boolean }
  | { op: 'redecide'; t: string; m?: TenantMatching; id: string }
  | { op: 'unpend'; t: string; mergedId: string; keysOf: string }
  | { op: 'unstamped'; t: string; ids: string[] }
  | { op: 'profile'; t: string; id: string; profile: RhythmProfile }
  | { op: 'separate'; t: string; a: string; b: string }
  | { op: 'snapshot'; t: string }
  | { op: 'drop'; t: string }
  /** The worker's heap in use, after a collection if the process allows one (`--expose-gc`). */
  | { op: 'heap' };

/** A request: `req` 0 wants no answer. */
export type Request = Op & { req: number };

export type Answer = { req: number; value: unknown } | { req: number; error: string };

/** What each op answers. */
export interface Answers {
  loadStart: null;
  loadPage: { recover: string[]; rekey: { id: string; keys: string[] }[] };
  loadEnd: number;
  seq: number;
  apply: Record<string, string[]>;
  match: { decision: Decision } | { decision?: undefined; hadKeys: boolean };
  redecide: Decision | null;
  unpend: string[];
  unstamped: string[];
  profile: null;
  separate: null;
  snapshot: { entries: LiveEntry[]; apart: [string, string][] };
  drop: null;
  heap: number;
}
