import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../core/index.js';
import { isForeignKeyViolation, isUniqueViolation } from '../storage/index.js';

/**
 * The one place where failures become HTTP: RFC 9457 problem documents
 * (`application/problem+json`) with a stable `code` and a `detail` a person can act on.
 */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance?: string;
  errors?: { path: string; message: string }[];
  [extra: string]: unknown;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export function problem(
  status: number,
  code: string,
  detail: string,
  extra: Record<string, unknown> = {},
): Problem {
  return {
    type: `https://switchboard.dev/problems/${code.toLowerCase().replaceAll('_', '-')}`,
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    code,
    ...extra,
  };
}

export function sendProblem(reply: FastifyReply, p: Problem): FastifyReply {
  return reply.status(p.status).type('application/problem+json').send(p);
}

interface ValidationItem {
  instancePath?: string;
  message?: string;
  keyword?: string;
  params?: Record<string, unknown>;
}

function describeValidation(context: string | undefined, items: ValidationItem[]) {
  return items.map((v) => {
    let path = `${context ?? 'body'}${(v.instancePath ?? '').replaceAll('/', '.')}`;
    let message = v.message ?? 'is invalid';
    if (v.keyword === 'additionalProperties' && v.params?.additionalProperty) {
      path = `${path}.${String(v.params.additionalProperty)}`;
      message = 'is not a known field';
    }
    if (v.keyword === 'required' && v.params?.missingProperty) {
      path = `${path}.${String(v.params.missingProperty)}`;
      message = 'is required';
    }
    return { path, message };
  });
}

/** Maps Fastify's own error codes (parsing, limits) to problems. */
function fromFastify(err: FastifyError): Problem | undefined {
  if (err.validation) {
    const errors = describeValidation(err.validationContext, err.validation as ValidationItem[]);
    const detail = errors.map((e) => `${e.path} ${e.message}`).join('; ');
    return problem(400, 'VALIDATION_FAILED', detail, { errors });
  }
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return problem(400, 'MALFORMED_JSON', `the request body is not valid JSON: ${err.message}`);
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      // Issue #2 asks for 400 here; the stable code tells clients what 413 would have.
      return problem(
        400,
        'BODY_TOO_LARGE',
        `the request body exceeds the limit of ${err.message.match(/\d+/)?.[0] ?? 'the configured'} bytes`,
      );
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return problem(415, 'UNSUPPORTED_MEDIA_TYPE', 'send the body as application/json');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return problem(400, 'BAD_CONTENT_LENGTH', 'the Content-Length header does not match the body');
    default:
      if (err.statusCode === 429) return problem(429, 'RATE_LIMITED', err.message);
      if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
        return problem(err.statusCode, err.code ?? 'BAD_REQUEST', err.message);
      }
      return undefined;
  }
}

/**
 * A constraint the database enforced that a store did not turn into a domain error first, e.g.
 * two concurrent creates of the same name: still the caller's problem, never a 500.
 */
function fromDatabase(err: unknown): Problem | undefined {
  if (isUniqueViolation(err)) {
    return problem(
      409,
      'CONFLICT',
      'a record with the same unique value was just created; nothing was written',
    );
  }
  if (isForeignKeyViolation(err)) {
    return problem(
      409,
      'CONFLICT',
      'the record is referenced by, or refers to, a record that does not allow it',
    );
  }
  return undefined;
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    let p: Problem | undefined;
    if (err instanceof DomainError) p = problem(err.status, err.code, err.message, err.extra);
    else p = fromDatabase(err) ?? fromFastify(err);
    if (!p) {
      request.log.error({ err }, 'unhandled error');
      p = problem(500, 'INTERNAL', 'something went wrong on our side; the error has been logged');
    } else if (p.status >= 500) {
      request.log.error({ err }, 'request failed');
    }
    return sendProblem(reply, { ...p, instance: request.url });
  });
  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, {
      ...problem(404, 'ROUTE_NOT_FOUND', `there is no route ${request.method} ${request.url.split('?')[0]}`),
      instance: request.url,
    }),
  );
}
