import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { generateLogBuffer, HALOG_SKIP } from '../../samples/generate-log.js';
import { OUR_HALOG } from '../helpers/paths.js';
import { requireTool } from '../helpers/real-tools.js';

/**
 * Differential test against a live /usr/bin/halog: freshly generated logs (HTTP and TCP
 * lines, malformed lines of several kinds, four syslog header shapes) are analyzed by both
 * tools with the same flags, and stdout, stderr and the exit code must be identical.
 */

const START = Date.parse('2026-11-24T17:00:00Z') / 1000;

/** Flag sets compared on every input (the skip option is added per header format). */
const FLAG_SETS: string[][] = [
  ['-c'], ['-q'], ['-H', '-c'], ['-H', '-q'], ['-e'], ['-E', '-c'], ['-e', '-c'], ['-v', '-e', '-c'],
  ['-st'], ['-H', '-st'], ['-e', '-st'], ['-tc'], ['-H', '-tc'], ['-cc'], ['-srv'], ['-H', '-srv'],
  ['-u'], ['-uc'], ['-ue'], ['-ua'], ['-ut'], ['-uao'], ['-uto'], ['-uba'], ['-ubt'],
  ['-query', '-u'], ['-query', '-uc'], ['-ic'], ['-ic', '-u'], ['-e', '-ic'],
  ['-pct'], ['-H', '-pct'], ['-gt'],
  ['-hs', '404', '-c'], ['-hs', '400:499', '-ic'], ['-hs', '500:', '-srv'], ['-hs', ':299', '-uc'], ['-HS', '200:399', '-uc'],
  ['-rt', '100', '-uc'], ['-RT', '5', '-c'], ['-rt', '50', '-pct'], ['-rt', '20', '-srv'],
  ['-tcn', 'cD', '-c'], ['-tcn', 'cR'], ['-tcn', 'SC', '-srv'], ['-TCN', '--', '-tc'], ['-v', '-tcn', '--', '-c'],
  ['-Q', '-c'], ['-QS', '-c'], ['-Q', '-st'],
  ['-ad', '100'], ['-ad', '50', '-ac', '2'], ['-ac', '3'],
  ['-time', `${START + 10}:${START + 30}`, '-c'], ['-time', `${START + 20}`, '-st'], ['-time', `:${START + 25}`, '-e', '-ic'],
  ['-m', '5', '-uc'], ['-m', '3', '-ic'], ['-m', '10', '-e'], ['-m', '0', '-st'], ['-m', '7', '-c'], ['-m', '4', '-H', '-c'],
  ['-hdr', '1:1'], ['-hdr', '1:2'], ['-hdr', '2:1'], ['-hdr', '1:3'], ['-hs', '401', '-hdr', '1:2'], ['-e', '-hdr', '1:3'],
  ['-foo', '-st'], ['-q', '-u'], ['-v', '-H', '-st'], ['-q', '-pct'],
];

/** A smaller set for the other header shapes and skip offsets. */
const SHORT_SETS: string[][] = [['-c'], ['-H', '-c'], ['-st'], ['-srv'], ['-uc'], ['-ic'], ['-tc'], ['-pct'], ['-hdr', '1:2'], ['-e']];

interface Outcome {
  status: number | null;
  stdout: Buffer;
  stderr: Buffer;
}

function run(cmd: string[], file: string, env: NodeJS.ProcessEnv = {}): Outcome {
  const fd = openSync(file, 'r');
  try {
    const r = spawnSync(cmd[0]!, cmd.slice(1), {
      stdio: [fd, 'pipe', 'pipe'],
      env: { ...process.env, TZ: 'UTC', ...env },
      maxBuffer: 256 << 20,
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  } finally {
    closeSync(fd);
  }
}

function compare(real: string, file: string, flags: string[], env: NodeJS.ProcessEnv = {}): void {
  const want = run([real, ...flags], file);
  const got = run([process.execPath, OUR_HALOG, ...flags], file, env);
  const label = `halog ${flags.join(' ')} < ${file}`;
  assert.equal(got.status, want.status, `${label}: exit code`);
  assert.ok(Buffer.compare(got.stdout, want.stdout) === 0, `${label}: stdout differs\n--- real (head)\n${want.stdout.subarray(0, 400).toString('latin1')}\n--- ours (head)\n${got.stdout.subarray(0, 400).toString('latin1')}`);
  // Our only stderr addition: one warning about options halog ignores silently.
  const ourErr = got.stderr.toString('latin1').replace(/^halog: ignoring unknown option.*\n/, '');
  assert.equal(ourErr, want.stderr.toString('latin1'), `${label}: stderr`);
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'halog-oracle-'));
}

