import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import {
  businessHoursStatus,
  createBusinessHours,
  deleteBusinessHours,
  getBusinessHours,
  listBusinessHours,
  updateBusinessHours,
} from '../workspace/index.js';
import { actorOf } from './auth.js';
import type { ApiContext } from './context.js';
import { Body, IdParams, Timestamp, Uuid, withProblems } from './schemas.js';

const Range = Body({
  day: Type.Integer({ minimum: 0, maximum: 6, description: '0 = Sunday … 6 = Saturday' }),
  open: Type.String({ pattern: '^\\d{2}:\\d{2}$', description: 'HH:MM, local time' }),
  close: Type.String({
    pattern: '^\\d{2}:\\d{2}$',
    description: 'HH:MM up to 24:00; earlier than open runs past midnight (22:00–06:00)',
  }),
});
const Holiday = Body({
  date: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD, local date' }),
  name: Type.String({ maxLength: 200 }),
});

const HoursSchema = Type.Object({
  id: Uuid,
  name: Type.String(),
  timezone: Type.String(),
  weekly: Type.Array(Type.Object({ day: Type.Integer(), open: Type.String(), close: Type.String() })),
  holidays: Type.Array(Type.Object({ date: Type.String(), name: Type.String() })),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

const Fields = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  timezone: Type.String({ minLength: 1, maxLength: 64, description: 'IANA zone, e.g. Asia/Shanghai' }),
  weekly: Type.Array(Range, { maxItems: 100, description: 'replaces the whole list' }),
  holidays: Type.Array(Holiday, { maxItems: 400, description: 'replaces the whole list' }),
};

export async function businessHoursRoutes(
  fastify: FastifyInstance,
  { ctx }: { ctx: ApiContext },
): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const deps = { db: ctx.storage.db, outbox: ctx.outbox };
  const tags = ['business hours'];

  app.get(
    '/api/v1/business-hours',
    {
      config: { access: 'supervisor' },
      schema: {
        tags,
        summary: "The tenant's business hours, by name",
        response: withProblems({ 200: Type.Object({ items: Type.Array(HoursSchema) }) }),
      },
    },
    async (request) => listBusinessHours(deps, actorOf(request)),
  );

  app.post(
    '/api/v1/business-hours',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Add business hours',
        description:
          'A weekly schedule and holidays in one time zone. Queues name their hours with `businessHoursId`.',
        body: Body({
          name: Fields.name,
          timezone: Fields.timezone,
          weekly: Type.Optional(Fields.weekly),
          holidays: Type.Optional(Fields.holidays),
        }),
        response: withProblems({ 201: HoursSchema }),
      },
    },
    async (request, reply) => {
      const hours = await createBusinessHours(deps, actorOf(request), request.body);
      return reply.status(201).header('location', `/api/v1/business-hours/${hours.id}`).send(hours);
    },
  );

  app.get(
    '/api/v1/business-hours/:id',
    {
      config: { access: 'supervisor' },
      schema: {
        tags,
        summary: 'One schedule',
        params: IdParams,
        response: withProblems({ 200: HoursSchema }),
      },
    },
    async (request) => getBusinessHours(deps, actorOf(request), request.params.id),
  );

  app.patch(
    '/api/v1/business-hours/:id',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Change business hours',
        params: IdParams,
        body: Body({
          name: Type.Optional(Fields.name),
          timezone: Type.Optional(Fields.timezone),
          weekly: Type.Optional(Fields.weekly),
          holidays: Type.Optional(Fields.holidays),
        }),
        response: withProblems({ 200: HoursSchema }),
      },
    },
    async (request) => updateBusinessHours(deps, actorOf(request), request.params.id, request.body),
  );

  app.delete(
    '/api/v1/business-hours/:id',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Delete business hours',
        description: 'Hours a queue uses cannot be deleted (409).',
        params: IdParams,
        response: withProblems({ 204: Type.Null() }),
      },
    },
    async (request, reply) => {
      await deleteBusinessHours(deps, actorOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/v1/business-hours/:id/status',
    {
      config: { access: 'supervisor' },
      schema: {
        tags,
        summary: 'Open or closed at an instant (default now), and when that next changes',
        description:
          'Computed in the schedule’s time zone. `reason`: weekly (open by the weekly schedule), holiday, or closed. `nextChange` is null when nothing changes within a year.',
        params: IdParams,
        querystring: Type.Object({ at: Type.Optional(Timestamp) }, { additionalProperties: false }),
        response: withProblems({
          200: Type.Object({
            open: Type.Boolean(),
            reason: Type.Union([Type.Literal('weekly'), Type.Literal('holiday'), Type.Literal('closed')]),
            nextChange: Type.Union([Timestamp, Type.Null()]),
          }),
        }),
      },
    },
    async (request) => {
      const at = request.query.at ? new Date(request.query.at) : new Date();
      return businessHoursStatus(deps, actorOf(request), request.params.id, at);
    },
  );
}
