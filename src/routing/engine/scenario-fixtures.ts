// Shared by the routing scenarios (scenarios-*.test.ts): serving offers the way an agent would.
import type { Harness } from './harness.js';

export const MIN = 60_000;

/** Accepts the task's pending offer (to `agentId` if given) and returns the agent who took it. */
export function answer(h: Harness, taskId: string, agentId?: string): string {
  const id = h.offer(taskId, agentId);
  h.engine.accept(id);
  return h.engine.getTask(taskId)!.agentId!;
}

/** Serves everything one agent gets, in order: accept, complete, until nothing is offered to it. */
export function drain(h: Harness, agentId: string): string[] {
  const served: string[] = [];
  for (let r = h.engine.pendingReservations(agentId)[0]; r; r = h.engine.pendingReservations(agentId)[0]) {
    h.engine.accept(r.id);
    h.engine.complete(r.taskId);
    served.push(r.taskId);
  }
  return served;
}
