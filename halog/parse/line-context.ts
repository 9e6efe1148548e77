/**
 * The line being processed, shared by the filters and the per-line reports. Positions are
 * offsets into `buf`; -1 means "not located yet" so each field is found at most once.
 */
export interface LineContext {
  buf: Buffer;
  start: number;
  /** End of the line as halog sees it: the newline, or an earlier NUL byte. */
  end: number;
  lineNum: number;
  source: number;
  accept: number;
  time: number;
}

export function newLineContext(): LineContext {
  return { buf: Buffer.alloc(0), start: 0, end: 0, lineNum: 0, source: -1, accept: -1, time: -1 };
}
