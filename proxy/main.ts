/**
 * `haloscope proxy -f <file> [-f <file>...] [-c] [-q] [-W]`: like `haproxy -f ... [-c] [-W]`.
 * With -c: checks the configuration, prints every diagnostic and exits 0 (valid) or 1.
 * Otherwise runs in the foreground until SIGTERM/SIGINT (immediate stop) or SIGUSR1 (soft stop);
 * with -W (master-worker), SIGUSR2 to the master reloads the configuration (proxy/master.ts).
 */
import cluster from 'node:cluster';
import { UsageError } from './errors.js';
import { formatDiagnostic, resolveFiles } from './config/resolve.js';

const USAGE = `Usage: haloscope proxy -f <cfgfile> [-f <cfgfile>...] [-c] [-q] [-W]
  -f <file>  configuration file (HAProxy syntax; several -f are concatenated in order)
  -c         check the configuration and exit: 0 if valid, 1 otherwise
  -q         quiet: do not print warnings
  -W         master-worker mode: reload without dropping a connection on SIGUSR2 to the
             master (files read again; an invalid configuration keeps the running workers)
  -h         this help
`;

export interface ProxyArgs {
  readonly files: readonly string[];
  readonly check: boolean;
  readonly quiet: boolean;
  readonly masterWorker: boolean;
}

export function parseArgs(args: readonly string[]): ProxyArgs | 'help' {
  const files: string[] = [];
  let check = false;
  let quiet = false;
  let masterWorker = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-f') {
      const f = args[++i];
      if (f === undefined) throw new UsageError(`option -f needs a configuration file`);
      files.push(f);
    } else if (a.startsWith('-f') && a.length > 2) files.push(a.slice(2));
    else if (a === '-c') check = true;
    else if (a === '-q') quiet = true;
    else if (a === '-W') masterWorker = true;
    else if (a === '-sf' || a === '-st')
      // a new process cannot take over another's listening sockets in Node 20 (no SO_REUSEPORT,
      // no descriptor passing between unrelated processes): the hand-over lives in the master
      throw new UsageError(`option '${a}' is not supported: run with -W (master-worker) and send SIGUSR2 to the master to reload without dropping connections`);
    else if (a === '-h' || a === '--help') return 'help';
    else throw new UsageError(`unknown option '${a}'`);
  }
  if (files.length === 0) throw new UsageError('no configuration file given: use -f <file>');
  return { files, check, quiet, masterWorker };
}

export async function main(args: string[]): Promise<number> {
  let parsed: ProxyArgs | 'help';
  try {
    parsed = parseArgs(args);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`haloscope proxy: ${err.message}\n${USAGE}`);
      return 1;
    }
    throw err;
  }
  if (parsed === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  const { config, diagnostics } = resolveFiles(parsed.files);
  for (const d of diagnostics) {
    // a worker reads the files its primary has just read and reported on
    if (d.level === 'warning' && (parsed.quiet || cluster.isWorker)) continue;
    process.stderr.write(formatDiagnostic(d) + '\n');
  }
  if (!config) {
    const n = diagnostics.filter((d) => d.level === 'alert').length;
    process.stderr.write(`[ALERT] config : Fatal errors found in configuration (${n}).\n`);
    return 1;
  }
  if (parsed.check) {
    process.stdout.write('Configuration file is valid\n');
    return 0;
  }
  const { run } = await import('./runtime.js');
  const masterWorker = parsed.masterWorker || config.global.masterWorker;
  return run(config, { masterWorker: masterWorker ? { files: parsed.files, quiet: parsed.quiet } : null });
}
