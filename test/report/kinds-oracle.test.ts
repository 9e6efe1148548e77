import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LogRecord, parseRecord } from '../../halog/parse/record.js';
import { CORPUS } from '../helpers/paths.js';
import { jsonReport as cliReport, reportInProcess, type JsonReport } from './run-report.js';

const LOG = join(CORPUS, 'access.log');
const BUF = readFileSync(LOG);

interface Observed {
  log_lines: number;
  status: Record<string, number>;
  termination_state: Record<string, number>;
  frontends: Record<string, number>;
  bytes_read_total: number;
  captured_user_agents?: Record<string, number>;
}
const truth = JSON.parse(readFileSync(join(CORPUS, 'truth.json'), 'utf8')) as { sources: Record<string, { observed: Observed }> };
const observed = Object.entries(truth.sources).map(([ip, s]) => [ip, s.observed] as const);

function sum(pick: (o: Observed) => Record<string, number> | undefined): Map<string, number> {
  const m = new Map<string, number>();
  for (const [, o] of observed) for (const [k, v] of Object.entries(pick(o) ?? {})) m.set(k, (m.get(k) ?? 0) + v);
  return m;
}

/** In-process report over the corpus; one case per test also runs the CLI. */
const jsonReport = (args: string[]): JsonReport => reportInProcess(args.filter((a) => a !== LOG), BUF);

function rowMap(r: JsonReport, col = 'req'): Map<string, number> {
  const key = r.columns[0]!.name;
  return new Map(r.rows.map((row) => [String(row[key]), row[col] as number]));
}

test('report urls: request and byte counts equal real halog -uc on the corpus (HTTP URLs)', () => {
  const halog = readFileSync(join(CORPUS, 'halog', 'uc.txt'), 'latin1').trim().split('\n').slice(1);
  const r = jsonReport(['urls', LOG]);
  assert.deepEqual(cliReport(['urls', LOG]).rows, r.rows, 'the CLI gives the same rows');
  const req = rowMap(r);
  const bytes = rowMap(r, 'bytes');
  for (const line of halog) {
    const f = line.split(' ');
    const url = f.slice(8).join(' ').replace(/^"(.*)"$/, '$1');
    assert.equal(req.get(url), Number(f[0]), `req of ${url}`);
    assert.equal(bytes.get(url), Number(f[7]), `bytes of ${url}`);
  }
  assert.equal(r.rows.length, halog.length + 1, 'halog rows plus <TCP> (halog counts tcplog lines as parse errors)');
  assert.equal(req.get('<TCP>'), 90);
});

test('report clients, status, termination, frontends, header:1:2 equal the corpus ground truth', () => {
  const clients = jsonReport(['clients', LOG]);
  assert.deepEqual(rowMap(clients), new Map(observed.map(([ip, o]) => [ip, o.log_lines])));
  assert.deepEqual(rowMap(clients, 'bytes'), new Map(observed.map(([ip, o]) => [ip, o.bytes_read_total])));
  const status = rowMap(jsonReport(['status', LOG]));
  const tcp = status.get('tcp');
  status.delete('tcp');
  assert.equal(tcp, 90);
  assert.deepEqual([...status].sort(), [...sum((o) => o.status)].sort());
  assert.deepEqual([...rowMap(jsonReport(['termination', LOG]))].sort(), [...sum((o) => o.termination_state)].sort());
  assert.deepEqual([...rowMap(jsonReport(['frontends', LOG]))].sort(), [...sum((o) => o.frontends)].sort());
  const ua = rowMap(jsonReport(['header:1:2', LOG]));
  const uaTruth = sum((o) => o.captured_user_agents);
  for (const [k, v] of uaTruth) assert.equal(ua.get(k), v, `User-Agent ${k}`);
});

test('report servers and backends: per-status columns equal real halog -srv; backends sum their servers', () => {
  const halog = readFileSync(join(CORPUS, 'halog', 'srv.txt'), 'latin1').trim().split('\n').slice(1);
  const r = jsonReport(['servers', LOG]);
  const rows = new Map(r.rows.map((row) => [row.server as string, row]));
  const perBackend = new Map<string, number>();
  for (const line of halog) {
    const [name, s1, s2, s3, s4, s5, , tot] = line.split(' ');
    if (Number(tot) === 0) continue; // tcplog servers: halog registers them with an all-zero row
    const row = rows.get(name!)!;
    assert.ok(row, `server ${name}`);
    assert.deepEqual([row['1xx'], row['2xx'], row['3xx'], row['4xx'], row['5xx'], row.req], [s1, s2, s3, s4, s5, tot].map(Number), name);
  }
  for (const row of r.rows) {
    const b = (row.server as string).split('/')[0]!;
    perBackend.set(b, (perBackend.get(b) ?? 0) + (row.req as number));
  }
  assert.deepEqual([...rowMap(jsonReport(['backends', LOG]))].sort(), [...perBackend].sort());
});

test('report timeline: buckets hold the records whose accept date falls in them, in time order', () => {
  const buf = readFileSync(LOG);
  const rec = new LogRecord();
  const expect = new Map<string, number>();
  for (let p = 0; p < buf.length;) {
    let nl = buf.indexOf(0x0a, p);
    if (nl < 0) nl = buf.length;
    if (parseRecord(buf, p, nl, rec)) {
      const k = new Date(Math.floor(rec.acceptMs / 10000) * 10000).toISOString();
      expect.set(k, (expect.get(k) ?? 0) + 1);
    }
    p = nl + 1;
  }
  const r = jsonReport(['timeline', '--interval', '10s', LOG]);
  const keys = r.rows.map((row) => row.time as string);
  assert.deepEqual(keys, [...keys].sort(), 'ascending time');
  assert.deepEqual(rowMap(r), expect);
  const m = jsonReport(['timeline', LOG]);
  assert.ok(m.rows.every((row) => (row.time as string).endsWith(':00.000Z')), 'default interval: 1 minute');
});
