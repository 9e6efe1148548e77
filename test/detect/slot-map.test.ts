import assert from 'node:assert/strict';
import test from 'node:test';
import { SlotMap } from '../../halog/detect/slot-map.js';
import { randomInts } from '../helpers/random.js';

/**
 * SlotMap against a plain Map, through growth, rehashes, pruning, client removal and reuse of
 * freed entries. A rehash that ran after an entry was taken from the pool but before it was
 * filled in once chained that entry twice, and the next removal walked a looping chain (the
 * demo's detect step never ended): hence the timeout, and the checks after every operation.
 */
test('slot map: the same entries as a Map through growth, pruning and removal', { timeout: 10000 }, () => {
  const m = new SlotMap();
  const ref = new Map<string, number>();
  const rand = randomInts(12345);
  const check = (): void => {
    assert.equal(m.size, ref.size);
    for (const [k, v] of ref) {
      const [slot, key] = k.split('/').map(Number) as [number, number];
      const e = m.find(slot, key);
      assert.notEqual(e, 0, `entry ${k}`);
      assert.equal(m.value(e), v);
    }
  };
  // Growth alone first (an empty free list at every rehash), then every client removed.
  for (let i = 0; i < 70000; i++) {
    const slot = rand(3000);
    const key = rand(1 << 30);
    if (m.find(slot, key) !== 0) continue;
    m.add(slot, key, i);
    ref.set(`${slot}/${key}`, i);
  }
  // (0, 0) hashes to bucket 0, where the broken rehash chained the half-made entry.
  if (m.find(0, 0) === 0) {
    m.add(0, 0, -1);
    ref.set('0/0', -1);
  }
  check();
  for (let slot = 0; slot < 3000; slot++) m.removeAllOf(slot);
  ref.clear();
  check();
  for (let round = 0; round < 40; round++) {
    for (let i = 0; i < 500 + round * 50; i++) {
      const slot = rand(300);
      const key = rand(5000);
      const v = rand(1000);
      // Half through findOrAdd: present -> its entry (> 0), absent -> added (< 0).
      if (rand(2) === 0) {
        const e = m.findOrAdd(slot, key, v);
        const had = ref.get(`${slot}/${key}`);
        assert.equal(e > 0, had !== undefined);
        assert.equal(m.value(Math.abs(e)), had ?? v);
        if (had === undefined) ref.set(`${slot}/${key}`, v);
        continue;
      }
      if (m.find(slot, key) !== 0) continue;
      m.add(slot, key, v);
      ref.set(`${slot}/${key}`, v);
    }
    check();
    const slot = rand(300);
    const min = rand(1000);
    const left = m.pruneBelow(slot, min);
    for (const [k, v] of [...ref]) if (k.startsWith(`${slot}/`) && v < min) ref.delete(k);
    assert.equal(left, [...ref.keys()].filter((k) => k.startsWith(`${slot}/`)).length);
    const gone = rand(300);
    m.removeAllOf(gone);
    for (const k of [...ref.keys()]) if (k.startsWith(`${gone}/`)) ref.delete(k);
    check();
  }
  const seen: number[] = [];
  m.forEachOf(7, (key) => seen.push(key));
  assert.deepEqual(seen.sort((a, b) => a - b), [...ref.keys()].filter((k) => k.startsWith('7/')).map((k) => Number(k.split('/')[1])).sort((a, b) => a - b));
});

test('slot map: 5000 entries of 50 clients, then (0, 0), then every client removed', { timeout: 10000 }, () => {
  // The pattern that lost 2 entries and then hung in the broken rehash (kept as found).
  const m = new SlotMap();
  for (let i = 0; i < 5000; i++) m.add(1 + (i % 50), i * 7919, i);
  for (let i = 0; i < 5000; i++) assert.notEqual(m.find(1 + (i % 50), i * 7919), 0, `entry ${i}`);
  m.add(0, 0, 1);
  for (let slot = 0; slot <= 50; slot++) m.removeAllOf(slot);
  assert.equal(m.size, 0);
});

test('slot map without values (the pages table): membership through growth and removal, values read as 0', { timeout: 10000 }, () => {
  const m = new SlotMap(false);
  const ref = new Set<string>();
  for (let i = 0; i < 20000; i++) {
    const slot = i % 97;
    const key = Math.imul(i, 2654435761) & 0x3fffffff;
    if (m.find(slot, key) !== 0) continue;
    m.add(slot, key, 123);
    ref.add(`${slot}/${key}`);
  }
  assert.equal(m.size, ref.size);
  for (const k of ref) {
    const [slot, key] = k.split('/').map(Number) as [number, number];
    const e = m.find(slot, key);
    assert.notEqual(e, 0, k);
    assert.equal(m.value(e), 0);
  }
  const keys: number[] = [];
  m.forEachOf(5, (key, value) => {
    assert.equal(value, 0);
    keys.push(key);
  });
  assert.deepEqual(keys.sort((a, b) => a - b), [...ref].filter((k) => k.startsWith('5/')).map((k) => Number(k.split('/')[1])).sort((a, b) => a - b));
  for (let slot = 0; slot < 97; slot++) m.removeAllOf(slot);
  assert.equal(m.size, 0);
});

