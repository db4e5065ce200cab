// Authentication (argon2 passwords, JWT sessions), role checks, installation secrets and the
// append-only audit log. Tenant isolation is enforced by every store filtering on the principal's tenant.
export { type AuditEntry, audit, auditBy, auditCte } from './audit.js';
export { type Cipher, createCipher, DecryptionFailed, loadMasterKey } from './crypto.js';
export { installationSecret } from './installation.js';
export { maskEmail, maskIdentifier, maskIdentityValue, maskPhone, masksPiiFor } from './mask.js';
export { decoyHash, hashPassword, PASSWORD_MIN_LENGTH, verifyPassword } from './passwords.js';
export { createTokenService, type Principal, type TokenService } from './tokens.js';
