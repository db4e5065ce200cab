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
import { piiViewFor } from './pii.js';
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
  const pii =
    'Identity values are masked for agents (+86 138****8000, z***@example.com, oAbc…xyz) unless the tenant set maskPiiForAgents to false.';

  app.get(
    '/api/v1/customers',
    {
      config: { access: 'agent' },
      schema: {
        tags,
        summary: "List the tenant's customers",
        description: pii,
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
    async (request) => {
      const actor = actorOf(request);
      const [page, view] = await Promise.all([
        listCustomers(deps, actor, request.query),
        piiViewFor(ctx.storage.db, actor),
      ]);
      return { ...page, items: page.items.map((c) => view.customer(c)) };
    },
  );

  app.post(
    '/api/v1/customers',
    {
      config: { access: 'agent' },
      schema: {
        tags,
        summary: 'Create a customer with their identities',
        description: `An identity that already belongs to another customer is a 409 naming it; nothing is written. ${pii}`,
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
      const actor = actorOf(request);
      const customer = await createCustomer(deps, actor, request.body);
      const view = await piiViewFor(ctx.storage.db, actor);
      return reply
        .status(201)
        .header('location', `/api/v1/customers/${customer.id}`)
        .send(view.customer(customer));
    },
  );

  app.get(
    '/api/v1/customers/:id',
    {
      config: { access: 'agent' },
      schema: {
        tags,
        summary: 'One customer with identities',
        description: pii,
        params: IdParams,
        response: withProblems({ 200: CustomerSchema }),
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const [customer, view] = await Promise.all([
        getCustomer(deps, actor, request.params.id),
        piiViewFor(ctx.storage.db, actor),
      ]);
      return view.customer(customer);
    },
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
    async (request) => {
      const actor = actorOf(request);
      const customer = await updateCustomer(deps, actor, request.params.id, request.body);
      return (await piiViewFor(ctx.storage.db, actor)).customer(customer);
    },
  );

  app.post(
    '/api/v1/customers/:id/identities',
    {
      config: { access: 'agent' },
      schema: {
        tags,
        summary: 'Add an identity to a customer',
        description: `An identity that already belongs to a customer is a 409 naming its owner. ${pii}`,
        params: IdParams,
        body: NewIdentitySchema,
        response: withProblems({ 201: IdentitySchema }),
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const identity = await addIdentity(deps, actor, request.params.id, request.body);
      return reply.status(201).send((await piiViewFor(ctx.storage.db, actor)).identity(identity));
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