test('live oracle: generated logs with malformed and TCP lines, every flag set', (t) => {
  const real = requireTool(t, 'halog');
  if (!real) return;
  const dir = tempDir();
  try {
    const file = join(dir, 'local.log');
    writeFileSync(file, generateLogBuffer({ seed: 7, lines: 20000, format: 'local', malformedRate: 0.01, tcpRate: 0.02 }));
    const skip = ['-s', String(HALOG_SKIP.local)];
    for (const flags of FLAG_SETS) compare(real, file, [...skip, ...flags]);
    t.diagnostic(`${FLAG_SETS.length} flag sets identical on ${file}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('live oracle: every syslog header shape, with the right and wrong -s offsets', (t) => {
  const real = requireTool(t, 'halog');
  if (!real) return;
  const dir = tempDir();
  try {
    let compared = 0;
    for (const format of ['rfc3164', 'rfc5424', 'raw'] as const) {
      const file = join(dir, `${format}.log`);
      writeFileSync(file, generateLogBuffer({ seed: 11, lines: 5000, format, malformedRate: 0.02, tcpRate: 0.02 }));
      const right = HALOG_SKIP[format];
      for (const skip of [right, right + 1, right - 1]) {
        for (const flags of SHORT_SETS) {
          compare(real, file, ['-s', String(skip), ...flags]);
          compared++;
        }
      }
      // The default skip (no -s) is right for rfc3164 files only.
      for (const flags of SHORT_SETS) compare(real, file, flags);
      compared += SHORT_SETS.length;
    }
    t.diagnostic(`${compared} runs identical`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('live oracle: hostile bytes (NUL, tabs, CR, 8-bit, truncated fields, huge lines)', (t) => {
  const real = requireTool(t, 'halog');
  if (!real) return;
  const dir = tempDir();
  try {
    const good = generateLogBuffer({ seed: 3, lines: 300, format: 'local', malformedRate: 0, tcpRate: 0 });
    const lines = good.toString('latin1').split('\n').filter(Boolean);
    const hostile: string[] = [];
    lines.forEach((l, i) => {
      switch (i % 12) {
        case 0: hostile.push(l.slice(0, Math.floor(l.length * ((i % 7) + 1) / 8))); break; // cut anywhere
        case 1: hostile.push(l.replace(' ', '\t')); break;
        case 2: hostile.push(l + '\r'); break;
        case 3: hostile.push(l.replace('GET', 'G\u0000ET')); break;
        case 4: hostile.push(l.replace(/\/(\d+)\//, '/\xff\xfe$1/')); break;
        case 5: hostile.push(l.replace(/ (\d+) (\d+) /, ' 2999999999 $2 ')); break; // int overflow in str2ic
        case 6: hostile.push(l.replace(/ \d+\/\d+\/\d+\/\d+\/\d+ /, ' 1/2/3/-5/-7 ')); break; // negative Ta
        case 7: hostile.push(l.replace('[', '[9')); break;
        case 8: hostile.push(l.replace(/:\d+ \[/, ' [')); break; // source without port
        case 9: hostile.push(l.replace(/ \{[^}]*\}/, '')); break; // no capture blocks
        default: hostile.push(l);
      }
    });
    hostile.push('', '   ', '\x00\x00\x00', 'x'.repeat(100000));
    const file = join(dir, 'hostile.log');
    writeFileSync(file, Buffer.from(hostile.join('\n'), 'latin1'));
    for (const flags of FLAG_SETS) compare(real, file, ['-s', '0', ...flags]);
    t.diagnostic(`${FLAG_SETS.length} flag sets identical on hostile input`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('additions: files, .gz and worker threads give the output of one halog run on the concatenation', (t) => {
  const real = requireTool(t, 'halog');
  if (!real) return;
  const dir = tempDir();
  try {
    const a = generateLogBuffer({ seed: 21, lines: 8000, format: 'local', malformedRate: 0.01, tcpRate: 0.02 });
    const b = generateLogBuffer({ seed: 22, lines: 6000, format: 'local', malformedRate: 0.01, tcpRate: 0.02 });
    const whole = join(dir, 'whole.log');
    writeFileSync(whole, Buffer.concat([a, b]));
    writeFileSync(join(dir, 'a.log'), a);
    writeFileSync(join(dir, 'b.log.gz'), gzipSync(b));
    const sets = [['-st'], ['-srv'], ['-uc'], ['-ic'], ['-pct'], ['-gt'], ['-tc'], ['-cc'], ['-u'], ['-ad', '30'], ['-H', '-c'], ['-c'], ['-e', '-uto']];
    for (const flags of sets) {
      const args = ['-s', '0', ...flags];
      const want = run([real, ...args], whole);
      const files = run([process.execPath, OUR_HALOG, ...args, join(dir, 'a.log'), join(dir, 'b.log.gz')], whole);
      assert.ok(Buffer.compare(files.stdout, want.stdout) === 0, `files+gz: halog ${args.join(' ')}`);
      const threaded = run([process.execPath, OUR_HALOG, ...args], whole, { HALOG_THREADS: '3', HALOG_PARALLEL_MIN_BYTES: '0', HALOG_CHUNK_BYTES: '65536' });
      assert.ok(Buffer.compare(threaded.stdout, want.stdout) === 0, `3 threads: halog ${args.join(' ')}`);
      assert.equal(threaded.stderr.toString('latin1'), want.stderr.toString('latin1'), `3 threads stderr: halog ${args.join(' ')}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
