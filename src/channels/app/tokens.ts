import { deriveKey, readToken, signToken, type TokenCheck } from '../webchat/token.js';

/**
 * App user tokens: the app's backend asks for one (`POST /app/<id>/tokens`, signed with the app
 * secret) and gives it to its signed-in user, whose app opens the socket with it. Signed with a
 * key derived from the app secret, so the secret itself never reaches a phone.
 */
const PURPOSE = 'switchboard app user token v1';

export const appAudience = (channelId: string) => `app:${channelId}`;

export function issueUserToken(
  config: { appSecret: string; tokenTtlSeconds: number },
  channelId: string,
  user: { userId: string; deviceId?: string | undefined },
  nowMs: number,
): { token: string; expiresAt: string } {
  const key = deriveKey(config.appSecret, PURPOSE);
  const claims = { sub: user.userId, aud: appAudience(channelId), did: user.deviceId };
  return signToken(key, claims, nowMs, config.tokenTtlSeconds);
}

export function checkUserToken(
  config: { appSecret: string },
  channelId: string,
  token: string | undefined,
  nowMs: number,
): TokenCheck {
  return readToken(deriveKey(config.appSecret, PURPOSE), token, appAudience(channelId), nowMs);
}
