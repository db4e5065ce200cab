// Customers and the identities (phone, e-mail, WeChat openid, …) by which they reach us.
// An identity belongs to one customer per tenant; normalisation and matching come later.
export {
  type Customer,
  type CustomerChanges,
  createCustomer,
  getCustomer,
  listCustomers,
  type NewCustomer,
  updateCustomer,
} from './customers.js';
export {
  addIdentity,
  IDENTITY_KINDS,
  type Identity,
  type IdentityKind,
  type IdentityRef,
  type NewIdentity,
  normalizeIdentity,
  removeIdentity,
} from './identities.js';
export { type ImportReport, type ImportResult, importCustomers } from './import.js';
export { identityIdle, startIdentityLive } from './live.js';
export { FIELDS as MATCH_FIELDS, parseRhythmSample, type RhythmSample } from './match/index.js';
export {
  liveKeys,
  type Matchable,
  type MatchOptions,
  type MatchOutcome,
  matchCustomer,
  matchInBackground,
  recordTypingRhythm,
} from './matching.js';
export { linkMentionedIdentifiers, type MentionOutcome } from './mentions.js';
export { type Merge, type MergeEvidence, mergeCustomers, mergesOf, unmergeCustomers } from './merge.js';
export type { IdentifierOptions } from './normalize/index.js';
export { type Resolved, resolveCustomerByIdentity } from './resolve.js';
export {
  acceptSuggestion,
  listSuggestions,
  type MergeSuggestion,
  rejectSuggestion,
  suggestMerge,
} from './suggestions.js';
export {
  forgetTenantMatching,
  identifierOptionsOf,
  settingsOf,
  type TenantMatching,
  type TrainingReport,
  tenantMatching,
  trainIdentityModel,
  updateMatchSettings,
} from './tenant-model.js';