/**
 * findOrAdd with `staleBelow` (the ports table): an add that would grow a full region first
 * drops the entries whose value is below it. Every entry at or above the bound stays, with its
 * value, and found keys are never dropped; a client that keeps connecting from new ports, whose
 * old ports go stale, keeps a region of its recent ports instead of one of all it ever used.
 */
test('slot map: findOrAdd drops stale entries instead of growing a full region', { timeout: 10000 }, () => {
  const m = new SlotMap();
  const rand = randomInts(777);
  const live = new Map<number, number>();
  let peak = 0;
  for (let t = 0; t < 20000; t++) {
    const stale = t - 100;
    // Mostly new keys; now and then a key seen lately (found, its value moved up).
    const recent = [...live.keys()].filter((k) => live.get(k)! >= stale);
    const key = rand(8) === 0 && recent.length > 0 ? recent[rand(recent.length)]! : 100000 + t;
    const e = m.findOrAdd(1, key, t, stale);
    if (e > 0) {
      assert.ok(live.has(key), `found ${key}`);
      m.setValue(e, t);
    } else assert.ok(!live.has(key) || live.get(key)! < stale, `${key} was live but not found`);
    live.set(key, t);
    for (const [k, v] of live) if (v < stale - 1000) live.delete(k);
    for (const [k, v] of live) {
      if (v < stale) continue;
      const f = m.find(1, k);
      if (rand(50) === 0 || v >= t - 3) {
        assert.notEqual(f, 0, `live key ${k} dropped`);
        assert.equal(m.value(f), v);
      }
    }
    assert.equal(m.size, m.count(1));
    peak = Math.max(peak, m.count(1));
  }
  // ~90 keys are within the bound at any time; the region holds up to twice that before it grows.
  assert.ok(peak < 400, `peak ${peak} entries for ~90 live ones`);
  // Without a bound nothing is dropped.
  const all = new SlotMap();
  for (let k = 0; k < 5000; k++) all.findOrAdd(2, k, k);
  assert.equal(all.count(2), 5000);
});

/**
 * A map whose bookkeeping is in the caller's cells (the detector keeps it in each client's
 * Int32 record): the same entries as a map of its own, its three cells at `slot * stride +
 * base` and no other cell written, and every cell zeroed again once its slot is removed.
 */
test('slot map: bookkeeping in the caller cells gives the same entries and touches only its three cells', { timeout: 10000 }, () => {
  const stride = 7;
  const base = 2;
  const slots = 200;
  const host = { cells: new Int32Array(slots * stride).fill(-5), stride, base, slots, ensure: (slot: number): void => assert.ok(slot < slots, `slot ${slot}`) };
  for (let s = 0; s < slots; s++) host.cells.fill(0, s * stride + base, s * stride + base + 3);
  const m = new SlotMap(true, host);
  const own = new SlotMap();
  const rand = randomInts(99);
  for (let i = 0; i < 30000; i++) {
    const slot = rand(slots);
    const key = rand(2000);
    const a = m.findOrAdd(slot, key, i, i - 500);
    const b = own.findOrAdd(slot, key, i, i - 500);
    assert.equal(a > 0, b > 0, `(${slot}, ${key}) at ${i}`);
    if (a > 0) {
      m.setValue(a, i);
      own.setValue(b, i);
    }
    if (rand(1000) === 0) {
      const gone = rand(slots);
      m.removeAllOf(gone);
      own.removeAllOf(gone);
    }
  }
  assert.equal(m.size, own.size);
  for (let s = 0; s < slots; s++) {
    assert.equal(m.count(s), own.count(s));
    assert.equal(host.cells[s * stride + base + 2], own.count(s));
    const mine = new Map<number, number>();
    m.forEachOf(s, (k, v) => mine.set(k, v));
    const ref = new Map<number, number>();
    own.forEachOf(s, (k, v) => ref.set(k, v));
    assert.deepEqual(mine, ref);
    for (let c = 0; c < stride; c++) if (c < base || c >= base + 3) assert.equal(host.cells[s * stride + c], -5, `cell ${c} of slot ${s}`);
    m.removeAllOf(s);
    assert.deepEqual([...host.cells.subarray(s * stride + base, s * stride + base + 3)], [0, 0, 0]);
  }
  assert.equal(m.size, 0);
});
