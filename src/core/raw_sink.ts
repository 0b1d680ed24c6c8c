// What raw handles of both families share (net/ipv4/raw.c, net/ipv6/raw.c): the "raw sockets
// consume a protocol nobody handles" rule (raw_local_deliver before ip_protocol_deliver_rcu,
// ipv6_raw_deliver before ip6_protocol_deliver_rcu) — while a raw handle is open for a protocol
// with no handler of its own, a do-nothing handler stands in, so the packet counts as delivered
// and draws no ICMP error — and the error report of the packets a handle sent.

import { StackError } from './errno.js';
import type { SkBuff, SkbOwner } from './skbuff.js';

type Handler = (skb: never) => void;

const sinks = new WeakMap<Map<number, Handler>, Map<number, { handler: Handler; users: number }>>();

/**
 * A raw handle for `protocol` opens on a family's protocol table: returns whether it joined the
 * sink (and must call {@link releaseRawSink} when it closes). A protocol with a real handler is
 * left alone.
 */
export function claimRawSink<H extends Handler>(protocols: Map<number, H>, protocol: number): boolean {
  const table = protocols as unknown as Map<number, Handler>;
  let m = sinks.get(table);
  if (!m) sinks.set(table, (m = new Map()));
  const s = m.get(protocol);
  if (s) {
    s.users++;
    return true;
  }
  if (table.has(protocol)) return false;
  const handler: Handler = () => {};
  table.set(protocol, handler);
  m.set(protocol, { handler, users: 1 });
  return true;
}

/** The last raw handle of a sink closes: the stand-in handler goes. */
export function releaseRawSink<H extends Handler>(protocols: Map<number, H>, protocol: number): void {
  const table = protocols as unknown as Map<number, Handler>;
  const m = sinks.get(table);
  const s = m?.get(protocol);
  if (!m || !s || --s.users > 0) return;
  m.delete(protocol);
  if (table.get(protocol) === s.handler) table.delete(protocol);
}

/** A listener's exception must not unwind through the stack's receive path: it surfaces as an uncaught exception instead. */
export function rethrowLater(e: unknown): void {
  queueMicrotask(() => {
    throw e;
  });
}

/**
 * The skb owner of a raw handle's sent packets: a later delivery failure (the next hop never
 * resolved) counts in `stats.errors` and reaches `onError` with the payload the handle sent —
 * the bytes after the network header, whose length `headerLen` gives.
 */
export function rawErrorOwner(
  stats: { errors: number },
  onError: () => ((err: StackError, payload: Buffer) => void) | undefined,
  headerLen: (skb: SkBuff) => number,
): SkbOwner {
  return {
    errorReport(errno: number, skb: SkBuff): void {
      stats.errors++;
      const cb = onError();
      if (!cb) return;
      const payload = Buffer.from(skb.buf.subarray(skb.networkHeader + headerLen(skb), skb.tail));
      try {
        cb(new StackError(errno), payload);
      } catch (e) {
        rethrowLater(e);
      }
    },
  };
}
