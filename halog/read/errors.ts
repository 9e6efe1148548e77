/** Errors of the analyzer's input side, with stable codes (listed in docs/errors.md). */
export class HalogInputError extends Error {
  readonly code: 'E_HALOG_INPUT_UNREADABLE' | 'E_HALOG_INPUT_GZIP';
  readonly path: string;

  constructor(code: HalogInputError['code'], path: string, message: string) {
    super(message);
    this.name = 'HalogInputError';
    this.code = code;
    this.path = path;
  }
}
