// The ACD engine: matches tasks to agents by rules, queues and strategies; pure over an injected clock.
// The same engine runs live (behind the API), in `switchboard simulate` and in property tests.
export { createRoutingEngine, type RoutingEngine, restoreRoutingEngine } from './engine.js';
export { RuleSyntaxError } from './errors.js';
export * from './model.js';
export {
  type CompiledRules,
  type CompiledStep,
  checkExpression,
  compileRules,
  type ExpressionCheck,
  type ExpressionContext,
  taskView,
} from './rules.js';
export type { ReservationStatus } from './state.js';
export type { AgentView, ReservationView, TaskView } from './views.js';
