import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import {
  importCustomers,
  MATCH_FIELDS,
  tenantMatching,
  trainIdentityModel,
  updateMatchSettings,
} from '../identity/index.js';
import { actorOf } from './auth.js';
import type { ApiContext } from './context.js';
import { Body, Timestamp, withProblems } from './schemas.js';

const Probability = Type.Number({ exclusiveMinimum: 0, maximum: 1 });

const SettingsSchema = Type.Object({
  defaultRegion: Type.String({
    description: 'ISO 3166 region for phone numbers written without a country code',
  }),
  gmailDots: Type.Boolean({
    description: 'Gmail ignores dots in the local part: j.smith@gmail.com = jsmith@gmail.com',
  }),
  plusTags: Type.Boolean({ description: 'ignore "+tag" in e-mail local parts' }),
  upper: Type.Number({
    description: 'posterior probability at or above which customers are merged automatically',
  }),
  lower: Type.Number({
    description: 'posterior probability at or above which a merge is suggested for review',
  }),
  identifierTrust: Type.Record(Type.String(), Type.Union([Type.Literal('strong'), Type.Literal('weak')])),
});

const SettingsBody = Body({
  defaultRegion: Type.Optional(Type.String({ minLength: 2, maxLength: 2 })),
  gmailDots: Type.Optional(Type.Boolean()),
  plusTags: Type.Optional(Type.Boolean()),
  upper: Type.Optional(Probability),
  lower: Type.Optional(Probability),
  identifierTrust: Type.Optional(
    Type.Record(Type.String(), Type.Union([Type.Literal('strong'), Type.Literal('weak')]), {
      maxProperties: 30,
    }),
  ),
});

const ModelSchema = Type.Object({
  trained: Type.Union([Type.Object({ at: Timestamp, records: Type.Integer() }), Type.Null()]),
  lambda: Type.Number({
    description: 'prior probability that two customers sharing a blocking key are one person',
  }),
  fields: Type.Array(
    Type.Object({
      field: Type.String(),
      levels: Type.Array(Type.String()),
      weights: Type.Array(Type.Number()),
    }),
  ),
});

const TrainingSchema = Type.Object({
  records: Type.Integer(),
  candidatePairs: Type.Integer(),
  lambda: Type.Number(),
  iterations: Type.Integer(),
  converged: Type.Boolean(),
  keys: Type.Integer({ description: 'blocking keys written to the live index' }),
});

/** Up to this many records per request; the CLI sends larger files in chunks. */
const MAX_IMPORT = 10_000;

const ImportSchema = Type.Object({
  received: Type.Integer(),
  created: Type.Integer(),
  updated: Type.Integer(),
  merged: Type.Integer(),
  suggested: Type.Integer(),
  skipped: Type.Array(
    Type.Object({ index: Type.Integer(), id: Type.Optional(Type.String()), message: Type.String() }),
  ),
  results: Type.Array(
    Type.Object({ id: Type.String(), customerId: Type.String(), confidence: Type.Number() }),
  ),
});

export async function identityRoutes(fastify: FastifyInstance, { ctx }: { ctx: ApiContext }): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const deps = { db: ctx.storage.db, outbox: ctx.outbox };
  const tags = ['identity'];

  app.get(
    '/api/v1/identity/settings',
    {
      config: { access: 'supervisor' },
      schema: {
        tags,
        summary: "The tenant's identity-matching settings and model (thresholds, region, trust, m/u weights)",
        response: withProblems({ 200: Type.Object({ settings: SettingsSchema, model: ModelSchema }) }),
      },
    },
    async (request) => {
      const m = await tenantMatching(ctx.storage.db, actorOf(request).tenantId);
      return {
        settings: m.settings,
        model: {
          trained: m.trained,
          lambda: m.model.lambda,
          fields: m.model.levels.map((levels, f) => ({
            field: MATCH_FIELDS[f]?.field ?? `field${f}`,
            levels,
            weights: levels.map((_, l) => Math.log2(m.model.m[f]![l]! / m.model.u[f]![l]!)),
          })),
        },
      };
    },
  );

  app.put(
    '/api/v1/identity/settings',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Set the identity-matching settings (keys left out take their defaults)',
        body: SettingsBody,
        response: withProblems({ 200: SettingsSchema }),
      },
    },
    async (request) => updateMatchSettings(deps, actorOf(request), request.body),
  );

  app.post(
    '/api/v1/identity/model/train',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: "Estimate the matching model (EM) on the tenant's customers and rebuild the blocking index",
        body: Body({}),
        response: withProblems({ 200: TrainingSchema }),
      },
    },
    async (request) => trainIdentityModel(deps, actorOf(request)),
  );

  app.post(
    '/api/v1/customers/import',
    {
      config: { access: 'admin' },
      bodyLimit: 32 * 1024 * 1024,
      schema: {
        tags: ['customers'],
        summary:
          'Import contact records (CRM): resolved with the live engine, joined to existing customers or created',
        description:
          'Each record is an object with `id` and any of name, phone, email, deviceId, wechatOpenId, wechatUnionId, ' +
          'whatsapp, telegramId, birthDate, city, identifiers. A malformed record is reported in `skipped` with its ' +
          `index and the rest are imported. At most ${MAX_IMPORT} records per request.`,
        body: Body({
          records: Type.Array(Type.Unknown(), { minItems: 1, maxItems: MAX_IMPORT }),
        }),
        response: withProblems({ 200: ImportSchema }),
      },
    },
    async (request) => importCustomers(deps, actorOf(request), request.body.records),
  );
}
