import { DomainError } from '../../core/index.js';

/**
 * A routing rule that does not compile. `position` is the 0-based character offset into the
 * expression (with 1-based `line`/`column`), so the rule editor can put a caret under it.
 */
export class RuleSyntaxError extends DomainError {
  readonly code = 'RULE_SYNTAX';
  readonly status = 400;

  constructor(
    message: string,
    readonly position: number | undefined,
    readonly stepId: string | undefined,
    readonly field: string,
    source = '',
  ) {
    super(message);
    this.extra.field = field;
    if (stepId !== undefined) this.extra.stepId = stepId;
    if (position !== undefined) {
      const before = source.slice(0, position).split('\n');
      this.extra.position = position;
      this.extra.line = before.length;
      this.extra.column = (before.at(-1)?.length ?? 0) + 1;
    }
  }

  get line(): number | undefined {
    return this.extra.line as number | undefined;
  }

  get column(): number | undefined {
    return this.extra.column as number | undefined;
  }
}
