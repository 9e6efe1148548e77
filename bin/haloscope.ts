#!/usr/bin/env -S GLIBC_TUNABLES=glibc.malloc.hugetlb=1:glibc.malloc.top_pad=67108864:${GLIBC_TUNABLES} node
/**
 * `haloscope <command>`: one entry point for the toolkit. Each command lives in its own
 * subsystem and is loaded only when asked for, so `haloscope halog` does not pay for the proxy.
 */
interface Command {
  readonly summary: string;
  readonly run: (args: string[]) => Promise<number>;
}

const COMMANDS: Readonly<Record<string, Command>> = {
  demo: {
    summary: 'run the whole toolkit on a built-in example and print a report',
    run: async (args) => (await import('../samples/demo/run-demo.js')).main(args),
  },
  halog: {
    summary: 'halog-compatible log analyzer (same flags and output as HAProxy halog)',
    run: async (args) => (await import('../halog/main.js')).main(args),
  },
  report: {
    summary: 'latency percentiles, time series, CSV/TSV/JSON/NDJSON/HTML reports over many files (halog beyond halog)',
    run: async (args) => (await import('../halog/report-cli.js')).reportMain(args),
  },
  merge: {
    summary: "merge 'report --summary' files from many machines into one report",
    run: async (args) => (await import('../halog/report-cli.js')).mergeMain(args),
  },
  capture: {
    summary: 'UDP syslog collector: writes lines halog reads, counts every loss (--live for a view)',
    run: async (args) => (await import('../capture/main.js')).main(args),
  },
  detect: {
    summary: 'flag attacking/probing clients in HAProxy logs, with the rules and log lines as evidence',
    run: async (args) => (await import('../halog/detect/cli.js')).main(args),
  },
  proxy: {
    summary: 'HTTP load balancer reading HAProxy configuration, logging like HAProxy',
    run: async (args) => (await import('../proxy/main.js')).main(args),
  },
};

function usage(): string {
  const rows = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  return `Usage: haloscope <command> [options]\n\nCommands:\n${rows.join('\n')}\n\nRun 'haloscope <command> --help' for a command's options.\n`;
}

async function dispatch(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '-h' || name === '--help') {
    process.stdout.write(usage());
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`haloscope: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  return command.run(rest);
}

// `haloscope ... | head` closes the pipe early: that is the reader's choice, not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

dispatch(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`haloscope: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
