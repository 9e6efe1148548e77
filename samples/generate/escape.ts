/**
 * HAProxy's log encodings (log.c `init_log`, tools.c `encode_string`), applied once when the
 * catalog is built so the hot path only copies bytes.
 */

function encode(s: string, special: string, max: number): Buffer {
  const src = Buffer.from(s, 'latin1').subarray(0, max);
  const out: number[] = [];
  for (const c of src) {
    if (c < 0x20 || c >= 0x7f || special.includes(String.fromCharCode(c))) {
      out.push(0x23, ...Buffer.from(c.toString(16).toUpperCase().padStart(2, '0'), 'latin1'));
    } else {
      out.push(c);
    }
  }
  return Buffer.from(out);
}

/** A captured header value: truncated to the capture `len`, then `" # { | }` and non-printables as `#XX`. */
export function captureBytes(value: string, len: number): Buffer {
  return encode(value, '"#{|}', len);
}

/** The request line: `"` and `#` and non-printables as `#XX`; `{|}` stay. */
export function requestBytes(value: string): Buffer {
  return encode(value, '"#', Infinity);
}
