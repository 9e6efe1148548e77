#!/usr/bin/env -S GLIBC_TUNABLES=glibc.malloc.hugetlb=1:glibc.malloc.top_pad=67108864:${GLIBC_TUNABLES} node
import { pathToFileURL } from 'node:url';
import { realpathSync } from 'node:fs';
import { hasInputFilter, hasLineReport, parseOptions, type HalogOptions } from './cli/options.js';
import { helpText, usageText } from './cli/usage.js';
import { OutBuffer } from './output/out-buffer.js';
import { HalogInputError } from './read/errors.js';
import { countParallel } from './read/count-parallel.js';
import { closeSources, openSources, type Source } from './read/sources.js';
import { countLines } from './read/count-lines.js';
import { threadsFor } from './read/threads.js';

/** halog's `-c` without filters: lines counted, not parsed; -m caps the count. */
async function countOnly(o: HalogOptions, sources: Source[]): Promise<number> {
  if (o.invert) return 0;
  const threads = threadsFor(sources);
  const n = threads > 1 ? await countParallel(o, sources, threads) : await countLines(sources, -1);
  return o.linesMax >= 0 ? Math.min(n, o.linesMax) : n;
}

export async function main(argv: string[]): Promise<number> {
  const err = new OutBuffer(2);
  const parsed = parseOptions(argv);
  if (parsed.kind === 'help') {
    const out = new OutBuffer(1);
    out.text(helpText());
    out.flush();
    return 0;
  }
  if (parsed.kind === 'usage-error') {
    err.text(usageText(parsed.message));
    err.flush();
    return 1;
  }
  const o = parsed.options;
  if (o.ignored.length && !o.quiet) {
    err.text(`halog: ignoring unknown option${o.ignored.length > 1 ? 's' : ''} ${o.ignored.join(' ')} (as HAProxy's halog does); see 'halog --help'\n`);
    err.flush();
  }
  let sources: Source[];
  try {
    sources = openSources(o.files);
  } catch (e) {
    if (e instanceof HalogInputError) {
      err.text(`halog: ${e.message}\n`);
      err.flush();
      return 1;
    }
    throw e;
  }
  const out = new OutBuffer(1);
  try {
    if (o.countOnly && !hasLineReport(o) && !hasInputFilter(o)) {
      // halog counts raw lines without parsing them when nothing needs a field.
      const n = await countOnly(o, sources);
      out.text(`${n}\n`);
      out.flush();
      return 0;
    }
    const { runLines } = await import('./line-run.js');
    await runLines(o, sources, out, err);
    out.flush();
    err.flush();
    return 0;
  } catch (e) {
    if (e instanceof HalogInputError) {
      out.flush();
      err.text(`halog: ${e.message}\n`);
      err.flush();
      return 1;
    }
    if ((e as NodeJS.ErrnoException).code === 'EPIPE') return 0;
    throw e;
  } finally {
    closeSources(sources);
  }
}

function isEntryPoint(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(entry)).href;
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`halog: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exitCode = 70;
    },
  );
}
