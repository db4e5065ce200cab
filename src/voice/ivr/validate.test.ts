import { describe, expect, it } from 'vitest';
import { IvrFlowInvalid } from './errors.js';
import type { FlowDefinition, FlowNode } from './flow.js';
import { sampleFlow } from './sample-flow.js';
import { checkFlow, compileFlow } from './validate.js';

const IDS = {
  hoursId: '0193a000-0000-7000-8000-000000000001',
  queueId: '0193a000-0000-7000-8000-000000000002',
  vipQueueId: '0193a000-0000-7000-8000-000000000003',
};
const say = { text: '请按1', language: 'zh-CN' as const };

function flowOf(...nodes: FlowNode[]): FlowDefinition {
  return { entry: nodes[0]!.id, nodes };
}

function problemsOf(def: unknown) {
  const { errors } = checkFlow(def);
  return errors.map((e) => `${e.path}: ${e.message}`);
}

describe('IVR flow validation', () => {
  it('accepts the sample flow and lists the queues, hours and audio it names', () => {
    const flow = compileFlow(sampleFlow(IDS));
    expect(flow.warnings).toEqual([]);
    expect(flow.references).toEqual({
      queueIds: [IDS.queueId, IDS.vipQueueId],
      businessHoursIds: [IDS.hoursId],
      audioIds: [],
    });
  });

  it('names the node and field of a reference to a node that does not exist', () => {
    const def = flowOf({ id: 'hello', type: 'play', prompt: say, next: 'menu' });
    expect(problemsOf(def)).toEqual(['nodes.hello.next: node "hello" next: there is no node "menu"']);
    expect(() => compileFlow(def)).toThrow(IvrFlowInvalid);
    try {
      compileFlow(def);
    } catch (err) {
      expect((err as IvrFlowInvalid).extra).toMatchObject({ nodeId: 'hello' });
    }
  });

  it('refuses an entry that is not a node and a node id used twice', () => {
    const def = {
      entry: 'start',
      nodes: [
        { id: 'a', type: 'hangup' },
        { id: 'a', type: 'hangup' },
      ],
    };
    expect(problemsOf(def)).toEqual([
      'nodes.a.id: node id "a" is used twice',
      'entry: the entry "start" is not a node of the flow',
    ]);
  });

  it('checks each node against the schema of its own type, naming the node', () => {
    const def = {
      entry: 'm',
      nodes: [
        {
          id: 'm',
          type: 'menu',
          prompt: { text: '', language: 'fr' },
          maxDigits: 40,
          retries: 9,
          branches: { '1': 'bye' },
          noInput: 'bye',
          noMatch: 'bye',
          colour: 'red',
        },
        { id: 'bye', type: 'hangup' },
        { id: 'x', type: 'jump' },
      ],
    };
    const problems = problemsOf(def);
    expect(problems).toContain('nodes.m.colour: node "m" colour: Unexpected property');
    expect(problems).toContain(
      'nodes.m.maxDigits: node "m" maxDigits: Expected integer to be less or equal to 32',
    );
    expect(problems).toContain(
      'nodes.m.retries: node "m" retries: Expected integer to be less or equal to 5',
    );
    expect(problems.some((p) => p.startsWith('nodes.m.prompt.text'))).toBe(true);
    expect(problems.some((p) => p.startsWith('nodes.m.prompt.language'))).toBe(true);
    expect(problems).toContain(
      'nodes.x.type: node "x": type must be one of play, menu, collect, branch, setAttributes, enqueue, transfer, hangup',
    );
  });

  it('refuses menu branches that can never be typed', () => {
    const def = flowOf(
      {
        id: 'm',
        type: 'menu',
        prompt: say,
        maxDigits: 2,
        terminator: '#',
        branches: { '123': 'bye', '1#': 'bye', '9': 'bye' },
        noInput: 'bye',
        noMatch: 'bye',
      },
      { id: 'bye', type: 'hangup' },
    );
    expect(problemsOf(def)).toEqual([
      'nodes.m.branches.123: node "m" branches.123: longer than maxDigits (2): it can never be typed',
      'nodes.m.branches.1#: node "m" branches.1#: contains the terminator #, which ends the entry instead',
    ]);
  });

  it('refuses a loop that never waits for the caller, and shows it', () => {
    const def = flowOf(
      { id: 'a', type: 'play', prompt: say, next: 'b' },
      { id: 'b', type: 'setAttributes', attributes: { x: 1 }, next: 'a' },
    );
    expect(problemsOf(def)).toEqual([
      'nodes.a: the loop a → b → a never waits for the caller (add a menu or collect node to it)',
    ]);
  });

  it('accepts a loop through a menu, warning when a silent caller would go round it', () => {
    const def = flowOf(
      {
        id: 'm',
        type: 'menu',
        prompt: say,
        branches: { '9': 'm', '1': 'q' },
        noInput: 'again',
        noMatch: 'q',
      },
      { id: 'again', type: 'play', prompt: say, next: 'm' },
      { id: 'q', type: 'enqueue' },
      { id: 'orphan', type: 'hangup' },
    );
    const { flow, warnings } = checkFlow(def);
    expect(flow).toBeDefined();
    expect(warnings.map((w) => w.message)).toEqual([
      'a caller who presses nothing goes round m → again → m until the step limit ends the call',
      'node "orphan" cannot be reached from the entry',
    ]);
  });

  it('reports a CEL condition that does not compile with its position', () => {
    const def = flowOf(
      {
        id: 'b',
        type: 'branch',
        on: 'attribute',
        cases: [{ when: 'customer.tier >= ', next: 'q' }],
        default: 'q',
      },
      { id: 'q', type: 'enqueue' },
    );
    const [problem] = problemsOf(def);
    expect(problem).toMatch(/^nodes\.b\.cases\.0\.when: node "b" cases\.0\.when: .+ \(at character \d+\)$/);
  });

  it('checks the simple condition form: exists takes no value, in takes a list', () => {
    const def = flowOf(
      {
        id: 'b',
        type: 'branch',
        on: 'attribute',
        cases: [
          { when: { path: 'customer.attributes.vip', op: 'exists', value: true }, next: 'q' },
          { when: { path: 'call.from', op: 'in', value: '+86' }, next: 'q' },
          { when: { path: 'customer.tier', op: '>=', value: 2 }, next: 'q' },
        ],
        default: 'q',
      },
      { id: 'q', type: 'enqueue' },
    );
    expect(problemsOf(def)).toEqual([
      'nodes.b.cases.0.when: node "b" cases.0.when: "exists" takes no value',
      'nodes.b.cases.1.when: node "b" cases.1.when: "in" needs a list of values',
    ]);
  });

  it('keeps routing’s own attributes out of a flow’s reach', () => {
    const def = flowOf({ id: 'q', type: 'enqueue', attributes: { customerId: 'someone else' } });
    expect(problemsOf(def)).toEqual([
      'nodes.q.attributes: node "q" attributes: "customerId" is set by routing itself and cannot be set by a flow',
    ]);
  });

  it('refuses what is not a flow at all', () => {
    expect(problemsOf(null)).toEqual(['definition: a flow is an object with entry and nodes']);
    expect(problemsOf({ entry: 'a', nodes: [] })).toEqual(['nodes: a flow needs at least one node']);
  });
});
