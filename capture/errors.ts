/**
 * Every failure `haloscope capture` can report, each with a stable code (documented in
 * docs/capture.md; test/capture/error-codes.test.ts keeps the two in step).
 *
 * Expected runtime outcomes (a write that failed, a buffer the kernel capped) are not thrown:
 * they are reported on stderr with their code and counted, and capture keeps running.
 * Only bad options and a listener that cannot bind stop the process.
 */
export abstract class CaptureError extends Error {
  abstract readonly code: string;
  override get name(): string {
    return this.constructor.name;
  }
}

/** An unknown flag, a missing or invalid value. */
export class OptionError extends CaptureError {
  readonly code = 'E_CAPTURE_OPTION';
}

/** `--listen` is not `host:port`, `[v6]:port`, `:port` or `port`. */
export class ListenAddressError extends CaptureError {
  readonly code = 'E_CAPTURE_LISTEN_ADDRESS';
}

/** Two options that cannot be used together (`--out -` with `--live`, `--split` with a file). */
export class OptionConflictError extends CaptureError {
  readonly code = 'E_CAPTURE_OPTION_CONFLICT';
}

/** A UDP socket could not bind (address in use, not local, permission). Fatal. */
export class BindError extends CaptureError {
  readonly code = 'E_CAPTURE_BIND';
}

/**
 * Codes of conditions reported on stderr while capture keeps running. They are not thrown,
 * so they are plain constants; each message names the file or socket and what to do.
 */
export const RuntimeCode = {
  /** An output file or its directory could not be opened/created; lines are counted as unwritten. */
  open: 'E_CAPTURE_OPEN',
  /** A write failed (ENOSPC, EIO, ...); the file is cut back to its last complete line. */
  write: 'E_CAPTURE_WRITE',
  /** Writes fell so far behind that the in-memory backlog limit was reached. */
  backlog: 'E_CAPTURE_BACKLOG',
  /** A rotated file could not be renamed or compressed. */
  rotate: 'E_CAPTURE_ROTATE',
  /** The kernel gave a smaller receive buffer than asked (net.core.rmem_max). */
  rcvbufCapped: 'E_CAPTURE_RCVBUF_CAPPED',
  /** The kernel dropped datagrams on a socket (its receive buffer overflowed). */
  kernelDrops: 'E_CAPTURE_KERNEL_DROPS',
  /** The `--stats` file could not be written. */
  stats: 'E_CAPTURE_STATS',
  /** A bound socket reported an error (it keeps its place; the others go on). */
  socket: 'E_CAPTURE_SOCKET',
  /** A `--workers` process exited unexpectedly (it is restarted). */
  worker: 'E_CAPTURE_WORKER',
} as const;

/** All codes, thrown or reported; the docs test compares this list with docs/capture.md. */
export const ALL_CODES: readonly string[] = [
  'E_CAPTURE_OPTION',
  'E_CAPTURE_LISTEN_ADDRESS',
  'E_CAPTURE_OPTION_CONFLICT',
  'E_CAPTURE_BIND',
  ...Object.values(RuntimeCode),
];
