/**
 * Runtime problems go to stderr with their code, at most once per 10 s per subject (a full disk
 * at 100k datagrams/s must not print 100k lines), with the number of repeats held back.
 */
export class Reporter {
  readonly #out: (line: string) => void;
  readonly #intervalMs: number;
  readonly #last = new Map<string, { at: number; suppressed: number }>();

  constructor(out: (line: string) => void, intervalMs = 10_000) {
    this.#out = out;
    this.#intervalMs = intervalMs;
  }

  /** Always printed. */
  info(message: string): void {
    this.#out(`capture: ${message}\n`);
  }

  /** Printed now, or counted and summarised on the next print for the same subject. */
  problem(code: string, subject: string, message: string): void {
    const key = `${code} ${subject}`;
    const now = Date.now();
    const seen = this.#last.get(key);
    if (seen && now - seen.at < this.#intervalMs) {
      seen.suppressed++;
      return;
    }
    const repeats = seen && seen.suppressed > 0 ? ` (${seen.suppressed} more like this since the last report)` : '';
    this.#last.set(key, { at: now, suppressed: 0 });
    this.#out(`capture: ${message}${repeats} [${code}]\n`);
  }

  /** The subject works again: say so once, and forget the throttle. */
  recovered(code: string, subject: string, message: string): void {
    if (this.#last.delete(`${code} ${subject}`)) this.#out(`capture: ${message}\n`);
  }
}
