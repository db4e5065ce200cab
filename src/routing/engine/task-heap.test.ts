import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type TaskRec, taskBefore } from './state.js';
import { TaskHeap } from './task-heap.js';

/** Just the fields the heap orders by; keys collide often so that createdAt and arrival decide too. */
function taskOf(seq: number, key: number, createdAt: number): TaskRec {
  return { seq, key, createdAt, heapIndex: -1 } as TaskRec;
}

const byServiceOrder = (a: TaskRec, b: TaskRec) => (taskBefore(a, b) ? -1 : 1);

describe('the heap of waiting tasks', () => {
  it('keeps service order through pushes and removals from anywhere, and finds the first accepted among the best', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.record({ push: fc.integer({ min: 0, max: 6 }), at: fc.integer({ min: 0, max: 4 }) }),
            fc.record({ remove: fc.nat() }),
            fc.record({ find: fc.nat(9), limit: fc.integer({ min: 1, max: 20 }) }),
          ),
          { maxLength: 300 },
        ),
        (ops) => {
          const heap = new TaskHeap();
          const inside: TaskRec[] = [];
          let seq = 0;
          for (const op of ops) {
            if ('push' in op) {
              const t = taskOf(++seq, op.push / 2, op.at);
              heap.push(t);
              inside.push(t);
            } else if ('remove' in op) {
              if (inside.length === 0) continue;
              const [t] = inside.splice(op.remove % inside.length, 1);
              heap.remove(t!);
              expect(heap.has(t!)).toBe(false);
            } else {
              const sorted = [...inside].sort(byServiceOrder);
              const accept = (t: TaskRec) => t.seq % 10 === op.find;
              const expected = sorted.slice(0, op.limit).find(accept);
              expect(heap.find(accept, op.limit)).toBe(expected);
            }
            expect(heap.size).toBe(inside.length);
            expect(heap.peek()).toBe([...inside].sort(byServiceOrder)[0]);
            for (const t of inside) expect(heap.has(t)).toBe(true);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
