import { atol } from '../parse/bytes.js';

/**
 * Options of halog 2.6, parsed with its exact rules: left to right while words start with
 * '-', numeric arguments through C `atol`, unknown dash words ignored (we also warn once),
 * `-v` toggles. Words after the options are input files (our addition: the real tool only
 * reads stdin).
 */
export interface HalogOptions {
  // input filters
  errorsOnly: boolean;
  invertErrors: boolean;
  httpOnly: boolean;
  queueOnly: boolean;
  queueSrvOnly: boolean;
  timeResp: boolean;
  invertTimeResp: boolean;
  timeRespMs: number;
  httpStatus: boolean;
  invertHttpStatus: boolean;
  statusLow: number;
  statusHigh: number;
  termCode: boolean;
  invertTermCode: boolean;
  termCodeName: Uint8Array;
  timestamp: boolean;
  timestampLow: number;
  timestampHigh: number;
  // modifiers
  invert: boolean;
  quiet: boolean;
  linesMax: number;
  skipFields: number;
  preserveQuery: boolean;
  // outputs
  accDelay: boolean;
  accDelayMs: number;
  accCount: boolean;
  accCountMin: number;
  countOnly: boolean;
  graphTimers: boolean;
  percentile: boolean;
  countStatus: boolean;
  countSrv: boolean;
  countTermCodes: boolean;
  countCookCodes: boolean;
  urlSort: UrlSort | null;
  ipCount: boolean;
  extractCapture: boolean;
  captureBlock: number;
  captureField: number;
  /** Files to read in order; empty = stdin. */
  files: string[];
  /** Dash words the real halog would silently ignore. */
  ignored: string[];
}

/** Which `-u*` flag was given; only the most significant is used (see `pickUrlSort`). */
export type UrlSort = 'u' | 'uc' | 'ue' | 'ua' | 'ut' | 'uao' | 'uto' | 'uba' | 'ubt';

export type ParseResult =
  | { kind: 'ok'; options: HalogOptions }
  | { kind: 'help' }
  | { kind: 'usage-error'; message: string };

function defaults(): HalogOptions {
  return {
    errorsOnly: false, invertErrors: false, httpOnly: false, queueOnly: false, queueSrvOnly: false,
    timeResp: false, invertTimeResp: false, timeRespMs: 0,
    httpStatus: false, invertHttpStatus: false, statusLow: 0, statusHigh: 0,
    termCode: false, invertTermCode: false, termCodeName: new Uint8Array(2),
    timestamp: false, timestampLow: 0, timestampHigh: 0,
    invert: false, quiet: false, linesMax: -1, skipFields: 1, preserveQuery: false,
    accDelay: false, accDelayMs: 0, accCount: false, accCountMin: 0,
    countOnly: false, graphTimers: false, percentile: false, countStatus: false, countSrv: false,
    countTermCodes: false, countCookCodes: false, urlSort: null, ipCount: false,
    extractCapture: false, captureBlock: 0, captureField: 0,
    files: [], ignored: [],
  };
}

/**
 * halog keeps one bit per `-u*` flag and tests them in this order when it sorts, so with
 * several given the first of this list wins (`-ic` shares the `-uc` key).
 */
const URL_SORT_PRIORITY: readonly UrlSort[] = ['u', 'uc', 'ue', 'ut', 'ua', 'uto', 'uao', 'uba', 'ubt'];

const URL_FLAGS: ReadonlySet<string> = new Set(['-u', '-uc', '-ue', '-ua', '-ut', '-uao', '-uto', '-uba', '-ubt']);

