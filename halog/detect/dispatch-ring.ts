/**
 * The hand-over between the thread that reads a log and a thread that judges some of its
 * clients (dispatch.ts, dispatch-worker.ts): a ring of slots in shared memory, each naming one
 * read buffer of whole lines (source, file offset, length: the judge reads those bytes again
 * from the page cache into its own buffer) and where that judge's lines are in it. The reader
 * fills a slot and marks it full; the judge takes the lines and marks it free again. A slot's
 * state is one Int32 cell that both wait on (Atomics.wait/notify), so neither thread spins and
 * neither needs its event loop.
 *
 * The bytes are not copied through shared memory: slots of 4 MiB each were fresh memory to
 * touch (~5 ms per MB on this VM: 0.16 s for 8 slots), and a read from the page cache into the
 * judge's own, already touched buffer costs what a copy does.
 */
import { parseRecordAt, type LogRecord } from '../parse/record.js';

/** Slots per judge: 16 read buffers (64 MiB of input) ahead, enough to cover a worker's start (~0.3 s). */
export const SLOTS = 16;
/** Lines of one judge a slot can list (a 4 MiB buffer of 340-byte lines has ~12k lines); more go to the next slot. */
export const SLOT_LINES = 1 << 15;
/**
 * Int32 cells a line takes in a slot's list: start, end, and where its client field and
 * accept date start (-1: unknown), for parseRecordAt.
 */
export const LINE_CELLS = 4;

/** Slot states. */
export const FREE = 0;
export const FULL = 1;
/** No more slots: the judge sends its snapshot. */
export const END = 2;

/** Int32 cells per slot in `ctrl`. */
const CELLS = 8;
/** Cell offsets of a slot: state, bytes, lines, source index. */
const ST = 0;
const BYTES = 1;
const LINES = 2;
const SOURCE = 3;

/** The shared memory of one ring: structured-clonable (sent to the judge as workerData). */
export interface RingMemory {
  /** CELLS Int32 per slot, then one cell: set when the judge failed. */
  readonly ctrl: SharedArrayBuffer;
  /** File offset of each slot's byte 0 (Float64 per slot). */
  readonly base: SharedArrayBuffer;
  /** LINE_CELLS Int32 per line of the judge's lines in each slot. */
  readonly lines: SharedArrayBuffer[];
}

export function ringMemory(): RingMemory {
  return {
    ctrl: new SharedArrayBuffer((SLOTS * CELLS + 1) * 4),
    base: new SharedArrayBuffer(SLOTS * 8),
    lines: Array.from({ length: SLOTS }, () => new SharedArrayBuffer(SLOT_LINES * LINE_CELLS * 4)),
  };
}

/** The cell a failed judge sets, so that a reader waiting for a slot stops instead of waiting forever. */
const FAILED = SLOTS * CELLS;

/** Thrown by a reader waiting for a judge that failed (the judge's own error comes by its 'error' event). */
export class JudgeFailed extends Error {}

/** Waits until `ctrl[i]` is no longer `v` (1 s steps: a failed peer is noticed). */
function waitWhile(ctrl: Int32Array, i: number, v: number): void {
  while (Atomics.load(ctrl, i) === v) {
    if (Atomics.load(ctrl, FAILED) !== 0) throw new JudgeFailed('detect: a worker thread failed');
    Atomics.wait(ctrl, i, v, 1000);
  }
}

/**
 * The reader's side of a ring. Per read buffer: `begin`, then `push` for each of the judge's
 * lines, then `finish`; a slot is taken at the buffer's first line for this judge (a buffer
 * with none costs nothing).
 */
export class RingWriter {
  readonly memory = ringMemory();
  readonly #ctrl = new Int32Array(this.memory.ctrl);
  readonly #base = new Float64Array(this.memory.base);
  readonly #lines = this.memory.lines.map((l) => new Int32Array(l));
  #next = 0;
  /** The slot being filled (-1: none yet for this buffer), its line count. */
  #slot = -1;
  #n = 0;
  #end = 0;
  #source = 0;
  #at = 0;

  /** A read buffer of `end` bytes of whole lines, its byte 0 at offset `base` of source `source`. */
  begin(end: number, source: number, base: number): void {
    this.#end = end;
    this.#source = source;
    this.#at = base;
    this.#slot = -1;
  }

