// Routing owns how work finds an agent: queues, skills and proficiency, the tenant's rules, and
// the ACD — a pure engine (engine/) run live per tenant (live.ts), its decisions stored (persist.ts)
// and rebuilt from the database on restart (load.ts).

export {
  type AgentStats,
  type AgentView,
  channelClassOf,
  checkExpression,
  type EngineSnapshot,
  type ExpressionCheck,
  type ExpressionContext,
  type Presence,
  type QueueStats,
  type ReservationView,
  type RuleSet,
  type RuleStep,
  RuleSyntaxError,
  type TaskView,
} from './engine/index.js';
export { STRATEGIES, type Strategy } from './engine/model.js';
export { RoutingLive, type RoutingLiveDeps } from './live.js';
export type { AgentLiveStats, LiveStats, QueueLiveStats, StateCounts } from './live-stats.js';
export {
  createQueue,
  deleteQueue,
  getQueue,
  listQueues,
  type NewQueue,
  QUEUE_DEFAULTS,
  type Queue,
  type QueueChanges,
  type QueueSkill,
  updateQueue,
} from './queues.js';
export { currentRules, type NewRules, type RuleVersion, ruleVersions, saveRules } from './rules-store.js';
export { type RuleTrial, type SampleTask, type StepTrace, type TrialInput, tryRules } from './rules-trial.js';
export {
  type AgentSkill,
  type AgentSkills,
  createSkill,
  deleteSkill,
  getAgentSkills,
  getSkill,
  listSkills,
  type NewSkill,
  type Skill,
  type SkillChanges,
  setAgentSkills,
  updateSkill,
} from './skills.js';
export { type Handover, type HandoverResult, handOverConversation } from './supervise.js';
export {
  guessLanguage,
  handleRoutingEvent,
  routeConversation,
  subscribeRouting,
  sweepUnrouted,
} from './triggers.js';
export {
  type AgentProfile,
  abandonTask,
  acceptReservation,
  breakReasonsOf,
  cancelTask,
  completeTask,
  createTask,
  DEFAULT_BREAK_REASONS,
  getAgentState,
  getRoutingSettings,
  getTask,
  liveStats,
  myReservations,
  type NewTask,
  type QueuePosition,
  queuePosition,
  type RoutingSettings,
  rejectReservation,
  routingSettingsOf,
  setAgentProfile,
  setAgentState,
  transferTask,
  updateRoutingSettings,
  waitingTasks,
} from './work.js';
