import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import {
  acceptReservation,
  breakReasonsOf,
  cancelTask,
  checkExpression,
  completeTask,
  createTask,
  currentRules,
  getAgentState,
  getRoutingSettings,
  getTask,
  liveStats,
  myReservations,
  rejectReservation,
  ruleVersions,
  saveRules,
  setAgentProfile,
  setAgentState,
  transferTask,
  tryRules,
  updateRoutingSettings,
  waitingTasks,
} from '../routing/index.js';
import { actorOf } from './auth.js';
import type { ApiContext } from './context.js';
import { Body, IdParams, Timestamp, Uuid, withProblems } from './schemas.js';

const Millis = Type.Number({ description: 'milliseconds since the epoch' });
const Capacity = Type.Record(Type.String(), Type.Integer());

const ReservationSchema = Type.Object({
  id: Type.String(),
  taskId: Uuid,
  agentId: Uuid,
  createdAt: Millis,
  expiresAt: Millis,
  status: Type.Optional(Type.String()),
});

const TaskSchema = Type.Object({
  id: Uuid,
  status: Type.String(),
  attributes: Type.Record(Type.String(), Type.Unknown()),
  priority: Type.Number(),
  queueId: Type.Optional(Type.String()),
  stepId: Type.Optional(Type.String()),
  agentId: Type.Optional(Type.String()),
  createdAt: Millis,
  waitingSince: Millis,
  wrapUntil: Type.Optional(Millis),
  endedAt: Type.Optional(Millis),
  directAgentId: Type.Optional(Type.String()),
  reservations: Type.Array(ReservationSchema),
});

const QueueStatsSchema = Type.Object({
  queueId: Type.String(),
  waiting: Type.Integer(),
  longestWaitMs: Type.Number(),
  availableAgents: Type.Integer(),
  offered: Type.Integer(),
  answered: Type.Integer(),
  abandoned: Type.Integer(),
  answeredWithinSl: Type.Integer(),
  serviceLevel: Type.Number(),
  asaMs: Type.Number(),
});

const AgentStatsSchema = Type.Object({
  agentId: Type.String(),
  state: Type.String(),
  reason: Type.Optional(Type.String()),
  sinceMs: Millis,
  load: Capacity,
  capacity: Capacity,
  tasksHandled: Type.Integer(),
});

const StateCountsSchema = Type.Object(
  {
    available: Type.Integer(),
    busy: Type.Integer(),
    wrap_up: Type.Integer(),
    break: Type.Integer(),
    offline: Type.Integer(),
  },
  { description: 'agents by state (the values of an agent’s `state`)' },
);

const LiveQueueSchema = Type.Object({
  ...QueueStatsSchema.properties,
  name: Type.String(),
  longestWaitSeconds: Type.Number(),
  asaSeconds: Type.Number({ description: 'average speed of answer since the engine started' }),
  serviceLevelSeconds: Type.Number({ description: "the queue's threshold for serviceLevel" }),
  agents: Type.Object(StateCountsSchema.properties, {
    description: 'agents eligible for the queue (skills, membership) by state',
  }),
});

const LiveAgentSchema = Type.Object({
  ...AgentStatsSchema.properties,
  name: Type.String(),
  stateSince: Timestamp,
  queueIds: Type.Array(Type.String(), { description: 'queues the agent is eligible for' }),
});

const Position = Type.Object({
  line: Type.Integer({ minimum: 1 }),
  column: Type.Integer({ minimum: 1 }),
  offset: Type.Integer({ minimum: 0, description: '0-based character offset' }),
});

const SampleTaskSchema = Body(
  {
    channel: Type.String({ minLength: 1, maxLength: 50 }),
    language: Type.Optional(Type.String({ maxLength: 20 })),
    intent: Type.Optional(
      Type.String({ maxLength: 100, description: "the intent's category; becomes task.category" }),
    ),
    category: Type.Optional(Type.String({ maxLength: 100, description: 'wins over intent' })),
    tier: Type.Optional(Type.Integer({ minimum: 0, maximum: 9 })),
    csat: Type.Optional(Type.Number({ minimum: 0, maximum: 5 })),
    priority: Type.Optional(Type.Integer({ minimum: -1000, maximum: 1000 })),
    attributes: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { maxProperties: 50 })),
  },
  { description: 'a task as a conversation would make it' },
);

const StepSchema = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: 100 }),
    name: Type.Optional(Type.String({ maxLength: 200 })),
    filter: Type.Optional(
      Type.String({
        maxLength: 2000,
        description: "CEL over `task`, e.g. task.category == 'refund' && task.tier >= 2",
      }),
    ),
    queueId: Uuid,
    agentFilter: Type.Optional(
      Type.String({
        maxLength: 2000,
        description: "CEL over `agent` and `task`, e.g. 'zh' in agent.languages && agent.skills.refund >= 3",
      }),
    ),
    timeoutMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 86_400_000 })),
    priorityBoost: Type.Optional(Type.Integer({ minimum: -1000, maximum: 1000 })),
  },
  { additionalProperties: false },
);

