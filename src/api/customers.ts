import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import {
  addIdentity,
  createCustomer,
  getCustomer,
  IDENTITY_KINDS,
  listCustomers,
  removeIdentity,
  updateCustomer,
} from '../identity/index.js';
import { actorOf } from './auth.js';
import type { ApiContext } from './context.js';
import { Body, IdParams, PageOf, PageQuery, Timestamp, Uuid, withProblems } from './schemas.js';

export const IdentityKindSchema = Type.Union(IDENTITY_KINDS.map((k) => Type.Literal(k)));
export const IdentityValue = Type.String({ minLength: 1, maxLength: 320 });
const DisplayName = Type.String({ maxLength: 200 });
const Tier = Type.Integer({ minimum: 0, maximum: 9, description: 'customer value, 0 (none) to 9 (highest)' });
const Attributes = Type.Record(Type.String(), Type.Unknown(), {
  description: 'free-form, replaced as a whole',
});

const NewIdentitySchema = Body({
  kind: IdentityKindSchema,
  value: IdentityValue,
  verified: Type.Optional(Type.Boolean()),
});

const IdentitySchema = Type.Object({
  id: Uuid,
  kind: IdentityKindSchema,
  value: Type.String(),
  verified: Type.Boolean(),
  createdAt: Timestamp,
});

const CustomerSchema = Type.Object({
  id: Uuid,
  tenantId: Uuid,
  displayName: Type.String(),
  tier: Type.Integer(),
  attributes: Type.Record(Type.String(), Type.Unknown()),
  identities: Type.Array(IdentitySchema),
  mergedInto: Type.Union([Uuid, Type.Null()]),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

const IdentityParams = Type.Object({ id: Uuid, identityId: Uuid }, { additionalProperties: false });

export { CustomerSchema };

export async function customerRoutes(fastify: FastifyInstance, { ctx }: { ctx: ApiContext }): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const deps = { db: ctx.storage.db, outbox: ctx.outbox };
  const tags = ['customers'];

  app.get(
    '/api/v1/customers',
    {
      config: { access: 'agent' },
      schema: {
        tags,
        summary: "List the tenant's customers",
        querystring: Type.Object(
          {
            ...PageQuery,
            q: Type.Optional(
              Type.String({
                minLength: 1,
                maxLength: 320,
                description: 'display-name prefix or exact identity value',
              }),
            ),
          },
          { additionalProperties: false },
        ),
        response: withProblems({ 200: PageOf(CustomerSchema) }),
      },
    },
    async (request) => listCustomers(deps, actorOf(request), request.query),
  );

  app.post(
    '/api/v1/customers',
    {
      config: { access: 'agent' },
      schema: {
        tags,
        summary: 'Create a customer with their identities',
        description:
          'An identity that already belongs to another customer is a 409 naming it; nothing is written.',
        body: Body({
          displayName: Type.Optional(DisplayName),
          tier: Type.Optional(Tier),
          attributes: Type.Optional(Attributes),
          identities: Type.Optional(Type.Array(NewIdentitySchema, { maxItems: 50 })),
        }),
        response: withProblems({ 201: CustomerSchema }),
      },
    },
    async (request, reply) => {
      const customer = await createCustomer(deps, actorOf(request), request.body);
      return reply.status(201).header('location', `/api/v1/customers/${customer.id}`).send(customer);
    },
  );

  app.get(
    '/api/v1/customers/:id',
    {
      config: { access: 'agent' },
      schema: {
        tags,
        summary: 'One customer with identities',
        params: IdParams,
        response: withProblems({ 200: CustomerSchema }),
      },
    },
    async (request) => getCustomer(deps, actorOf(request), request.params.id),
  );

  app.patch(
    '/api/v1/customers/:id',
    {
      config: { access: 'agent' },
      schema: {
        tags,
        summary: "Change a customer's name, tier or attributes",
        params: IdParams,
        body: Body({
          displayName: Type.Optional(DisplayName),
          tier: Type.Optional(Tier),
          attributes: Type.Optional(Attributes),
        }),
        response: withProblems({ 200: CustomerSchema }),
      },
    },
    async (request) => updateCustomer(deps, actorOf(request), request.params.id, request.body),
  );

  app.post(
    '/api/v1/customers/:id/identities',
    {
      config: { access: 'agent' },
      schema: {
        tags,
        summary: 'Add an identity to a customer',
        description: 'An identity that already belongs to a customer is a 409 naming its owner.',
        params: IdParams,
        body: NewIdentitySchema,
        response: withProblems({ 201: IdentitySchema }),
      },
    },
    async (request, reply) => {
      const identity = await addIdentity(deps, actorOf(request), request.params.id, request.body);
      return reply.status(201).send(identity);
    },
  );

  app.delete(
    '/api/v1/customers/:id/identities/:identityId',
    {
      config: { access: 'supervisor' },
      schema: {
        tags,
        summary: 'Remove an identity from a customer',
        params: IdentityParams,
        response: withProblems({ 204: Type.Null() }),
      },
    },
    async (request, reply) => {
      await removeIdentity(deps, actorOf(request), request.params.id, request.params.identityId);
      return reply.status(204).send(null);
    },
  );
}
