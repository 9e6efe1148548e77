/**
 * `haloscope detect`'s detectors inside `capture --live`, over a sliding window instead of a
 * whole file. The window is a ring of generations, each a Detector (halog/detect/detector.ts)
 * fed the messages that arrived during its slice of time: judging merges the generations in
 * order (the same exact merge as parts of a file), so every rule sees the last `windowSeconds`
 * (at most one generation more), and a client that stops attacking drops out of the list once
 * its lines have left the window. Memory is bounded by the clients active within the window.
 *
 * Rules with their own windows (flood 10 s, brute force 60 s, crawl 10 s) keep them inside the
 * generations' per-second series; counts that `detect` takes over the whole file (distinct
 * scanned paths, probe matches, slow/bad request ratios) are taken over the window here.
 */
import { LogRecord, parseRecord } from '../../halog/parse/record.js';
import { Detector, type DetectOptions } from '../../halog/detect/detector.js';
import { BUILTIN_RULES, type DetectRules } from '../../halog/detect/rules.js';
import { suspects, type Suspect } from '../../halog/detect/verdict.js';
import { DEFAULTS } from '../options.js';

/** The window when none is given (`--window`; options.ts says why 5 minutes). */
export const LIVE_WINDOW_SECONDS = DEFAULTS.detectWindowSeconds;
/** Generations per window: the window slides by 60 s steps. */
export const LIVE_GENERATIONS = 5;

export interface FlaggedClient extends Suspect {
  /** Epoch seconds (capture clock) when the client was first flagged in this run. */
  readonly since: number;
}

/**
 * A judgement sees at most `windowSeconds` of a client, so proto.bad-requests' health-checker
 * span (monitorMinSpanSeconds, 10 minutes for a file) is shortened to 80 % of a window of a
 * minute or more: a load balancer's TCP checks then stop showing once they fill most of the
 * window, while a scan, over in seconds, still shows.
 */
function withHealthCheckSpan(options: DetectOptions, windowSeconds: number): DetectOptions {
  const rules = options.rules ?? BUILTIN_RULES;
  const span = rules.rules['proto.bad-requests'].monitorMinSpanSeconds;
  const fits = Math.floor(windowSeconds * 0.8);
  if (span <= fits || fits < 60) return options;
  const shorter = structuredClone(rules) as DetectRules;
  shorter.rules['proto.bad-requests'].monitorMinSpanSeconds = fits;
  return { ...options, rules: shorter };
}

export class LiveDetector {
  readonly #options: DetectOptions;
  readonly #step: number;
  readonly #count: number;
  /** Oldest first; the last one is fed. */
  readonly #generations: { start: number; detector: Detector }[] = [];
  readonly #rec = new LogRecord();
  /** Messages since the last judgement (no new line: nothing to re-judge). */
  #fresh = 0;
  #flagged: FlaggedClient[] = [];
  readonly #since = new Map<string, number>();

  constructor(options: DetectOptions = {}, windowSeconds = LIVE_WINDOW_SECONDS, generations = LIVE_GENERATIONS) {
    this.#count = Math.max(1, generations);
    this.#step = Math.max(1, Math.ceil(windowSeconds / this.#count));
    this.#options = withHealthCheckSpan(options, this.windowSeconds);
  }

  /** Seconds covered by each judgement (window plus the generation being filled). */
  get windowSeconds(): number {
    return this.#step * this.#count;
  }

  #current(second: number): Detector {
    const start = second - (second % this.#step);
    const last = this.#generations[this.#generations.length - 1];
    if (last && last.start === start) return last.detector;
    const g = { start, detector: new Detector(this.#options) };
    this.#generations.push(g);
    this.#expire(second);
    return g.detector;
  }

  #expire(second: number): void {
    const oldest = second - this.#step * this.#count;
    while (this.#generations.length > 0 && this.#generations[0]!.start + this.#step <= oldest) {
      this.#generations.shift();
      this.#fresh++; // lines left the window: the verdicts may change
    }
  }

  /** One message (syslog header already skipped, or not: the accept date is found by shape). */
  add(second: number, msg: Buffer, start: number, end: number): void {
    const d = this.#current(second);
    if (parseRecord(msg, start, end, this.#rec)) d.onRecord(this.#rec);
    else d.onInvalid(this.#rec);
    this.#fresh++;
  }

  /**
   * The clients flagged over the window ending at `second`, highest score first. Judging copies
   * the generations' states (structuredClone, then merged in order), so it runs only when
   * lines arrived or left since the last call; the live view calls it once per refresh.
   */
  flagged(second: number): readonly FlaggedClient[] {
    this.#expire(second);
    if (this.#fresh === 0) return this.#flagged;
    this.#fresh = 0;
    const merged = new Detector(this.#options);
    for (const g of this.#generations) merged.merge(structuredClone(g.detector.snapshot()));
    const list = suspects(merged);
    const now = new Set(list.map((s) => s.client));
    for (const k of this.#since.keys()) if (!now.has(k)) this.#since.delete(k);
    this.#flagged = list.map((s) => {
      let since = this.#since.get(s.client);
      if (since === undefined) {
        since = second;
        this.#since.set(s.client, since);
      }
      return { ...s, since };
    });
    return this.#flagged;
  }
}
