/** Errors of `haloscope report` / `haloscope merge`, with stable codes (listed in docs/reports.md). */
export const ReportErrorCode = {
  E_REPORT_USAGE: 'bad command line (unknown option, bad value, unknown report kind)',
  E_REPORT_OUTPUT: 'the file of --html or --summary cannot be written (no such directory, not writable, disk full)',
  E_REPORT_SUMMARY: 'a summary file cannot be read, is not a haloscope summary, has another version, or does not match the others',
} as const;

export class ReportError extends Error {
  readonly code: keyof typeof ReportErrorCode;

  constructor(code: keyof typeof ReportErrorCode, message: string) {
    super(message);
    this.name = 'ReportError';
    this.code = code;
  }
}
