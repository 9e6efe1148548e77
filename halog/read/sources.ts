import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { HalogInputError } from './errors.js';

/** One input: a file named on the command line, or stdin. */
export interface Source {
  readonly name: string;
  readonly fd: number;
  /** Regular, uncompressed file of known size: can be read by ranges, from several threads. */
  readonly seekable: boolean;
  readonly size: number;
  readonly gzip: boolean;
}

function isGzipMagic(fd: number): boolean {
  const head = Buffer.alloc(2);
  try {
    return readSync(fd, head, 0, 2, 0) === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } catch {
    return false;
  }
}

/** Opens every input up front so an unreadable file fails the run before any output. */
export function openSources(files: readonly string[]): Source[] {
  if (files.length === 0) return [describe('stdin', 0)];
  return files.map((path) => {
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      throw new HalogInputError('E_HALOG_INPUT_UNREADABLE', path, `cannot read '${path}': ${reason(e)}`);
    }
    const st = fstatSync(fd);
    if (st.isDirectory()) {
      closeSync(fd);
      throw new HalogInputError('E_HALOG_INPUT_UNREADABLE', path, `cannot read '${path}': it is a directory`);
    }
    return describe(path, fd);
  });
}

function describe(name: string, fd: number): Source {
  const st = fstatSync(fd);
  const regular = st.isFile();
  const gzip = regular ? isGzipMagic(fd) : name.endsWith('.gz');
  return { name, fd, seekable: regular && !gzip, size: regular ? st.size : -1, gzip };
}

function reason(e: NodeJS.ErrnoException): string {
  switch (e.code) {
    case 'ENOENT': return 'no such file (check the path)';
    case 'EACCES': return 'permission denied';
    case 'EISDIR': return 'it is a directory';
    default: return e.message;
  }
}

export function closeSources(sources: readonly Source[]): void {
  for (const s of sources) if (s.fd !== 0) closeSync(s.fd);
}

/**
 * Reads up to `len` bytes of `s` at `pos` (ignored for pipes) into `buf[off...]`; 0 at the
 * end of the input. A non-blocking pipe that has nothing yet is waited for, not spun on.
 */
export function readAt(s: Source, buf: Uint8Array, off: number, len: number, pos: number): number {
  for (;;) {
    try {
      return readSync(s.fd, buf, off, len, s.seekable ? pos : null);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
        continue;
      }
      if (code === 'EOF') return 0;
      throw new HalogInputError('E_HALOG_INPUT_UNREADABLE', s.name, `cannot read '${s.name}': ${(err as Error).message}`);
    }
  }
}
