// Tenants (the companies on one installation), their users and roles, and sign-in.
// Every user belongs to exactly one tenant; e-mail addresses are unique installation-wide.
export { currentPrincipal, login, type Session } from './login.js';
export { type BootstrapResult, createTenant, ensureFirstOwner, type NewTenant } from './onboarding.js';
export {
  createTeam,
  deleteTeam,
  getTeam,
  listTeams,
  setTeamMembers,
  type Team,
  type TeamWithMembers,
  updateTeam,
} from './teams.js';
export {
  getTenant,
  listTenants,
  TENANT_SETTING_DEFAULTS,
  type Tenant,
  type TenantChanges,
  updateTenant,
  withSettingDefaults,
} from './tenants.js';
export {
  createUser,
  getUser,
  insertUser,
  listUsers,
  type NewUser,
  normalizeEmail,
  setPassword,
  type User,
  type UserChanges,
  updateUser,
} from './users.js';
