// Routing owns how work finds an agent: queues, skills and each agent's proficiency in them
// today; the ACD engine (agent states, scoring, reservations) joins this module later.
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
