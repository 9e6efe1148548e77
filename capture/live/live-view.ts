/**
 * `--live`: every second, the last minute of traffic on stdout; a full screen when stdout is a
 * terminal, one summary line per second otherwise (a pipe or a file keeps a readable record).
 */
import type { Capture } from '../capture.js';
import type { DetectOptions } from '../../halog/detect/detector.js';
import { LiveDetector } from './live-detector.js';
import { renderFlaggedLine, renderLine, renderScreen } from './render.js';
import { newTrafficFields, readTrafficLine } from './traffic-line.js';
import { LiveWindow } from './window.js';

export class LiveView {
  readonly #out: NodeJS.WriteStream;
  readonly #window = new LiveWindow();
  readonly #fields = newTrafficFields();
  /** The detect rules over a sliding window (live-detector.ts). */
  readonly #detector: LiveDetector;
  /** Non-terminal output: what was last printed per flagged client, to print changes only. */
  readonly #printed = new Map<string, string>();
  /** Coarse clock (epoch seconds), refreshed every 100 ms rather than read per datagram. */
  #second = Math.floor(Date.now() / 1000);
  #clock: NodeJS.Timeout | null = null;
  #refresh: NodeJS.Timeout | null = null;
  #capture: Capture | null = null;

  constructor(out: NodeJS.WriteStream, detect: DetectOptions = {}, windowSeconds?: number) {
    this.#out = out;
    this.#detector = new LiveDetector(detect, windowSeconds);
  }

  readonly observe = (msg: Buffer, start: number, end: number): void => {
    const f = this.#fields;
    if (!readTrafficLine(msg, start, end, f)) return;
    const client = msg.toString('latin1', f.clientStart, f.clientEnd);
    const url = f.urlStart >= 0 ? msg.toString('latin1', f.urlStart, f.urlEnd) : null;
    this.#window.add(this.#second, client, url, f.status, f.totalMs, f.http);
    this.#detector.add(this.#second, msg, start, end);
  };

  start(capture: Capture): void {
    this.#capture = capture;
    this.#clock = setInterval(() => void (this.#second = Math.floor(Date.now() / 1000)), 100);
    this.#refresh = setInterval(() => this.#draw(), 1000);
    this.#clock.unref();
    if (this.#out.isTTY) this.#out.write('\x1b[?25l'); // hide the cursor while redrawing
  }

  stop(): void {
    if (this.#clock) clearInterval(this.#clock);
    if (this.#refresh) clearInterval(this.#refresh);
    this.#draw();
    if (this.#out.isTTY) this.#out.write('\x1b[?25h');
  }

  #draw(): void {
    const capture = this.#capture;
    if (!capture) return;
    const now = new Date();
    const second = Math.floor(now.getTime() / 1000);
    const summary = this.#window.summary(second);
    const stats = capture.stats();
    const flagged = this.#detector.flagged(second);
    if (this.#out.isTTY) {
      this.#out.write(`\x1b[H\x1b[J${renderScreen(summary, stats, now, this.#out.columns ?? 100, flagged, this.#detector.windowSeconds)}`);
      return;
    }
    let text = '';
    for (const f of flagged) {
      const what = `${f.verdict} ${f.rules.map((r) => r.id).join(',')}`;
      if (this.#printed.get(f.client) === what) continue;
      this.#printed.set(f.client, what);
      text += renderFlaggedLine(f, now);
    }
    if (this.#printed.size > flagged.length) {
      const still = new Set(flagged.map((f) => f.client));
      for (const k of this.#printed.keys()) if (!still.has(k)) this.#printed.delete(k);
    }
    this.#out.write(text + renderLine(summary, stats, now));
  }
}