  /** A line of the judge's; `client` and `accept`: where parseRecordAt may start (-1: unknown). */
  push(start: number, end: number, client: number, accept: number): void {
    if (this.#slot < 0) this.#take();
    const l = this.#lines[this.#slot]!;
    const c = LINE_CELLS * this.#n;
    l[c] = start;
    l[c + 1] = end;
    l[c + 2] = client;
    l[c + 3] = accept;
    if (++this.#n === SLOT_LINES) this.finish();
  }

  /** Hands the current slot over, if the buffer had lines for this judge. */
  finish(): void {
    const s = this.#slot;
    if (s < 0) return;
    const c = s * CELLS;
    this.#ctrl[c + LINES] = this.#n;
    Atomics.store(this.#ctrl, c + ST, FULL);
    Atomics.notify(this.#ctrl, c + ST);
    this.#slot = -1;
  }

  /** No more lines: the judge ends once it has taken every full slot. */
  close(): void {
    const s = this.#free();
    Atomics.store(this.#ctrl, s * CELLS + ST, END);
    Atomics.notify(this.#ctrl, s * CELLS + ST);
  }

  /** The next slot, once the judge gave it back. */
  #take(): void {
    const s = this.#free();
    const c = s * CELLS;
    this.#ctrl[c + BYTES] = this.#end;
    this.#ctrl[c + SOURCE] = this.#source;
    this.#base[s] = this.#at;
    this.#slot = s;
    this.#n = 0;
  }

  #free(): number {
    const s = this.#next;
    this.#next = (s + 1) % SLOTS;
    waitWhile(this.#ctrl, s * CELLS + ST, FULL);
    return s;
  }
}

/** What a judge is told of a full slot: its lines are in bytes [base, base + bytes) of source `source`. */
export interface Slot {
  bytes: number;
  source: number;
  base: number;
  /** LINE_CELLS cells for each of its lines, `count` of them. */
  lines: Int32Array;
  count: number;
}

/** The judge's side of a ring. */
export class RingReader {
  readonly #ctrl: Int32Array;
  readonly #base: Float64Array;
  readonly #lines: Int32Array[];
  #next = 0;
  readonly #slot: Slot = { bytes: 0, source: 0, base: 0, lines: new Int32Array(0), count: 0 };

  constructor(m: RingMemory) {
    this.#ctrl = new Int32Array(m.ctrl);
    this.#base = new Float64Array(m.base);
    this.#lines = m.lines.map((l) => new Int32Array(l));
  }

  /** The next full slot (the same object each time), or null at the end; `release()` when done with it. */
  next(): Slot | null {
    const s = this.#next;
    const c = s * CELLS;
    waitWhile(this.#ctrl, c + ST, FREE);
    if (Atomics.load(this.#ctrl, c + ST) === END) return null;
    const slot = this.#slot;
    slot.bytes = this.#ctrl[c + BYTES]!;
    slot.source = this.#ctrl[c + SOURCE]!;
    slot.base = this.#base[s]!;
    slot.lines = this.#lines[s]!;
    slot.count = this.#ctrl[c + LINES]!;
    return slot;
  }

  release(): void {
    const c = this.#next * CELLS;
    this.#next = (this.#next + 1) % SLOTS;
    Atomics.store(this.#ctrl, c + ST, FREE);
    Atomics.notify(this.#ctrl, c + ST);
  }

  /** Tells the reader this judge will take no more slots (it failed). */
  fail(): void {
    Atomics.store(this.#ctrl, FAILED, 1);
    Atomics.notify(this.#ctrl, FAILED);
    for (let s = 0; s < SLOTS; s++) Atomics.notify(this.#ctrl, s * CELLS + ST);
  }
}

/** The part of a detection job that lines are fed to. */
export interface LineJob {
  onRecord(rec: LogRecord): void;
  onInvalid(rec: LogRecord): void;
}

/** Parses and feeds the `count` lines of `lines` (LINE_CELLS cells each) of `buf` to `job`. */
export function feedLines(job: LineJob, rec: LogRecord, buf: Buffer, lines: Int32Array, count: number): void {
  for (let i = 0; i < LINE_CELLS * count; i += LINE_CELLS) {
    if (parseRecordAt(buf, lines[i]!, lines[i + 1]!, lines[i + 2]!, lines[i + 3]!, rec)) job.onRecord(rec);
    else job.onInvalid(rec);
  }
}
