/** Roles in rank order: each role can do everything the roles after it can. */
export const ROLES = ['owner', 'admin', 'supervisor', 'agent'] as const;
export type Role = (typeof ROLES)[number];

export function roleAtLeast(role: Role, required: Role): boolean {
  return ROLES.indexOf(role) <= ROLES.indexOf(required);
}
