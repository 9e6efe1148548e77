import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ByteOut, collect } from '../../halog/output/write.js';
import { randomInts } from '../helpers/random.js';

/** ByteOut.num writes every number as String(v) does, whichever of its paths (int32, uint32, other) it takes. */
test('ByteOut.num writes numbers as String() does', () => {
  const r = randomInts(11);
  const vals = [0, -0, 1, 9, 10, 99, 100, 999, 1000, 65535, 99999, 100000, 999999999, 1e9, 0x7fffffff, 0x80000000, 0xffffffff, 2 ** 32, 2 ** 53, -1, -10, -0x7fffffff, -0xffffffff, -(2 ** 32), 1.5, 0.1, -2.5, 1e21, 1e-7];
  for (let i = 0; i < 5000; i++) vals.push(r(1 << 30) >>> r(31), r(1000) / 8);
  const got = collect((w) => {
    const out = new ByteOut(w);
    for (const v of vals) {
      out.num(v);
      out.byte(0x2c);
    }
    out.flush();
  });
  assert.equal(got, vals.map((v) => `${String(v)},`).join(''));
});
