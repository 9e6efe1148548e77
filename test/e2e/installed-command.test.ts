import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DIST } from '../helpers/paths.js';
import { installedArgv } from '../helpers/installed.js';

/**
 * `haloscope` and `halog` as npm installs them: the kernel starts the compiled entry point
 * through its #! line, which asks glibc to advise transparent huge pages for what malloc maps
 * and to keep a top pad of freed memory instead of handing it back (docs/reports.md, "Huge
 * pages and malloc's top pad"), and must leave a tunable the user set in force. A broken #!
 * line would break the installed commands while `node dist/...` (what the other tests run)
 * still worked.
 */

const LINES = [
  '<134>Nov 24 17:00:00 haproxy[1]: 10.0.0.1:1000 [24/Nov/2026:16:59:59.993] fe bk/s1 0/0/1/5/6 200 100 - - ---- 1/1/0/0/0 0/0 "GET /a HTTP/1.1"',
  '<134>Nov 24 17:00:01 haproxy[1]: 10.0.0.2:1001 [24/Nov/2026:17:00:00.993] fe bk/s1 0/0/1/7/9 404 120 - - ---- 1/1/0/0/0 0/0 "GET /b HTTP/1.1"',
  '<134>Nov 24 17:00:02 haproxy[1]: 10.0.0.1:1002 [24/Nov/2026:17:00:01.993] fe bk/s2 0/0/2/9/12 200 90 - - ---- 1/1/0/0/0 0/0 "GET /a HTTP/1.1"',
].join('\n') + '\n';

const ENTRY_POINTS = [
  { name: 'haloscope', script: join(DIST, 'bin', 'haloscope.js'), args: ['report', 'urls', '--csv', '-q', '-'] },
  { name: 'halog', script: join(DIST, 'halog', 'main.js'), args: ['-s', '0', '-u'] },
];

/** The kernel's transparent huge page mode (`always`, `madvise`, `never`), or null without THP. */
function thpMode(): string | null {
  try {
    return /\[(\w+)\]/.exec(readFileSync('/sys/kernel/mm/transparent_hugepage/enabled', 'latin1'))?.[1] ?? null;
  } catch {
    return null;
  }
}

/** CPU ticks the process has used so far, or null once it is gone. */
function cpuTicks(pid: number): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'latin1').split(') ')[1]!.split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return null;
  }
}

/** Whether this process runs on glibc (the tunables are glibc's). */
function onGlibc(): boolean {
  const header = (process.report.getReport() as { header?: { glibcVersionRuntime?: string } }).header;
  return typeof header?.glibcVersionRuntime === 'string';
}

/** The `glibc.malloc.top_pad` that `script`'s #! line sets, in bytes, or null. */
function topPadOf(script: string): number | null {
  const m = /glibc\.malloc\.top_pad=(\d+)/.exec(installedArgv(script).join(' '));
  return m ? Number(m[1]) : null;
}

/**
 * Bytes of the main malloc arena's `[heap]` mapping of `pid` (0 when it has none), or null
 * once it is gone. glibc grows that mapping by the top pad on its first growth, so with a
 * pad of 64 MiB it is over 64 MiB from the start, against ~2 MiB with the default 128 KiB.
 */
function heapBytes(pid: number): number | null {
  try {
    const line = readFileSync(`/proc/${pid}/maps`, 'latin1').split('\n').find((l) => l.endsWith('[heap]'));
    if (line === undefined) return 0;
    const [from, to] = line.slice(0, line.indexOf(' ')).split('-');
    return parseInt(to!, 16) - parseInt(from!, 16);
  } catch {
    return null;
  }
}

/** Mappings of `pid` that carry the huge-page advice (VmFlags `hg`), or null once it is gone. */
function advisedMappings(pid: number): number | null {
  try {
    return readFileSync(`/proc/${pid}/smaps`, 'latin1').split('\n').filter((l) => l.startsWith('VmFlags:') && / hg\b/.test(l)).length;
  } catch {
    return null;
  }
}

/**
 * Runs argv with LINES on stdin, held back while the program starts: every 20 ms, once it is
 * node and no longer /usr/bin/env, its mappings with the huge-page advice are counted, until
 * some are seen or it has used no CPU for `stillMs` (it waits for its input). Returns the most
 * seen at once, the largest `[heap]` mapping seen, and the output.
 */
