/** The analyzer's error codes (documented in docs/errors.md, kept equal by a test). */
export const HalogErrorCode = {
  E_HALOG_INPUT_UNREADABLE: 'a named input cannot be opened or read',
  E_HALOG_INPUT_GZIP: 'a .gz input is not valid gzip or is cut short',
} as const;
export type HalogErrorCode = keyof typeof HalogErrorCode;

/** Errors of the analyzer's input side: printed as one line naming the file, exit status 1. */
export class HalogInputError extends Error {
  readonly code: HalogErrorCode;
  readonly path: string;

  constructor(code: HalogErrorCode, path: string, message: string) {
    super(message);
    this.name = 'HalogInputError';
    this.code = code;
    this.path = path;
  }
}
