/**
 * record.ts's parseRecord, for the common shape of a line, as one WebAssembly function of the
 * SIMD scanner (simd-scan.ts): `record(start, end)` walks every field of an httplog or tcplog
 * line in one call and leaves the fields' offsets and numbers at RecordOut in the module's
 * memory; parseRecord copies them into its LogRecord.
 *
 * It returns 1 (httplog) or 2 (tcplog), record.ts's RecordKind values, only for a line on which parseRecord's JavaScript walk
 * would succeed with exactly these values, and 0 ("ask JavaScript") for anything less common:
 * a number with more than 9 digits (JavaScript keeps it exact, an i32 would not), a `-` or `+`
 * on the status or the byte count, a timer, counter or queue field that is not exactly
 * `n/n/...` with the expected count, a byte after a number other than a space, a `<PRI>` glued
 * to the client, and every line JavaScript rejects. The JavaScript walk then decides, so the
 * two can differ in speed only (test/halog/record-parser-paths.test.ts compares them field
 * by field on whole and mutated lines).
 *
 * Why: the JavaScript walk was ~450 ns a line on the benchmark log, the largest single part of
 * `report` and `detect` runs (docs/reports.md, seventh pass).
 */
import { I32, SIMD, V128, VOID, byteAt, get, i32, inc, leb, op, set, vectorFind } from './wasm-binary.js';

/** Where `record` leaves its results: i32 slots, this index times 4 after the output base. */
export const RecordOut = {
  clientStart: 0, clientEnd: 1, clientColon: 2, clientPort: 3, accept: 4, acceptEnd: 5,
  frontendStart: 6, frontendEnd: 7, backendStart: 8, backendSlash: 9, serverEnd: 10,
  /** Five (httplog) or three (tcplog) timer values as written, from here. */
  timers: 11,
  /** Bit 1: a timer carried a `+` (logasap); bit 2: a counter did (retries redispatched). */
  flags: 16,
  status: 17, bytes: 18,
  requestCookieStart: 19, requestCookieEnd: 20, responseCookieStart: 21, responseCookieEnd: 22,
  terminationStart: 23, terminationEnd: 24,
  /** Five connection counters, then the two queues. */
  connections: 25, queues: 30,
  captureBlocks: 32, requestCapturesStart: 33, requestCapturesEnd: 34, responseCapturesStart: 35, responseCapturesEnd: 36,
  /** The request's first byte after its opening quote, and its closing quote (or the line end). */
  requestStart: 37, requestEnd: 38, trailerStart: 39, methodEnd: 40, uriStart: 41, uriEnd: 42, versionStart: 43,
} as const;
export const RECORD_OUT_SLOTS = 44;

export const FLAG_LOGASAP = 1;
export const FLAG_REDISPATCHED = 2;
const FLAG_QUEUE_PLUS = 4;

// Parameters and locals of `record` (findAcceptCode's are exported for wasm-route.ts).
const START = 0;
const END = 1;
const P = 2;
const E = 3;
const PREV = 4;
const PREV_END = 5;
const I = 6;
const C = 7;
const V = 8;
const N = 9;
const NEG = 10;
const MASK = 11;
const FLAGS = 12;
const K = 13;
const ACCEPT = 14;
const Q = 15;
const SPACES = 16;
const BRACES = 17;
const QUOTES = 18;

/**
 * What findAcceptCode reads and leaves, as local indices, and how `record` declares its locals
 * after its two parameters (START and END); locals from FIRST_FREE on are another function's.
 */
export const acceptLocals = { START, END, P, PREV, PREV_END, COLON: K, SPACES, FIRST_FREE: QUOTES + 1 } as const;
export const RECORD_LOCALS = [2, 14, I32, 3, V128];
/** recordAt's: the same, less the two i32 its parameters 2 and 3 (locals P and E) take. */
const RECORD_AT_LOCALS = [RECORD_LOCALS[0]!, RECORD_LOCALS[1]! - 2, ...RECORD_LOCALS.slice(2)];

const SPACE = 0x20;
/** Block type of an `if` that leaves one i32. */
const I32_RESULT = I32;

const bail = [...i32(0), op.return];
const bailIf = (cond: number[]): number[] => [...cond, op.if, VOID, ...bail, op.end];

