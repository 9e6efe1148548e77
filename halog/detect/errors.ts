/** Errors of `haloscope detect` (exit status 2), with stable codes listed in docs/detection.md. */
export const DETECT_ERROR_CODES = ['E_DETECT_USAGE', 'E_DETECT_RULES'] as const;
export type DetectErrorCode = (typeof DETECT_ERROR_CODES)[number];

export class DetectUsageError extends Error {
  readonly code: DetectErrorCode;

  constructor(code: DetectErrorCode, message: string) {
    super(message);
    this.name = 'DetectUsageError';
    this.code = code;
  }
}
