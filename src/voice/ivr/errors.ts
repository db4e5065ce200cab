import { DomainError } from '../../core/index.js';

/** One thing wrong (or doubtful) in a flow: where (`nodes.<id>.<field>`), which node, and why. */
export interface FlowProblem {
  path: string;
  nodeId?: string | undefined;
  message: string;
}

/** A flow that cannot run as written. Every problem found is listed (`errors`), the first named in `detail`. */
export class IvrFlowInvalid extends DomainError {
  readonly code = 'IVR_FLOW_INVALID';
  readonly status = 400;

  constructor(readonly problems: FlowProblem[]) {
    const first = problems[0];
    super(
      problems.length === 1
        ? (first?.message ?? 'the flow is invalid')
        : `${first?.message} (and ${problems.length - 1} more)`,
    );
    this.extra.errors = problems.map((p) => ({ path: p.path, message: p.message }));
    if (first?.nodeId) this.extra.nodeId = first.nodeId;
  }
}