/** Moves local `l` forward to `limit` or to the first byte equal to `byte` (`stop` 'equal') or other than it ('other'). */
const advance = (l: number, limit: number, byte: number, stop: 'equal' | 'other'): number[] => [
  op.block, VOID, op.loop, VOID,
  ...get(l), ...get(limit), op.i32GeU, op.brIf, 1,
  ...byteAt(l), ...i32(byte), stop === 'equal' ? op.i32Eq : op.i32Ne, op.brIf, 1,
  ...inc(l),
  op.br, 0,
  op.end, op.end,
];

/** P: the first non-space at or after P, or END. */
const skipSpaces = advance(P, END, SPACE, 'other');

/** `dst`: bytes.ts fieldStop(P): the first space at or after P, else max(P, END). */
const fieldStop = (dst: number): number[] => [
  ...vectorFind(dst, P, END, SPACES, MASK),
  ...get(dst), ...i32(0), op.i32LtS, op.if, VOID,
  ...get(P), ...get(END), ...get(P), ...get(END), op.i32GeU, op.select, ...set(dst),
  op.end,
];

const isDigitAt = (l: number, offset: number): number[] => [...byteAt(l, offset), ...i32(0x30), op.i32Sub, ...i32(9), op.i32LeU];

/**
 * Instructions that find the client's last ':' as findAcceptCode leaves it in K: the last
 * ':' in [PREV, PREV_END) (the caller knows there is one).
 */
const lastColon = [
  ...get(PREV_END), ...i32(1), op.i32Sub, ...set(K),
  op.block, VOID, op.loop, VOID,
  ...get(K), ...get(PREV), op.i32LtS, op.brIf, 1,
  ...byteAt(K), ...i32(0x3a), op.i32Eq, op.brIf, 1,
  ...get(K), ...i32(1), op.i32Sub, ...set(K),
  op.br, 0,
  op.end, op.end,
];

/**
 * record.ts findAccept over the line [local START, local END): the first field of the first 12
 * that starts with '[' and a digit and follows a field with a ':' (the client). Leaves that
 * client field in locals PREV and PREV_END, its last ':' in K, and P at the accept date; runs
 * `notFound` (from inside two blocks, a loop and an `if`) when there is none. Uses locals I
 * and MASK, and the splat of spaces in SPACES: a function using it declares locals as
 * `record` does (wasm-route.ts does).
 */
export function findAcceptCode(notFound: number[]): number[] {
  return [
    ...i32(-1), ...set(PREV), ...i32(-1), ...set(PREV_END), ...get(START), ...set(P), ...skipSpaces,
    ...i32(0), ...set(I),
    op.block, VOID, op.loop, VOID,
    ...get(I), ...i32(12), op.i32GeU, ...get(P), ...get(END), op.i32GeU, op.i32Or, op.if, VOID, ...notFound, op.end,
    ...byteAt(P), ...i32(0x5b), op.i32Eq, ...isDigitAt(P, 1), op.i32And, ...get(PREV), ...i32(0), op.i32GeS, op.i32And,
    op.if, VOID,
    ...lastColon,
    ...get(K), ...get(PREV), op.i32GeS, op.brIf, 2,
    op.end,
    ...get(P), ...set(PREV), ...fieldStop(PREV_END), ...get(PREV_END), ...set(P), ...skipSpaces,
    ...inc(I),
    op.br, 0,
    op.end, op.end,
  ];
}

/**
 * `record(start, end)`: the whole walk. `recordAt(start, end, clientStart, accept)` starts
 * where findAcceptCode would have stopped: the client field's start and the accept date's, as
 * `route` (wasm-route.ts) found them on the same bytes with the same code; its parameters 2
 * and 3 arrive in locals P and E, which is why it declares two i32 locals fewer.
 */
export function recordBody(out: number): number[] {
  return recordCode(out, 'walk');
}

export function recordAtBody(out: number): number[] {
  return recordCode(out, 'at');
}