async function runHolding(argv: string[], env: NodeJS.ProcessEnv, stillMs: number): Promise<{ advised: number; heap: number; stdout: string }> {
  const child = spawn(argv[0]!, argv.slice(1), { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString('latin1')));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString('latin1')));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  const pid = child.pid!;
  let advised = -1;
  let heap = 0;
  let last = -1;
  let stillSince = Date.now();
  for (let i = 0; i < 1500; i++) {
    await sleep(20);
    let exe: string;
    try {
      exe = readlinkSync(`/proc/${pid}/exe`);
    } catch {
      break;
    }
    if (exe.endsWith('/env')) continue;
    const ticks = cpuTicks(pid);
    const now = advisedMappings(pid);
    const heapNow = heapBytes(pid);
    if (ticks === null || now === null || heapNow === null) break;
    advised = Math.max(advised, now);
    heap = Math.max(heap, heapNow);
    if (advised > 0) break;
    if (ticks !== last) {
      last = ticks;
      stillSince = Date.now();
    } else if (Date.now() - stillSince >= stillMs) break;
  }
  child.stdin.end(LINES);
  const code = await exited;
  assert.equal(code, 0, `${argv.join(' ')}: exit ${code}: ${stderr.slice(0, 400)}`);
  assert.ok(advised >= 0, `${argv.join(' ')}: never seen running`);
  return { advised, heap, stdout };
}

for (const e of ENTRY_POINTS) {
  test(`installed ${e.name}: its #! line has glibc advise huge pages, and it prints what node prints`, async (t) => {
    if (process.platform !== 'linux') return t.skip('the #! line and /proc are Linux-specific');
    const viaNode = spawnSync(process.execPath, [e.script, ...e.args], { input: LINES, encoding: 'latin1' });
    assert.equal(viaNode.status, 0, viaNode.stderr);
    assert.ok(viaNode.stdout.length > 0);
    const env = { ...process.env };
    delete env.GLIBC_TUNABLES;
    const r = await runHolding([...installedArgv(e.script), ...e.args], env, 2000);
    assert.equal(r.stdout, viaNode.stdout);
    const pad = topPadOf(e.script);
    assert.ok(pad !== null && pad >= 1 << 20, `the #! line should set glibc.malloc.top_pad to 1 MiB or more: ${installedArgv(e.script).join(' ')}`);
    if (onGlibc()) assert.ok(r.heap >= pad, `[heap] is ${r.heap} bytes: glibc did not take the #! line's top pad of ${pad}`);
    const mode = thpMode();
    // glibc advises only in madvise mode: in the others the advice would change nothing.
    if (mode !== 'madvise') return t.diagnostic(`transparent huge pages: ${mode ?? 'absent'}; advice not checked`);
    assert.ok(r.advised > 0, 'no mapping advised for huge pages');
  });

  test(`installed ${e.name}: a GLIBC_TUNABLES the user set wins over the #! line's`, async (t) => {
    if (process.platform !== 'linux') return t.skip('the #! line and /proc are Linux-specific');
    const mode = thpMode();
    if (mode !== 'madvise') return t.skip(`transparent huge pages: ${mode ?? 'absent'}: glibc advises nothing either way`);
    const r = await runHolding([...installedArgv(e.script), ...e.args], { ...process.env, GLIBC_TUNABLES: 'glibc.malloc.hugetlb=0' }, 300);
    assert.equal(r.advised, 0, 'glibc.malloc.hugetlb=0 set by the user should leave no mapping advised');
  });

  test(`installed ${e.name}: a top pad the user set wins over the #! line's`, async (t) => {
    if (process.platform !== 'linux') return t.skip('the #! line and /proc are Linux-specific');
    if (!onGlibc()) return t.skip('not glibc: the malloc tunables do not apply');
    const r = await runHolding([...installedArgv(e.script), ...e.args], { ...process.env, GLIBC_TUNABLES: 'glibc.malloc.top_pad=0' }, 300);
    const pad = topPadOf(e.script)!;
    assert.ok(r.heap < pad, `glibc.malloc.top_pad=0 set by the user should leave [heap] under ${pad} bytes, saw ${r.heap}`);
  });
}
