/**
 * Domain errors are values with a stable code. `src/api/errors.ts` maps them to
 * application/problem+json once; nothing else decides HTTP statuses.
 */
export abstract class DomainError extends Error {
  abstract readonly code: string;
  abstract readonly status: number;
  /** Extra members for the problem document (RFC 9457 extension members). */
  readonly extra: Record<string, unknown> = {};
}

export class NotFound extends DomainError {
  readonly code = 'NOT_FOUND';
  readonly status = 404;
  constructor(
    readonly entity: string,
    readonly id: string,
  ) {
    super(`${entity} ${id} does not exist`);
  }
}

export class Conflict extends DomainError {
  readonly code = 'CONFLICT';
  readonly status = 409;
}

export class InvalidInput extends DomainError {
  readonly code = 'INVALID_INPUT';
  readonly status = 400;
  constructor(message: string, field?: string) {
    super(message);
    if (field) this.extra.field = field;
  }
}

export class Unauthenticated extends DomainError {
  readonly code = 'UNAUTHENTICATED';
  readonly status = 401;
}

export class Forbidden extends DomainError {
  readonly code = 'FORBIDDEN';
  readonly status = 403;
}

export class Unavailable extends DomainError {
  readonly code = 'UNAVAILABLE';
  readonly status = 503;
}