/** The record builder for an output area at byte `out` of the memory. */
function recordCode(out: number, entry: 'walk' | 'at'): number[] {
  const store = (slot: number, value: number[]): number[] => [...i32(0), ...value, op.i32Store, 2, ...leb(out + slot * 4)];

  /** `dst`: the first byte equal to the lanes of `splat` in [local `from`, END), or -1. */
  const find = (dst: number, from: number, splat: number): number[] => vectorFind(dst, from, END, splat, MASK);

  /** V: 1 to 9 decimal digits at P (P moves past them); otherwise bail. */
  const digits = [
    ...i32(0), ...set(V), ...get(P), ...set(K),
    op.block, VOID, op.loop, VOID,
    ...get(P), ...get(END), op.i32GeU, op.brIf, 1,
    ...byteAt(P), ...i32(0x30), op.i32Sub, op.tee, C, ...i32(9), op.i32GtU, op.brIf, 1,
    ...get(V), ...i32(10), op.i32Mul, ...get(C), op.i32Add, ...set(V),
    ...inc(P),
    op.br, 0,
    op.end, op.end,
    ...bailIf([...get(P), ...get(K), op.i32Sub, ...i32(1), op.i32Sub, ...i32(8), op.i32GtU]),
  ];

  /** P is at END or at a space (the number's field ends there); otherwise bail. */
  const fieldEndsHere = bailIf([...get(P), ...get(END), op.i32LtU, op.if, I32_RESULT, ...byteAt(P), ...i32(SPACE), op.i32Ne, op.else, ...i32(0), op.end]);

  /** An unsigned decimal field into `slot`. */
  const numberField = (slot: number): number[] => [...digits, ...fieldEndsHere, ...store(slot, get(V))];

  /**
   * slashField of exactly `max` or fewer parts `[-+]digits` joined by '/', into slots from
   * `slot` (count in N); `+` sets `plusFlag`. A '/' after the `max`-th part bails.
   */
  const slashParts = (slot: number, max: number, plusFlag: number): number[] => [
    ...i32(0), ...set(N),
    op.loop, VOID,
    ...bailIf([...get(P), ...get(END), op.i32GeU]),
    ...i32(0), ...set(NEG),
    ...byteAt(P), op.tee, C, ...i32(0x2d), op.i32Eq,
    op.if, VOID, ...i32(1), ...set(NEG), ...inc(P),
    op.else,
    ...get(C), ...i32(0x2b), op.i32Eq, op.if, VOID, ...get(FLAGS), ...i32(plusFlag), op.i32Or, ...set(FLAGS), ...inc(P), op.end,
    op.end,
    ...digits,
    ...get(N), ...i32(2), op.i32Shl,
    ...get(NEG), op.if, I32_RESULT, ...i32(0), ...get(V), op.i32Sub, op.else, ...get(V), op.end,
    op.i32Store, 2, ...leb(out + slot * 4),
    ...inc(N),
    ...get(P), ...get(END), op.i32LtU, op.if, VOID,
    ...byteAt(P), ...i32(0x2f), op.i32Eq, op.if, VOID,
    ...bailIf([...get(N), ...i32(max), op.i32Eq]),
    ...inc(P),
    op.br, 2,
    op.end,
    op.end,
    op.end,
    ...fieldEndsHere,
  ];

  /** [P, E) into two slots; P moves to the next field. */
  const fieldSpan = (startSlot: number, endSlot: number): number[] => [
    ...store(startSlot, get(P)), ...store(endSlot, get(E)), ...get(E), ...set(P), ...skipSpaces,
  ];
  /** The field at P (its end into E) into two slots; P moves to the next field. */
  const plainField = (startSlot: number, endSlot: number): number[] => [...fieldStop(E), ...fieldSpan(startSlot, endSlot)];

  const findAccept = findAcceptCode(bail);

  const client = [
    // A `<PRI>` glued to the client (`format short`) is left to JavaScript.
    ...bailIf([...byteAt(PREV), ...i32(0x3c), op.i32Eq]),
    ...store(RecordOut.clientStart, get(PREV)), ...store(RecordOut.clientEnd, get(PREV_END)), ...store(RecordOut.clientColon, get(K)),
    ...get(P), ...set(ACCEPT),
    // The port: digits after the ':' up to the first non-digit, as record.ts int() reads it.
    ...get(K), ...i32(1), op.i32Add, ...set(P), ...digits, ...store(RecordOut.clientPort, get(V)),
    ...get(ACCEPT), ...set(P), ...plainField(RecordOut.accept, RecordOut.acceptEnd),
    ...plainField(RecordOut.frontendStart, RecordOut.frontendEnd),
    ...bailIf([...get(P), ...get(END), op.i32GeU]),
    ...fieldStop(E),
    ...get(P), ...set(K), ...advance(K, E, 0x2f, 'equal'),
    ...bailIf([...get(K), ...get(E), op.i32GeU]),
    ...store(RecordOut.backendStart, get(P)), ...store(RecordOut.backendSlash, get(K)), ...store(RecordOut.serverEnd, get(E)),
    ...get(E), ...set(P), ...skipSpaces,
  ];

  const tcpRest = [
    ...numberField(RecordOut.bytes), ...skipSpaces,
    ...fieldStop(E), ...bailIf([...get(E), ...get(P), op.i32Sub, ...i32(2), op.i32Ne]),
    ...fieldSpan(RecordOut.terminationStart, RecordOut.terminationEnd),
    ...slashParts(RecordOut.connections, 5, FLAG_REDISPATCHED), ...bailIf([...get(N), ...i32(5), op.i32Ne]), ...skipSpaces,
    ...slashParts(RecordOut.queues, 2, FLAG_QUEUE_PLUS), ...bailIf([...get(N), ...i32(2), op.i32Ne]),
    ...store(RecordOut.flags, get(FLAGS)),
    ...i32(2), op.return,
  ];

  const captures = [
    // Blocks `{...}`: each ends at the first '}' followed by a space or the line end. The
    // first is the request's captures, any later one the response's (the last one wins).
    ...i32(0), ...set(N),
    ...store(RecordOut.requestCapturesStart, i32(0)), ...store(RecordOut.requestCapturesEnd, i32(0)),
    ...store(RecordOut.responseCapturesStart, i32(0)), ...store(RecordOut.responseCapturesEnd, i32(0)),
    op.block, VOID, op.loop, VOID,
    ...get(P), ...get(END), op.i32GeU, op.brIf, 1,
    ...byteAt(P), ...i32(0x7b), op.i32Ne, op.brIf, 1,
    ...get(P), ...i32(1), op.i32Add, ...set(E), ...find(K, E, BRACES),
    op.block, VOID, op.loop, VOID,
    ...get(K), ...i32(0), op.i32LtS, op.brIf, 1,
    ...get(K), ...i32(1), op.i32Add, ...get(END), op.i32GeU, op.brIf, 1,
    ...byteAt(K, 1), ...i32(SPACE), op.i32Eq, op.brIf, 1,
    ...get(K), ...i32(1), op.i32Add, ...set(E), ...find(K, E, BRACES),
    op.br, 0,
    op.end, op.end,
    ...bailIf([...get(K), ...i32(0), op.i32LtS]),
    ...get(N), op.i32Eqz, op.if, VOID,
    ...store(RecordOut.requestCapturesStart, [...get(P), ...i32(1), op.i32Add]), ...store(RecordOut.requestCapturesEnd, get(K)),
    op.else,
    ...store(RecordOut.responseCapturesStart, [...get(P), ...i32(1), op.i32Add]), ...store(RecordOut.responseCapturesEnd, get(K)),
    op.end,
    ...inc(N),
    ...get(K), ...i32(1), op.i32Add, ...set(P), ...skipSpaces,
    op.br, 0,
    op.end, op.end,
    ...store(RecordOut.captureBlocks, get(N)),
  ];

  const request = [
    ...bailIf([...get(P), ...get(END), op.i32GeU]),
    ...bailIf([...byteAt(P), ...i32(0x22), op.i32Ne]),
    // E: the request's first byte; Q: its closing quote, or the line end (a quote right at
    // the end gives the same).
    ...get(P), ...i32(1), op.i32Add, ...set(E), ...find(Q, E, QUOTES),
    ...get(Q), ...i32(0), op.i32LtS, op.if, VOID, ...get(END), ...set(Q), op.end,
    ...store(RecordOut.requestStart, get(E)), ...store(RecordOut.requestEnd, get(Q)),
    ...store(RecordOut.trailerStart, [...get(Q), ...i32(2), op.i32Add, ...get(END), ...get(Q), ...i32(2), op.i32Add, ...get(END), op.i32LtU, op.select]),
    // K: the first space of the request (the method's end).
    ...get(E), ...set(K), ...advance(K, Q, SPACE, 'equal'),
    ...byteAt(E), ...i32(0x3c), op.i32Eq, ...get(K), ...get(Q), op.i32GeU, op.i32Or,
    op.if, VOID,
    // <BADREQ> or one word: no method, all of it is the URI.
    ...store(RecordOut.methodEnd, get(E)), ...store(RecordOut.uriStart, get(E)), ...store(RecordOut.uriEnd, get(Q)),
    ...store(RecordOut.versionStart, get(Q)),
    op.else,
    ...store(RecordOut.methodEnd, get(K)), ...store(RecordOut.uriStart, [...get(K), ...i32(1), op.i32Add]),
    // P: the last space before the closing quote (there is one: K).
    ...get(Q), ...i32(1), op.i32Sub, ...set(P),
    op.block, VOID, op.loop, VOID,
    ...byteAt(P), ...i32(SPACE), op.i32Eq, op.brIf, 1,
    ...get(P), ...i32(1), op.i32Sub, ...set(P),
    op.br, 0,
    op.end, op.end,
    // "HTTP/" after it: that space ends the URI.
    ...get(P), ...get(K), op.i32GtU,
    ...get(P), ...i32(5), op.i32Add, ...get(Q), op.i32LtU, op.i32And,
    ...get(P), op.i32Load, 0, 1, ...i32(0x50545448), op.i32Eq, op.i32And,
    ...byteAt(P, 5), ...i32(0x2f), op.i32Eq, op.i32And,
    op.if, VOID,
    ...store(RecordOut.uriEnd, get(P)), ...store(RecordOut.versionStart, [...get(P), ...i32(1), op.i32Add]),
    op.else,
    ...store(RecordOut.uriEnd, get(Q)), ...store(RecordOut.versionStart, get(Q)),
    op.end,
    op.end,
  ];

  const httpRest = [
    ...numberField(RecordOut.status), ...skipSpaces,
    ...numberField(RecordOut.bytes), ...skipSpaces,
    ...plainField(RecordOut.requestCookieStart, RecordOut.requestCookieEnd),
    ...plainField(RecordOut.responseCookieStart, RecordOut.responseCookieEnd),
    ...fieldStop(E), ...bailIf([...get(E), ...get(P), op.i32Sub, ...i32(4), op.i32Ne]),
    ...fieldSpan(RecordOut.terminationStart, RecordOut.terminationEnd),
    ...slashParts(RecordOut.connections, 5, FLAG_REDISPATCHED), ...bailIf([...get(N), ...i32(5), op.i32Ne]), ...skipSpaces,
    ...slashParts(RecordOut.queues, 2, FLAG_QUEUE_PLUS), ...bailIf([...get(N), ...i32(2), op.i32Ne]), ...skipSpaces,
    ...captures,
    ...request,
    ...store(RecordOut.flags, get(FLAGS)),
    ...i32(1), op.return,
  ];

  // recordAt: P holds the client field's start and E the accept date's; findAccept would
  // leave the field in PREV and PREV_END, its last ':' in K and P at the accept date.
  const given = [...get(P), ...set(PREV), ...fieldStop(PREV_END), ...lastColon, ...get(E), ...set(P)];

  return [
    // locals 2-15 i32 (recordAt: 4-15, after its two more parameters), 16-18 v128
    ...(entry === 'walk' ? RECORD_LOCALS : RECORD_AT_LOCALS),
    ...i32(SPACE), SIMD, op.i8x16Splat, ...set(SPACES),
    ...i32(0x7d), SIMD, op.i8x16Splat, ...set(BRACES),
    ...i32(0x22), SIMD, op.i8x16Splat, ...set(QUOTES),
    ...i32(0), ...set(FLAGS),
    ...(entry === 'walk' ? findAccept : given),
    ...client,
    ...slashParts(RecordOut.timers, 5, FLAG_LOGASAP),
    ...skipSpaces,
    ...get(N), ...i32(5), op.i32Eq, op.if, VOID, ...httpRest, op.end,
    ...get(N), ...i32(3), op.i32Eq, op.if, VOID, ...tcpRest, op.end,
    ...bail,
    op.end,
  ];
}
