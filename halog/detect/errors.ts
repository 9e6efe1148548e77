/** Errors of `haloscope detect` (exit status 2), with stable codes listed in docs/detection.md. */
export type DetectErrorCode = 'E_DETECT_USAGE' | 'E_DETECT_RULES' | 'E_DETECT_INPUT';

export class DetectUsageError extends Error {
  readonly code: DetectErrorCode;

  constructor(code: DetectErrorCode, message: string) {
    super(message);
    this.name = 'DetectUsageError';
    this.code = code;
  }
}
