import { describe, expect, it } from 'vitest';
import { otherSchemaVanished } from './migrator.js';

const pgError = (message: string, code = '3F000') => Object.assign(new Error(message), { code });

describe('a migration that only met another schema being dropped', () => {
  it('is tried again when the schema that vanished is not ours', () => {
    expect(otherSchemaVanished(pgError('schema "t_cb356a4e8a91" does not exist'), 't_0123456789ab')).toBe(
      true,
    );
    expect(otherSchemaVanished(pgError('schema "t_cb356a4e8a91" does not exist'), undefined)).toBe(true);
  });

  it('is not when our own schema is missing, or the error is another one', () => {
    expect(otherSchemaVanished(pgError('schema "t_0123456789ab" does not exist'), 't_0123456789ab')).toBe(
      false,
    );
    expect(otherSchemaVanished(pgError('schema "public" does not exist'), undefined)).toBe(false);
    expect(otherSchemaVanished(pgError('relation "x" does not exist', '42P01'), undefined)).toBe(false);
    expect(otherSchemaVanished(new Error('boom'), undefined)).toBe(false);
    expect(otherSchemaVanished(undefined, undefined)).toBe(false);
  });
});
