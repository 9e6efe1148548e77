#!/usr/bin/env node
/**
 * `generate-log`: writes a synthetic HAProxy 2.6 log (httplog + tcplog, optional malformed
 * lines) for halog benchmarks and tests. See docs/generator.md.
 */
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { writeLog } from './generate/generate.js';
import { GeneratorOptionError, parseCli, usage } from './generate/options.js';

export { generateLog, generateLogBuffer, writeLog, LogGenerator } from './generate/generate.js';
export { HALOG_SKIP } from './generate/clock.js';
export type { GenerateOptions } from './generate/options.js';

async function main(argv: string[]): Promise<number> {
  let cli;
  try {
    cli = parseCli(argv);
  } catch (e) {
    if (e instanceof GeneratorOptionError) {
      process.stderr.write(`generate-log: ${e.message}\n\n${usage()}`);
      return 2;
    }
    throw e;
  }
  if (cli.help) {
    process.stdout.write(usage());
    return 0;
  }
  const t0 = process.hrtime.bigint();
  let stats;
  try {
    stats = await writeLog(cli, cli.out === '-' ? process.stdout : cli.out);
  } catch (e) {
    if (e instanceof GeneratorOptionError) {
      process.stderr.write(`generate-log: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  process.stderr.write(
    `generate-log: ${stats.lines} lines, ${stats.bytes} bytes in ${s.toFixed(2)} s (${(stats.bytes / 1e6 / s).toFixed(1)} MB/s)\n`,
  );
  return 0;
}

// Run only as a program, not when imported by a test or the benchmark.
// realpath: started through a symlink (npm bin, ln -s) it is still the program.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`generate-log: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
