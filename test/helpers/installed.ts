import { closeSync, openSync, readSync } from 'node:fs';

/**
 * The argv that runs `script` the way its installed command runs (npm links `haloscope` and
 * `halog` to the compiled entry points, and the kernel starts them through their `#!` line):
 * the interpreter, then the rest of that line as one argument, as Linux passes it, then the
 * script. Benchmarks time our commands this way, since the `#!` line is part of how they run
 * (it sets the malloc tunables of docs/reports.md, "Huge pages and malloc's top pad").
 */
export function installedArgv(script: string): string[] {
  const head = Buffer.alloc(512);
  const fd = openSync(script, 'r');
  let n: number;
  try {
    n = readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  const text = head.toString('latin1', 0, n);
  const nl = text.indexOf('\n');
  if (!text.startsWith('#!') || nl < 0) throw new Error(`${script}: no #! line: build it with tsc first`);
  const line = text.slice(2, nl).trim();
  const space = line.search(/\s/);
  if (space < 0) return [line, script];
  return [line.slice(0, space), line.slice(space).trim(), script];
}
