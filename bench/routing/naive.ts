// The baseline: no indexes at all. Every decision scans every agent for the free ones and every
// waiting task against each of them, keeping the best pair by the engine's ordering (effective
// priority with aging, then age, then the agent's proficiency, then longest idle).
import type { AgentSpec } from '../../src/routing/engine/index.js';

export interface NaiveTask {
  id: string;
  skill: string;
  priority: number;
  createdAt: number;
}

interface NaiveAgent {
  spec: AgentSpec;
  free: boolean;
  idleSince: number;
}

export class NaiveMatcher {
  private readonly tasks: NaiveTask[] = [];
  private readonly agents: NaiveAgent[];
  private readonly byId = new Map<string, NaiveAgent>();

  constructor(
    agents: AgentSpec[],
    private readonly agingPerMinute = 1,
  ) {
    this.agents = agents.map((spec) => ({ spec, free: false, idleSince: 0 }));
    for (const a of this.agents) this.byId.set(a.spec.id, a);
  }

  get waiting(): number {
    return this.tasks.length;
  }

  addTask(task: NaiveTask): void {
    this.tasks.push(task);
  }

  setFree(agentId: string, now: number): void {
    const a = this.byId.get(agentId);
    if (!a) return;
    a.free = true;
    a.idleSince = now;
  }

  /** One decision: the best (task, agent) pair, removed from the pool; undefined when nothing fits. */
  decide(now: number): { task: NaiveTask; agentId: string } | undefined {
    const free = this.agents.filter((a) => a.free);
    if (free.length === 0) return undefined;
    let best: { index: number; agent: NaiveAgent; score: number; proficiency: number } | undefined;
    for (let i = 0; i < this.tasks.length; i++) {
      const t = this.tasks[i] as NaiveTask;
      const score = t.priority + (this.agingPerMinute * (now - t.createdAt)) / 60_000;
      for (const agent of free) {
        const proficiency = agent.spec.skills[t.skill] ?? 0;
        if (proficiency < 1) continue;
        if (best && !this.better(score, t, proficiency, agent, best)) continue;
        best = { index: i, agent, score, proficiency };
      }
    }
    if (!best) return undefined;
    const task = this.tasks[best.index] as NaiveTask;
    // Order in the array means nothing (every decision scans it all), so removal swaps in the last.
    this.tasks[best.index] = this.tasks[this.tasks.length - 1] as NaiveTask;
    this.tasks.pop();
    best.agent.free = false;
    return { task, agentId: best.agent.spec.id };
  }

  private better(
    score: number,
    t: NaiveTask,
    proficiency: number,
    agent: NaiveAgent,
    best: { index: number; agent: NaiveAgent; score: number; proficiency: number },
  ): boolean {
    if (score !== best.score) return score > best.score;
    const bt = this.tasks[best.index] as NaiveTask;
    if (t.createdAt !== bt.createdAt) return t.createdAt < bt.createdAt;
    if (proficiency !== best.proficiency) return proficiency > best.proficiency;
    return agent.idleSince < best.agent.idleSince;
  }
}
