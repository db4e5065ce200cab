import { type TObject, type TProperties, type TSchema, Type } from '@sinclair/typebox';

/** A request body: unknown fields are an error, not silently dropped. */
export function Body<P extends TProperties>(
  properties: P,
  options: { $id?: string; description?: string } = {},
) {
  return Type.Object(properties, { additionalProperties: false, ...options });
}

export const Uuid = Type.String({ format: 'uuid', description: 'UUID (version 7, time-ordered)' });
export const Timestamp = Type.String({ format: 'date-time' });
export const IdParams = Type.Object({ id: Uuid }, { additionalProperties: false });

export const PageQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  cursor: Type.Optional(Uuid),
};

export function PageOf<T extends TSchema>(item: T) {
  return Type.Object({ items: Type.Array(item), nextCursor: Type.Union([Uuid, Type.Null()]) });
}

export const ProblemSchema = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    code: Type.String(),
    instance: Type.Optional(Type.String()),
    errors: Type.Optional(Type.Array(Type.Object({ path: Type.String(), message: Type.String() }))),
  },
  // Extension members (RFC 9457 §3.2) such as the conflicting identity pass through.
  { $id: 'Problem', description: 'RFC 9457 problem details', additionalProperties: true },
);

const problemRef = Type.Ref(ProblemSchema);

/** Responses every authenticated route can give, so OpenAPI lists them. */
export function withProblems<R extends Record<number, TSchema>>(responses: R) {
  return {
    ...responses,
    400: problemRef,
    401: problemRef,
    403: problemRef,
    404: problemRef,
    409: problemRef,
    413: problemRef,
    429: problemRef,
  };
}

export type { TObject };