const RulesSchema = Type.Object({
  version: Type.Integer(),
  steps: Type.Array(StepSchema),
  defaultQueueId: Type.Optional(Type.String()),
  createdBy: Type.String(),
  createdAt: Timestamp,
});

const Weight = Type.Number({ minimum: 0, maximum: 100 });
const SettingsFields = {
  voiceBlocksOthers: Type.Boolean({
    description: 'an agent on a call gets nothing else, and one with other work gets no calls',
  }),
  agingPerMinute: Type.Number({
    minimum: 0,
    maximum: 1000,
    description: 'priority a waiting task gains per minute, so none starves',
  }),
  lastAgentWindowMs: Type.Integer({
    minimum: 0,
    maximum: 30 * 86_400_000,
    description: 'how recent "the agent who served them" must be',
  }),
  lastAgentHoldMs: Type.Integer({
    minimum: 0,
    maximum: 600_000,
    description: 'how long a returning customer waits for that agent first (0 = off)',
  }),
  weights: Type.Object(
    { idle: Weight, load: Weight, proficiency: Weight, rating: Weight, customerValue: Weight },
    {
      description:
        'best-match: how much idle time, load, proficiency and rating count; customerValue sends high tiers to the best-rated',
    },
  ),
  breakReasons: Type.Array(Type.String({ minLength: 1, maxLength: 50 }), { minItems: 1, maxItems: 30 }),
};
const SettingsSchema = Type.Object(SettingsFields);

const ReservationParams = Type.Object(
  { id: Type.String({ pattern: '^res-[0-9]{1,12}$' }) },
  { additionalProperties: false },
);

