// Simulation owns the what-ifs of routing: the Erlang C staffing formulas and a discrete-event
// simulator that runs the real routing engine on a virtual clock (`switchboard simulate`).
export {
  agentsForServiceLevel,
  averageSpeedOfAnswer,
  erlangB,
  erlangC,
  occupancy,
  serviceLevel,
} from './erlang.js';
export { MinHeap } from './heap.js';
export { exponential, mulberry32 } from './random.js';
export type { SimAgentGroup, SimQueue, SimulationOptions } from './scenario.js';
export { type QueueOutcome, type SimulationResult, simulate } from './simulate.js';
