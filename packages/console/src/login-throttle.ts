const WINDOW_MS = 60_000;
const MAX_FAILURES = 5;
/** Addresses remembered at once; the one whose last failure is oldest goes first. */
const MAX_ADDRESSES = 10_000;

/** At most five wrong passwords per address a minute; past that, logins from it are refused until the window passes. */
export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(private readonly now: () => number = Date.now) {}

  blocked(address: string): boolean {
    return this.recent(address).length >= MAX_FAILURES;
  }

  fail(address: string): void {
    const list = this.recent(address);
    list.push(this.now());
    this.failures.delete(address);
    this.failures.set(address, list);
    if (this.failures.size > MAX_ADDRESSES) this.failures.delete(this.failures.keys().next().value!);
  }

  succeed(address: string): void {
    this.failures.delete(address);
  }

  private recent(address: string): number[] {
    const since = this.now() - WINDOW_MS;
    const list = (this.failures.get(address) ?? []).filter((t) => t > since);
    if (list.length === 0) this.failures.delete(address);
    return list;
  }
}
