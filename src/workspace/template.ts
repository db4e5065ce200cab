/**
 * Canned-response variables: `{{customer.name}}` and friends, filled from plain values. Pure: the
 * store gathers the values, this only substitutes. A variable it does not know stays in the text as
 * written, so an agent sees what was not filled instead of a silent gap.
 */
export const TEMPLATE_VARIABLES = [
  'customer.name',
  'customer.firstName',
  'agent.name',
  'conversation.id',
  'tenant.name',
] as const;
export type TemplateVariable = (typeof TEMPLATE_VARIABLES)[number];

export interface Rendered {
  text: string;
  /** Variables in the body that are not in TEMPLATE_VARIABLES, in order of first use. */
  unknown: string[];
  /** Known variables with no value here (a customer without a name): replaced by nothing. */
  missing: string[];
}

const VARIABLE = /\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}/g;
const KNOWN = new Set<string>(TEMPLATE_VARIABLES);

export function renderTemplate(body: string, values: Partial<Record<TemplateVariable, string>>): Rendered {
  const unknown = new Set<string>();
  const missing = new Set<string>();
  const text = body.replace(VARIABLE, (whole, name: string) => {
    if (!KNOWN.has(name)) {
      unknown.add(name);
      return whole;
    }
    const value = values[name as TemplateVariable];
    if (!value) missing.add(name);
    return value ?? '';
  });
  return { text, unknown: [...unknown], missing: [...missing] };
}

/**
 * What to call someone by their first name. Names written with spaces ("Emma Clarke", "陈静 Chen
 * Jing") give their first word; a Chinese name written without one ("张伟") is used whole, as
 * addressing a customer by the given name alone would be too familiar.
 */
export function firstNameOf(name: string): string {
  return name.trim().split(/\s+/)[0] ?? '';
}
