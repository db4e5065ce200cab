// The routing benchmark's floor: 50 skills with one queue each, agents with 1–5 random skills,
// tasks spread evenly over the skills with a few at higher priority. Deterministic for a seed.
import type { AgentSpec, QueueSpec, RuleSet, TaskSpec } from '../../src/routing/engine/index.js';
import { mulberry32 } from '../../src/routing/sim/index.js';

export const SKILLS = 50;

export interface Workload {
  queues: QueueSpec[];
  rules: RuleSet;
  agents: AgentSpec[];
  /** The next task of an endless seeded stream; `skill` is also its `attributes.skill`. */
  nextTask(): TaskSpec & { skill: string };
}

export const skillName = (i: number) => `s${String(i).padStart(2, '0')}`;

export function createWorkload(agentCount: number, seed: number): Workload {
  const random = mulberry32(seed);
  const pick = (n: number) => Math.floor(random() * n);
  const queues: QueueSpec[] = Array.from({ length: SKILLS }, (_, i) => ({
    id: `q-${skillName(i)}`,
    strategy: 'best-match',
    requiredSkills: { [skillName(i)]: 1 },
  }));
  const rules: RuleSet = {
    version: 1,
    steps: queues.map((q, i) => ({
      id: `to-${q.id}`,
      filter: `task.skill == "${skillName(i)}"`,
      queueId: q.id,
    })),
  };
  const agents: AgentSpec[] = Array.from({ length: agentCount }, (_, i) => {
    const skills: Record<string, number> = {};
    const count = 1 + pick(5);
    while (Object.keys(skills).length < count) skills[skillName(pick(SKILLS))] = 1 + pick(5);
    return { id: `a${i}`, skills, languages: [], teams: [], rating: 1 + pick(5), capacity: { voice: 1 } };
  });
  let n = 0;
  return {
    queues,
    rules,
    agents,
    nextTask() {
      const skill = skillName(pick(SKILLS));
      const r = random();
      // Mostly ordinary contacts, some urgent ones, so priority and age both decide.
      const priority = r < 0.8 ? 0 : r < 0.95 ? 1 : 2;
      return { id: `t${n++}`, skill, priority, attributes: { channel: 'voice', skill, tier: pick(3) } };
    },
  };
}