export async function routingRoutes(fastify: FastifyInstance, { ctx }: { ctx: ApiContext }): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const live = ctx.routing;
  const deps = { db: ctx.storage.db, outbox: ctx.outbox };
  const tags = ['routing'];

  app.get(
    '/api/v1/routing/rules',
    {
      config: { access: 'supervisor' },
      schema: { tags, summary: 'The routing rules in force', response: withProblems({ 200: RulesSchema }) },
    },
    async (request) => currentRules(ctx.storage.db, actorOf(request).tenantId),
  );

  app.get(
    '/api/v1/routing/rules/versions',
    {
      config: { access: 'supervisor' },
      schema: {
        tags,
        summary: 'Every version of the routing rules, newest first (up to 100)',
        response: withProblems({ 200: Type.Object({ items: Type.Array(RulesSchema) }) }),
      },
    },
    async (request) => ({ items: await ruleVersions(ctx.storage.db, actorOf(request).tenantId) }),
  );

  app.put(
    '/api/v1/routing/rules',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Replace the routing rules (a new version, in force at once)',
        description:
          'Steps are tried in order; the first whose filter matches places the task in its queue. A step with a ' +
          'timeout overflows waiting tasks to the next matching step. Waiting tasks are placed again by the new ' +
          'rules, keeping their age; none is dropped. A CEL error is a 400 with code RULE_SYNTAX and its position.',
        body: Body({
          steps: Type.Array(StepSchema, { maxItems: 200 }),
          defaultQueueId: Type.Optional(Uuid),
        }),
        response: withProblems({ 200: RulesSchema }),
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const saved = await saveRules(deps, actor, request.body);
      await live.applyRules(actor.tenantId, saved);
      return saved;
    },
  );

  app.post(
    '/api/v1/routing/rules/validate',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Check one CEL expression as you type (nothing is saved)',
        description:
          'context "task" checks a step filter (sees `task`), "agent" an agentFilter (sees `agent` and `task`), ' +
          'with the compiler the rules use. error.kind: "syntax" and "type" would make PUT /routing/rules refuse ' +
          'the rule; "agent-type" is a field or type error on `agent` (e.g. agent.skil), which PUT accepts but ' +
          'which fails (no match) for every agent. An empty expression is valid (it matches everything).',
        body: Body({
          expression: Type.String({ maxLength: 2000 }),
          context: Type.Union([Type.Literal('task'), Type.Literal('agent')]),
        }),
        response: withProblems({
          200: Type.Union([
            Type.Object({ valid: Type.Literal(true) }),
            Type.Object({
              valid: Type.Literal(false),
              error: Type.Object({
                message: Type.String(),
                kind: Type.Union([Type.Literal('syntax'), Type.Literal('type'), Type.Literal('agent-type')]),
                position: Position,
              }),
            }),
          ]),
        }),
      },
    },
    async (request) => checkExpression(request.body.expression, request.body.context),
  );

  app.post(
    '/api/v1/routing/rules/test',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary:
          'Where would this task go? Try the rules (a draft, or those in force) without routing anything',
        description:
          'Places the sample task with the engine itself (the tenant’s queues, the given steps or the rules in ' +
          'force, no agents) and traces each step’s filter. Draft steps are checked as PUT would (400 ' +
          'RULE_SYNTAX); queues they name need not exist (such steps are skipped, as the engine does). ' +
          'version is null for a draft.',
        body: Body({
          steps: Type.Optional(Type.Array(StepSchema, { maxItems: 200 })),
          defaultQueueId: Type.Optional(Uuid),
          task: SampleTaskSchema,
        }),
        response: withProblems({
          200: Type.Object({
            version: Type.Union([Type.Integer(), Type.Null()]),
            queueId: Type.Union([Type.String(), Type.Null()]),
            queueName: Type.Union([Type.String(), Type.Null()]),
            stepId: Type.Union([Type.String(), Type.Null()]),
            trace: Type.Array(
              Type.Object({
                stepId: Type.String(),
                matched: Type.Boolean(),
                error: Type.Optional(Type.String()),
                queueFound: Type.Boolean(),
              }),
            ),
            priority: Type.Number(),
            agentFilter: Type.Optional(Type.String()),
            task: Type.Record(Type.String(), Type.Unknown(), { description: 'what CEL sees as `task`' }),
          }),
        }),
      },
    },
    async (request) => tryRules(ctx.storage.db, actorOf(request).tenantId, live.clock, request.body),
  );

  app.get(
    '/api/v1/routing/settings',
    {
      config: { access: 'supervisor' },
      schema: { tags, summary: "The tenant's ACD options", response: withProblems({ 200: SettingsSchema }) },
    },
    async (request) => getRoutingSettings(live, actorOf(request).tenantId),
  );

  app.put(
    '/api/v1/routing/settings',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: "Change the tenant's ACD options (keys left out keep their value)",
        body: Body({
          voiceBlocksOthers: Type.Optional(SettingsFields.voiceBlocksOthers),
          agingPerMinute: Type.Optional(SettingsFields.agingPerMinute),
          lastAgentWindowMs: Type.Optional(SettingsFields.lastAgentWindowMs),
          lastAgentHoldMs: Type.Optional(SettingsFields.lastAgentHoldMs),
          weights: Type.Optional(Type.Partial(SettingsFields.weights, { additionalProperties: false })),
          breakReasons: Type.Optional(SettingsFields.breakReasons),
        }),
        response: withProblems({ 200: SettingsSchema }),
      },
    },
    async (request) =>
      updateRoutingSettings(
        live,
        ctx.outbox,
        actorOf(request),
        request.body as Parameters<typeof updateRoutingSettings>[3],
      ),
  );

  app.get(
    '/api/v1/routing/stats',
    {
      config: { access: 'supervisor' },
      schema: {
        tags,
        summary: 'Live statistics per queue and per agent',
        description: 'Live updates: on /ws subscribe to ["routing.*"].',
        response: withProblems({
          200: Type.Object({
            at: Timestamp,
            queues: Type.Array(LiveQueueSchema),
            agents: Type.Array(LiveAgentSchema),
            agentsByState: StateCountsSchema,
          }),
        }),
      },
    },
    async (request) => liveStats(live, actorOf(request)),
  );

  app.get(
    '/api/v1/routing/break-reasons',
    {
      config: { access: 'agent' },
      schema: {
        tags,
        summary: 'The reason codes an agent may give for a break',
        response: withProblems({ 200: Type.Object({ items: Type.Array(Type.String()) }) }),
      },
    },
    async (request) => ({ items: [...(await breakReasonsOf(live, actorOf(request).tenantId))] }),
  );

  app.get(
    '/api/v1/routing/agents/:id/state',
    {
      config: { access: 'agent' },
      schema: {
        tags,
        summary: "An agent's state, load and capacity per channel class (as the PUT answers)",
        description: 'Agents read their own (403 for anyone else’s); supervisors may read anyone’s.',
        params: IdParams,
        response: withProblems({ 200: AgentStatsSchema }),
      },
    },
    async (request) => getAgentState(live, actorOf(request), request.params.id),
  );

  app.put(
    '/api/v1/routing/agents/:id/state',
    {
      config: { access: 'agent' },
      schema: {
        tags,
        summary: "Set an agent's state: available, break (with a reason code) or offline",
        description: 'Agents set their own; supervisors may set anyone’s.',
        params: IdParams,
        body: Body({
          state: Type.Union([Type.Literal('available'), Type.Literal('break'), Type.Literal('offline')]),
          reason: Type.Optional(Type.String({ minLength: 1, maxLength: 50 })),
        }),
        response: withProblems({ 200: AgentStatsSchema }),
      },
    },
    async (request) =>
      setAgentState(live, actorOf(request), request.params.id, request.body.state, request.body.reason),
  );

  app.put(
    '/api/v1/routing/agents/:id/profile',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: "Set an agent's rating and per-channel capacity",
        params: IdParams,
        body: Body({
          rating: Type.Optional(Type.Number({ minimum: 0, maximum: 5 })),
          capacity: Type.Optional(
            Type.Record(Type.String(), Type.Integer({ minimum: 0, maximum: 50 }), {
              description:
                'per channel class (voice, chat, email, video), e.g. {"voice": 1, "chat": 3, "email": 5}',
            }),
          ),
        }),
        response: withProblems({
          200: Type.Object({ userId: Uuid, rating: Type.Number(), capacity: Capacity }),
        }),
      },
    },
    async (request) => setAgentProfile(live, ctx.outbox, actorOf(request), request.params.id, request.body),
  );

  app.get(
    '/api/v1/routing/reservations',
    {
      config: { access: 'agent' },
      schema: {
        tags,
        summary: 'Offers waiting for the signed-in agent to accept or reject',
        response: withProblems({ 200: Type.Object({ items: Type.Array(ReservationSchema) }) }),
      },
    },
    async (request) => ({ items: await myReservations(live, actorOf(request)) }),
  );

  for (const verb of ['accept', 'reject'] as const) {
    app.post(
      `/api/v1/routing/reservations/:id/${verb}`,
      {
        config: { access: 'agent' },
        schema: {
          tags,
          summary:
            verb === 'accept'
              ? 'Accept an offer: the task is yours'
              : 'Reject an offer: it goes to the next agent',
          params: ReservationParams,
          body: Body({}),
          response: withProblems({ 200: Type.Object({ taskId: Uuid, status: Type.String() }) }),
        },
      },
      async (request) => {
        const actor = actorOf(request);
        if (verb === 'accept') {
          const task = await acceptReservation(live, actor, request.params.id);
          return { taskId: task.id, status: task.status };
        }
        const r = await rejectReservation(live, actor, request.params.id);
        return { taskId: r.taskId, status: 'rejected' };
      },
    );
  }

  app.get(
    '/api/v1/routing/tasks',
    {
      config: { access: 'supervisor' },
      schema: {
        tags,
        summary: 'Tasks waiting for an agent, best first',
        querystring: Type.Object({ queueId: Type.Optional(Uuid) }, { additionalProperties: false }),
        response: withProblems({ 200: Type.Object({ items: Type.Array(TaskSchema) }) }),
      },
    },
    async (request) => ({ items: await waitingTasks(live, actorOf(request), request.query.queueId) }),
  );

  app.post(
    '/api/v1/routing/tasks',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Queue work for an agent (conversations are queued by themselves; this is for other work)',
        body: Body({
          channel: Type.String({ minLength: 1, maxLength: 50 }),
          conversationId: Type.Optional(Uuid),
          customerId: Type.Optional(Uuid),
          priority: Type.Optional(Type.Integer({ minimum: -1000, maximum: 1000 })),
          attributes: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { maxProperties: 50 })),
        }),
        response: withProblems({ 201: TaskSchema }),
      },
    },
    async (request, reply) => reply.status(201).send(await createTask(live, actorOf(request), request.body)),
  );

  app.get(
    '/api/v1/routing/tasks/:id',
    {
      config: { access: 'agent' },
      schema: {
        tags,
        summary: 'One live task',
        params: IdParams,
        response: withProblems({ 200: TaskSchema }),
      },
    },
    async (request) => getTask(live, actorOf(request), request.params.id),
  );

  app.post(
    '/api/v1/routing/tasks/:id/complete',
    {
      config: { access: 'agent' },
      schema: {
        tags,
        summary: 'Finish a task (wrap-up follows when its queue has one)',
        params: IdParams,
        body: Body({}),
        response: withProblems({ 200: TaskSchema }),
      },
    },
    async (request) => completeTask(live, actorOf(request), request.params.id),
  );

  app.post(
    '/api/v1/routing/tasks/:id/transfer',
    {
      config: { access: 'agent' },
      schema: {
        tags,
        summary: 'Transfer a task to an agent or a queue; its attributes and age go with it',
        params: IdParams,
        body: Type.Union([Body({ agentId: Uuid }), Body({ queueId: Uuid })]),
        response: withProblems({ 200: TaskSchema }),
      },
    },
    async (request) => transferTask(live, actorOf(request), request.params.id, request.body),
  );

  app.post(
    '/api/v1/routing/tasks/:id/cancel',
    {
      config: { access: 'supervisor' },
      schema: {
        tags,
        summary: 'Withdraw a task that is no longer wanted',
        params: IdParams,
        body: Body({}),
        response: withProblems({ 204: Type.Null() }),
      },
    },
    async (request, reply) => {
      await cancelTask(live, actorOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );
}
