/** Placeholder replaced in the --live step. */
import type { Capture } from '../capture.js';

export class LiveView {
  constructor(readonly out: NodeJS.WriteStream) {}
  readonly observe = (_msg: Buffer, _start: number, _end: number): void => undefined;
  start(_capture: Capture): void {}
  stop(): void {}
}
