/**
 * A timeout that is moved far more often than it expires: one per session or server
 * connection, re-armed for every request and refreshed by every read. Moving it later only
 * stores the new deadline; the Node timer, when it fires early, re-arms itself for what is
 * left. Node's timer is touched only when the deadline moves earlier than it, when it fires,
 * and by dispose(). It fires at the deadline with the same millisecond precision as a
 * setTimeout() armed at that moment.
 */
const now = (): number => performance.now();

export class Deadline {
  #timer: NodeJS.Timeout | null = null;
  /** performance.now() at which the Node timer fires. */
  #armedAt = 0;
  /** performance.now() of the deadline, -1 = none. */
  #at = -1;
  /**
   * What expiry calls, with its argument: a function shared by all the owners of deadlines
   * (a session, an exchange) and the owner, rather than a closure made per owner.
   */
  #fire: ((target: unknown) => void) | null = null;
  #target: unknown = null;
  readonly #onTimer = (): void => this.#expire();

  /** Calls `fire(target)` in `ms` milliseconds (ms > 0), instead of what was set before. */
  set<T>(ms: number, fire: (target: T) => void, target: T): void {
    const at = now() + ms;
    this.#at = at;
    this.#fire = fire as (target: unknown) => void;
    this.#target = target;
    if (this.#timer !== null) {
      if (at >= this.#armedAt) return; // fires earlier and re-arms then
      clearTimeout(this.#timer);
    }
    this.#armedAt = at;
    this.#timer = setTimeout(this.#onTimer, ms);
  }

  /** The deadline moves `ms` from now, same callback (a no-op when none is set). */
  refresh(ms: number): void {
    if (this.#at >= 0) this.set(ms, this.#fire!, this.#target);
  }

  /** No deadline; the Node timer, if armed, stays until it fires or dispose(). */
  clear(): void {
    this.#at = -1;
    this.#fire = null;
    this.#target = null;
  }

  get active(): boolean {
    return this.#at >= 0;
  }

  /** No deadline and no Node timer (nothing left to keep the event loop alive). */
  dispose(): void {
    this.clear();
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #expire(): void {
    this.#timer = null;
    if (this.#at < 0) return;
    const left = this.#at - now();
    // Node fires a timer when its whole milliseconds have elapsed on the loop's clock: within
    // a millisecond of the deadline is the deadline
    if (left >= 1) {
      this.#armedAt = this.#at;
      this.#timer = setTimeout(this.#onTimer, Math.ceil(left));
      return;
    }
    const fire = this.#fire!;
    const target = this.#target;
    this.clear();
    fire(target);
  }
}
