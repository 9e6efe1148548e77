import { HttpField } from '../../proxy/log/format/fields.js';

/**
 * Distances between httplog fields as halog counts them (`field_start(anchor, n)`, where
 * the anchor itself is field 1). Derived from the shared log contract so the emitter and
 * the analyzer cannot drift apart.
 */
const from = (anchor: number, target: number): number => target - anchor + 1;

export const Dist = {
  /** halog's default skip puts the client address at field 5 + skip. */
  sourceFromLineStart: 5,
  acceptFromSource: from(HttpField.client, HttpField.acceptDate),
  serverFromAccept: from(HttpField.acceptDate, HttpField.backendServer),
  timeFromAccept: from(HttpField.acceptDate, HttpField.timers),
  timeFromServer: from(HttpField.backendServer, HttpField.timers) - 1,
  statusFromAccept: from(HttpField.acceptDate, HttpField.status),
  statusFromTime: from(HttpField.timers, HttpField.status),
  bytesFromTime: from(HttpField.timers, HttpField.bytesRead),
  termFromAccept: from(HttpField.acceptDate, HttpField.terminationState),
  termFromTime: from(HttpField.timers, HttpField.terminationState),
  queueFromAccept: from(HttpField.acceptDate, HttpField.queues),
  queueFromTime: from(HttpField.timers, HttpField.queues),
  capturesFromAccept: from(HttpField.acceptDate, HttpField.capturesOrRequest),
  capturesFromTime: from(HttpField.timers, HttpField.capturesOrRequest),
  capturesFromBytes: from(HttpField.bytesRead, HttpField.capturesOrRequest),
} as const;
