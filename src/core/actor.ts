import type { Role } from './roles.js';

/** Who is doing something, in which tenant. Every domain call takes one; stores filter on `tenantId`. */
export interface Actor {
  tenantId: string;
  /** null for the system itself (seed, bootstrap, a channel webhook). */
  userId: string | null;
  role: Role;
  ip?: string | undefined;
}

export function actorTag(actor: Actor): string {
  return actor.userId ? `user:${actor.userId}` : 'system';
}

export function systemActor(tenantId: string): Actor {
  return { tenantId, userId: null, role: 'owner' };
}
