import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { ROLES, type Role, Unauthenticated } from '../core/index.js';

/** What a session token says about its bearer. */
export interface Principal {
  userId: string;
  tenantId: string;
  role: Role;
  email: string;
}

const ISSUER = 'switchboard';
const AUDIENCE = 'switchboard-api';

export interface TokenService {
  issue(principal: Principal): Promise<{ token: string; expiresAt: string }>;
  verify(token: string): Promise<Principal>;
}

export function createTokenService(secret: string, ttlSeconds: number): TokenService {
  // Imported once: given bytes, jose imports the key again (WebCrypto importKey) on every sign and verify.
  const imported = crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign', 'verify'],
  );
  return {
    async issue(p) {
      const exp = Math.floor(Date.now() / 1000) + ttlSeconds;
      const token = await new SignJWT({ tid: p.tenantId, role: p.role, email: p.email })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(p.userId)
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(exp)
        .sign(await imported);
      return { token, expiresAt: new Date(exp * 1000).toISOString() };
    },
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, await imported, {
          issuer: ISSUER,
          audience: AUDIENCE,
          algorithms: ['HS256'],
        });
        const role = payload.role as Role;
        if (typeof payload.sub !== 'string' || typeof payload.tid !== 'string' || !ROLES.includes(role)) {
          throw new Unauthenticated('token is missing its subject, tenant or role');
        }
        return { userId: payload.sub, tenantId: payload.tid, role, email: String(payload.email ?? '') };
      } catch (err) {
        if (err instanceof Unauthenticated) throw err;
        if (err instanceof joseErrors.JWTExpired)
          throw new Unauthenticated('token has expired; log in again');
        throw new Unauthenticated('token is not valid');
      }
    },
  };
}
