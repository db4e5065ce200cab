/**
 * Polls until `probe` returns something truthy and returns it; fails after `ms`. Tests wait on
 * conditions with a deadline, never on fixed sleeps, and never assert how long a thing took.
 */
export async function waitFor<T>(probe: () => T | Promise<T>, ms = 20_000): Promise<NonNullable<T>> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value as NonNullable<T>;
    if (Date.now() > until) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
