import { type Static, type TSchema, Type } from '@sinclair/typebox';

/**
 * An IVR flow as data: a list of nodes and the one the call enters at. The admin console's flow
 * editor writes it; the API validates it with these schemas (shape) and `validate.ts` (meaning:
 * references, reachability, loops, CEL); the engine runs it. Node ids are the flow's own names.
 */

export const PROMPT_LANGUAGES = ['zh-CN', 'en'] as const;
export type PromptLanguage = (typeof PROMPT_LANGUAGES)[number];

/** DTMF keys a caller can press. */
export const DIGITS = /^[0-9*#]+$/;
export const NODE_ID = '^[A-Za-z][A-Za-z0-9_-]{0,63}$';
export const ATTRIBUTE_NAME = '^[A-Za-z_][A-Za-z0-9_]{0,63}$';
/** Attributes routing sets itself; a flow may not overwrite them. */
export const RESERVED_ATTRIBUTES = ['channel', 'conversationId', 'customerId'] as const;
export const MAX_NODES = 200;
export const MAX_RETRIES = 5;
export const MAX_DIGITS = 32;

const uuid = Type.String({ format: 'uuid' });
const NodeId = Type.String({ pattern: NODE_ID, description: 'a node id of this flow' });
const Position = Type.Optional(
  Type.Object(
    { x: Type.Number(), y: Type.Number() },
    { additionalProperties: false, description: 'where the editor draws the node; the engine ignores it' },
  ),
);

export const SpeechPromptSchema = Type.Object(
  {
    text: Type.String({ minLength: 1, maxLength: 1000 }),
    language: Type.Union(
      PROMPT_LANGUAGES.map((l) => Type.Literal(l)),
      { description: 'zh-CN is read by the Mandarin voice (cmn), en by English' },
    ),
    voice: Type.Optional(
      Type.String({
        pattern: '^[a-z]{2,3}(-[a-z0-9]{1,8})*$',
        description: 'an eSpeak NG voice of the language',
      }),
    ),
    rate: Type.Optional(Type.Integer({ minimum: 80, maximum: 400, description: 'words per minute' })),
  },
  { additionalProperties: false, description: 'synthesized from text (eSpeak NG), then cached' },
);

export const AudioPromptSchema = Type.Object(
  { audioId: uuid },
  { additionalProperties: false, description: 'an uploaded recording (POST /api/v1/ivr/audio)' },
);

export const PromptSchema = Type.Union([SpeechPromptSchema, AudioPromptSchema]);
export type SpeechPrompt = Static<typeof SpeechPromptSchema>;
export type AudioPrompt = Static<typeof AudioPromptSchema>;
export type Prompt = SpeechPrompt | AudioPrompt;

const Digits = { maxDigits: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_DIGITS, default: 1 })) };
const Collecting = {
  prompt: PromptSchema,
  timeoutMs: Type.Optional(
    Type.Integer({
      minimum: 1000,
      maximum: 60_000,
      default: 5000,
      description: 'silence before it counts as no input',
    }),
  ),
  retries: Type.Optional(
    Type.Integer({
      minimum: 0,
      maximum: MAX_RETRIES,
      default: 2,
      description: 'times the prompt is played again after no input or a wrong entry',
    }),
  ),
  terminator: Type.Optional(Type.Union([Type.Literal('#'), Type.Literal('*')])),
  retryPrompt: Type.Optional(PromptSchema),
  noInput: NodeId,
};

const node = <K extends string, T extends Record<string, TSchema>>(type: K, fields: T, description: string) =>
  Type.Object(
    { id: Type.String({ pattern: NODE_ID }), type: Type.Literal(type), ...fields, position: Position },
    { additionalProperties: false, description },
  );

export const PlayNodeSchema = node('play', { prompt: PromptSchema, next: NodeId }, 'plays a prompt');

export const MenuNodeSchema = node(
  'menu',
  {
    ...Digits,
    ...Collecting,
    branches: Type.Record(Type.String({ pattern: '^[0-9*#]{1,32}$' }), NodeId, {
      description: 'digits entered → node',
      minProperties: 1,
    }),
    noMatch: NodeId,
    saveAs: Type.Optional(
      Type.String({ pattern: ATTRIBUTE_NAME, description: 'also keep the digits as an attribute' }),
    ),
  },
  'plays a prompt and branches on the digits entered',
);

export const CollectNodeSchema = node(
  'collect',
  {
    ...Digits,
    minDigits: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_DIGITS, default: 1 })),
    ...Collecting,
    saveAs: Type.String({ pattern: ATTRIBUTE_NAME, description: 'the attribute the digits are kept in' }),
    next: NodeId,
    noMatch: Type.Optional(NodeId),
  },
  'plays a prompt and keeps the digits entered (an account number) as an attribute',
);

const Scalar = Type.Union([Type.String({ maxLength: 500 }), Type.Number(), Type.Boolean()]);

export const ConditionSchema = Type.Union([
  Type.String({ minLength: 1, maxLength: 2000, description: 'CEL over `customer` and `call`' }),
  Type.Object(
    {
      path: Type.String({ pattern: '^(customer|call)(\\.[A-Za-z0-9_]+)+$' }),
      op: Type.Union(['==', '!=', '<', '<=', '>', '>=', 'in', 'exists'].map((o) => Type.Literal(o))),
      value: Type.Optional(Type.Union([Scalar, Type.Array(Scalar, { maxItems: 100 })])),
    },
    { additionalProperties: false },
  ),
]);
export type Condition = Static<typeof ConditionSchema>;

