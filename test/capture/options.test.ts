import assert from 'node:assert/strict';
import test from 'node:test';
import { parseListen, parseOptions } from '../../capture/options.js';

const notDir = (): boolean => false;

test('listen addresses: IPv4, bracketed IPv6, bare port; bad ones say what to write', () => {
  assert.deepEqual(parseListen('127.0.0.1:5514'), { type: 'udp4', host: '127.0.0.1', port: 5514, text: '127.0.0.1:5514' });
  assert.deepEqual(parseListen('[::1]:5514'), { type: 'udp6', host: '::1', port: 5514, text: '[::1]:5514' });
  assert.deepEqual(parseListen('[]:514'), { type: 'udp6', host: '::', port: 514, text: '[]:514' });
  assert.deepEqual(parseListen(':514'), { type: 'udp4', host: '0.0.0.0', port: 514, text: ':514' });
  assert.deepEqual(parseListen('514'), { type: 'udp4', host: '0.0.0.0', port: 514, text: '514' });
  assert.throws(() => parseListen('::1:514'), { code: 'E_CAPTURE_LISTEN_ADDRESS', message: /write IPv6 addresses in brackets, e\.g\. '\[::1\]:514'/ });
  assert.throws(() => parseListen('127.0.0.1:99999'), { code: 'E_CAPTURE_LISTEN_ADDRESS' });
  assert.throws(() => parseListen('example.com:514'), { code: 'E_CAPTURE_LISTEN_ADDRESS', message: /numeric address/ });
});

test('every problem is reported at once, with codes and suggestions', () => {
  const r = parseOptions(['--listen', 'x', '--rotate-sise', '1M', '--format', 'json', '--rcvbuf', 'lots'], notDir);
  assert.equal(r.config, null);
  assert.deepEqual(
    r.problems.map((p) => [p.code, p.message]),
    [
      ['E_CAPTURE_LISTEN_ADDRESS', `--listen 'x': expected host:port; e.g. '127.0.0.1:514'`],
      ['E_CAPTURE_OPTION', `unknown option '--rotate-sise'; did you mean '--rotate-size'? (see --help)`],
      ['E_CAPTURE_OPTION', `unknown option '1M' (see --help)`],
      ['E_CAPTURE_OPTION', `--format 'json': expected one of keep, rsyslog, message`],
      ['E_CAPTURE_OPTION', `--rcvbuf 'lots': expected a size of at least 1024 such as 64K, 100M, 1G`],
      ['E_CAPTURE_OPTION', `--out is required: a directory, a file, or - for stdout`],
    ],
  );
});

test('conflicting options are refused', () => {
  const codes = (args: string[]): string[] => parseOptions(['--listen', '127.0.0.1:514', ...args], notDir).problems.map((p) => p.code);
  assert.deepEqual(codes(['--out', '-', '--live']), ['E_CAPTURE_OPTION_CONFLICT']);
  assert.deepEqual(codes(['--out', '-', '--split', 'tag']), ['E_CAPTURE_OPTION_CONFLICT']);
  assert.deepEqual(codes(['--out', '-', '--rotate-size', '1M']), ['E_CAPTURE_OPTION_CONFLICT']);
  assert.deepEqual(codes(['--out', 'x.log', '--gzip']), ['E_CAPTURE_OPTION_CONFLICT']);
  assert.deepEqual(codes(['--out', 'x.log', '--listen', '127.0.0.1:514']), ['E_CAPTURE_OPTION_CONFLICT']);
});

test('--split, or an --out ending in /, onto an existing file is refused at start', () => {
  const isFile = (p: string): boolean => p.replace(/\/+$/, '') === 'taken.log';
  const codes = (args: string[]): string[] => parseOptions(['--listen', '127.0.0.1:514', ...args], notDir, isFile).problems.map((p) => p.code);
  assert.deepEqual(codes(['--out', 'taken.log', '--split', 'tag']), ['E_CAPTURE_OPTION_CONFLICT']);
  assert.deepEqual(codes(['--out', 'taken.log/']), ['E_CAPTURE_OPTION_CONFLICT']);
  assert.deepEqual(codes(['--out', 'taken.log']), [], 'a file is a fine --out without --split');
  assert.deepEqual(codes(['--out', 'new-dir', '--split', 'host']), [], 'a missing directory is created');
  const msg = parseOptions(['--listen', '514', '--out', 'taken.log', '--split', 'tag'], notDir, isFile).problems[0]!.message;
  assert.match(msg, /--out taken\.log is an existing file, but --split tag writes one file per tag into a directory/);
});

test('a valid command line gives a frozen config with the defaults', () => {
  const r = parseOptions(['--listen=127.0.0.1:5514', '--out', 'logs/', '--rotate-size', '100M', '--rotate-interval', '1h', '--gzip'], notDir);
  assert.deepEqual(r.problems, []);
  const c = r.config!;
  assert.ok(Object.isFrozen(c));
  assert.equal(c.outIsDir, true);
  assert.equal(c.rotateBytes, 100 * 1024 * 1024);
  assert.equal(c.rotateMs, 3_600_000);
  assert.equal(c.rcvbuf, 32 * 1024 * 1024);
  assert.equal(c.maxLine, 65535);
  assert.equal(c.format, 'keep');
  assert.equal(parseOptions(['--listen', '514', '--out', 'f.log', '--split', 'host'], notDir).config!.outIsDir, true);
  assert.equal(parseOptions(['--listen', '514', '--out', 'f.log'], notDir).config!.outIsDir, false);
});