export function parseOptions(argv: readonly string[]): ParseResult {
  const o = defaults();
  const urlFlags = new Set<UrlSort>();
  let anyBit = false;
  let i = 0;
  const needArg = (flag: string, what = ''): string | null => (i + 1 < argv.length ? argv[++i]! : (void flag, what, null));
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('-')) break;
    switch (a) {
      case '-ad': case '-ac': case '-rt': case '-RT': case '-s': case '-m': {
        const v = needArg(a);
        if (v === null) return { kind: 'usage-error', message: `missing option for ${a}\n` };
        const n = atol(v);
        if (a === '-ad') { o.accDelay = true; o.accDelayMs = n >>> 0; anyBit = true; }
        else if (a === '-ac') { o.accCount = true; o.accCountMin = n >>> 0; anyBit = true; }
        else if (a === '-rt' || a === '-RT') {
          o.timeResp = true; o.timeRespMs = n; anyBit = true;
          if (a === '-RT') o.invertTimeResp = true;
        } else if (a === '-s') o.skipFields = n;
        else o.linesMax = n;
        break;
      }
      case '-e': o.errorsOnly = true; anyBit = true; break;
      case '-E': o.errorsOnly = true; o.invertErrors = true; anyBit = true; break;
      case '-H': o.httpOnly = true; anyBit = true; break;
      case '-Q': o.queueOnly = true; anyBit = true; break;
      case '-QS': o.queueSrvOnly = true; anyBit = true; break;
      case '-c': o.countOnly = true; anyBit = true; break;
      case '-q': o.quiet = true; anyBit = true; break;
      case '-v': o.invert = !o.invert; break;
      case '-gt': o.graphTimers = true; anyBit = true; break;
      case '-pct': o.percentile = true; anyBit = true; break;
      case '-st': o.countStatus = true; anyBit = true; break;
      case '-srv': o.countSrv = true; anyBit = true; break;
      case '-cc': o.countCookCodes = true; anyBit = true; break;
      case '-tc': o.countTermCodes = true; anyBit = true; break;
      case '-tcn': case '-TCN': {
        const v = needArg(a);
        if (v === null) return { kind: 'usage-error', message: `missing option for ${a}\n` };
        o.termCode = true; anyBit = true;
        if (a === '-TCN') o.invertTermCode = true;
        const bytes = Buffer.from(v, 'latin1');
        // halog compares two bytes of a C string: a 1-character code compares its NUL.
        o.termCodeName = new Uint8Array([bytes[0] ?? 0, bytes.length > 0 ? bytes[1] ?? 0 : 0]);
        break;
      }
      case '-hs': case '-HS': {
        const v = needArg(a);
        if (v === null) return { kind: 'usage-error', message: 'missing option for -hs/-HS ([min]:[max])\n' };
        o.httpStatus = true; anyBit = true;
        if (a === '-HS') o.invertHttpStatus = true;
        const colon = v.indexOf(':');
        const low = colon < 0 ? v : v.slice(0, colon);
        const high = colon < 0 ? v : v.slice(colon + 1);
        o.statusLow = low.length ? atol(low) : 0;
        o.statusHigh = high.length ? atol(high) : 65535;
        break;
      }
      case '-time': {
        const v = needArg(a);
        if (v === null) return { kind: 'usage-error', message: 'missing option for -time ([min]:[max])\n' };
        o.timestamp = true;
        anyBit = true;
        const colon = v.indexOf(':');
        o.timestampLow = v.length && colon !== 0 ? atol(v) >>> 0 : 0;
        o.timestampHigh = colon < 0 ? 0xffffffff : atol(v.slice(colon + 1)) >>> 0;
        break;
      }
      case '-query': o.preserveQuery = true; anyBit = true; break;
      case '-ic': o.ipCount = true; anyBit = true; break;
      case '-hdr': {
        const v = needArg(a);
        if (v === null) return { kind: 'usage-error', message: 'missing option for -hdr (<block>:<field>)\n' };
        const colon = v.indexOf(':');
        if (colon < 0) return { kind: 'usage-error', message: 'missing colon in -hdr (<block>:<field>)\n' };
        const block = colon > 0 ? atol(v.slice(0, colon)) >>> 0 : 1;
        const field = colon + 1 < v.length ? atol(v.slice(colon + 1)) >>> 0 : 1;
        if (block < 1 || field < 1) {
          return { kind: 'usage-error', message: 'block and field must be at least 1 for -hdr (<block>:<field>)\n' };
        }
        o.extractCapture = true; anyBit = true; o.captureBlock = block; o.captureField = field;
        break;
      }
      case '-h': case '--help':
        return { kind: 'help' };
      default:
        if (URL_FLAGS.has(a)) {
          urlFlags.add(a.slice(1) as UrlSort);
          anyBit = true;
        } else {
          // `-o <file>` is parsed by halog but never used; other unknown words are ignored.
          o.ignored.push(a);
        }
    }
  }
  o.files = argv.slice(i);
  if (!anyBit) return { kind: 'usage-error', message: 'No action specified.\n' };
  if (urlFlags.size) o.urlSort = URL_SORT_PRIORITY.find((s) => urlFlags.has(s)) ?? null;
  // halog bumps an explicit 0 to 1 for the accept-hole thresholds.
  if (o.accCount && o.accCountMin === 0) o.accCountMin = 1;
  if (o.accDelay && o.accDelayMs === 0) o.accDelayMs = 1;
  return { kind: 'ok', options: o };
}

/**
 * True when an output needs fields of each line (every output flag but `-c`, `-ic` and `-hdr`,
 * which only take over from one of these); without one, `-c` counts lines.
 */
export function hasLineReport(o: HalogOptions): boolean {
  return o.accCount || o.accDelay || o.graphTimers || o.percentile || o.countStatus || o.countCookCodes
    || o.countTermCodes || o.countSrv || o.urlSort !== null;
}

/** True when any input filter is set: then `-c` must parse lines instead of counting them. */
export function hasInputFilter(o: HalogOptions): boolean {
  return o.httpOnly || o.timeResp || o.errorsOnly || o.httpStatus || o.queueOnly || o.queueSrvOnly
    || o.termCode || o.timestamp;
}