export const BusinessHoursBranchSchema = node(
  'branch',
  {
    on: Type.Literal('businessHours'),
    businessHoursId: uuid,
    cases: Type.Object(
      { open: Type.Optional(NodeId), closed: Type.Optional(NodeId), holiday: Type.Optional(NodeId) },
      { additionalProperties: false, description: 'holiday falls back to closed, each to default' },
    ),
    default: NodeId,
  },
  'branches on whether the business hours are open now',
);

export const AttributeBranchSchema = node(
  'branch',
  {
    on: Type.Literal('attribute'),
    cases: Type.Array(Type.Object({ when: ConditionSchema, next: NodeId }, { additionalProperties: false }), {
      minItems: 1,
      maxItems: 50,
      description: 'the first case whose condition holds',
    }),
    default: NodeId,
  },
  "branches on the customer's or the call's attributes",
);

export const SetAttributesNodeSchema = node(
  'setAttributes',
  {
    attributes: Type.Record(Type.String({ pattern: ATTRIBUTE_NAME }), Scalar, { maxProperties: 50 }),
    next: NodeId,
  },
  "sets attributes the routing task will carry (and the call's)",
);

export const EnqueueNodeSchema = node(
  'enqueue',
  {
    queueId: Type.Optional(uuid),
    priority: Type.Optional(Type.Integer({ minimum: -100, maximum: 100 })),
    attributes: Type.Optional(
      Type.Record(Type.String({ pattern: ATTRIBUTE_NAME }), Scalar, { maxProperties: 50 }),
    ),
  },
  'ends the IVR: the call waits for an agent (a routing task with the attributes)',
);

export const TransferNodeSchema = node(
  'transfer',
  { to: Type.String({ pattern: '^\\+?[0-9]{2,20}$', description: 'a number (E.164) or extension' }) },
  'ends the IVR: the call goes to another number',
);

export const HangupNodeSchema = node(
  'hangup',
  { cause: Type.Optional(Type.String({ pattern: '^[a-z_]{1,40}$', description: 'recorded with the call' })) },
  'ends the call',
);

export const NodeSchema = Type.Union([
  PlayNodeSchema,
  MenuNodeSchema,
  CollectNodeSchema,
  BusinessHoursBranchSchema,
  AttributeBranchSchema,
  SetAttributesNodeSchema,
  EnqueueNodeSchema,
  TransferNodeSchema,
  HangupNodeSchema,
]);

export const FlowDefinitionSchema = Type.Object(
  {
    entry: NodeId,
    nodes: Type.Array(NodeSchema, { minItems: 1, maxItems: MAX_NODES }),
  },
  { additionalProperties: false, description: 'an IVR flow: its nodes and the one a call enters at' },
);

export type PlayNode = Static<typeof PlayNodeSchema>;
export type MenuNode = Static<typeof MenuNodeSchema>;
export type CollectNode = Static<typeof CollectNodeSchema>;
export type BusinessHoursBranch = Static<typeof BusinessHoursBranchSchema>;
export type AttributeBranch = Static<typeof AttributeBranchSchema>;
export type SetAttributesNode = Static<typeof SetAttributesNodeSchema>;
export type EnqueueNode = Static<typeof EnqueueNodeSchema>;
export type TransferNode = Static<typeof TransferNodeSchema>;
export type HangupNode = Static<typeof HangupNodeSchema>;
export type FlowNode = Static<typeof NodeSchema>;
export type FlowDefinition = Static<typeof FlowDefinitionSchema>;
export type AttributeValue = string | number | boolean;

/** The schema of one node, chosen by its `type` (and a branch's `on`), so errors name that node's fields. */
export function schemaOfNode(node: { type?: unknown; on?: unknown }): TSchema | undefined {
  switch (node.type) {
    case 'play':
      return PlayNodeSchema;
    case 'menu':
      return MenuNodeSchema;
    case 'collect':
      return CollectNodeSchema;
    case 'branch':
      return node.on === 'businessHours'
        ? BusinessHoursBranchSchema
        : node.on === 'attribute'
          ? AttributeBranchSchema
          : undefined;
    case 'setAttributes':
      return SetAttributesNodeSchema;
    case 'enqueue':
      return EnqueueNodeSchema;
    case 'transfer':
      return TransferNodeSchema;
    case 'hangup':
      return HangupNodeSchema;
    default:
      return undefined;
  }
}

export const NODE_TYPES = [
  'play',
  'menu',
  'collect',
  'branch',
  'setAttributes',
  'enqueue',
  'transfer',
  'hangup',
] as const;

/** Nodes that wait for the caller: a loop through one of them cannot spin by itself. */
export const INPUT_TYPES = new Set(['menu', 'collect']);
export const TERMINAL_TYPES = new Set(['enqueue', 'transfer', 'hangup']);

/** Every node id a node leads to, with the field that names it. */
export function targetsOf(n: FlowNode): { field: string; to: string }[] {
  switch (n.type) {
    case 'play':
    case 'setAttributes':
      return [{ field: 'next', to: n.next }];
    case 'menu':
      return [
        ...Object.entries(n.branches).map(([d, to]) => ({ field: `branches.${d}`, to })),
        { field: 'noInput', to: n.noInput },
        { field: 'noMatch', to: n.noMatch },
      ];
    case 'collect':
      return [
        { field: 'next', to: n.next },
        { field: 'noInput', to: n.noInput },
        ...(n.noMatch ? [{ field: 'noMatch', to: n.noMatch }] : []),
      ];
    case 'branch':
      return n.on === 'businessHours'
        ? [
            ...Object.entries(n.cases).map(([k, to]) => ({ field: `cases.${k}`, to: to as string })),
            { field: 'default', to: n.default },
          ]
        : [
            ...n.cases.map((c, i) => ({ field: `cases.${i}.next`, to: c.next })),
            { field: 'default', to: n.default },
          ];
    default:
      return [];
  }
}
