/**
 * The line being processed, shared by the filters and the per-line reports. Positions are
 * offsets into `buf`; -1 means "not located yet" so each field is found at most once.
 */
export interface LineContext {
  buf: Buffer;
  start: number;
  /** End of the line as halog sees it: the newline, or an earlier NUL byte. */
  end: number;
  /** Position of the line's newline (== end unless a NUL came first), and end of the data read. */
  newline: number;
  dataEnd: number;
  lineNum: number;
  source: number;
  accept: number;
  time: number;
}

export function newLineContext(): LineContext {
  return { buf: Buffer.alloc(0), start: 0, end: 0, newline: 0, dataEnd: 0, lineNum: 0, source: -1, accept: -1, time: -1 };
}

/**
 * A byte at or past the end of the line as halog's C code sees it when it reads beyond the
 * string: the terminating NUL, then the bytes that follow in its read buffer (the rest of a
 * line cut by a NUL, or the next line). halog's -cc reads two bytes past a short field.
 */
export function byteBeyond(ctx: LineContext, q: number): number {
  if (q < ctx.end) return ctx.buf[q]!;
  if (q === ctx.end || q === ctx.newline || q >= ctx.dataEnd) return 0;
  return ctx.buf[q]!;
}
