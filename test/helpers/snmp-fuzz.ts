// Material for the SNMP fuzz test: a seeded generator of random and mutated datagrams, and just
// enough BER (SNMPv1/v2c messages) to read a request's id and build a matching response, so
// mutations reach the deep decoding paths instead of being dropped for an unknown request id.

/** mulberry32: fast, seeded, reproducible (the seed is printed by the test). */
export function rng(seed: number): { next(): number; int(n: number): number; bytes(n: number): Buffer } {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return {
    next,
    int,
    bytes(n) {
      const b = Buffer.alloc(n);
      for (let i = 0; i < n; i++) b[i] = int(256);
      return b;
    },
  };
}

type Rng = ReturnType<typeof rng>;

// Values that break parsers: BER length forms, tags of every class, integer edges.
const INTERESTING = [0x00, 0x01, 0x02, 0x04, 0x05, 0x06, 0x30, 0x40, 0x41, 0x42, 0x43, 0x44, 0x46, 0x7f, 0x80, 0x81, 0x82, 0x83, 0x84, 0x88, 0xa0, 0xa2, 0xa4, 0xa5, 0xa7, 0xa8, 0xff];

/** One mutation of `seed`: bit flips, interesting bytes, truncation, splices, length games. */
export function mutate(r: Rng, seed: Buffer): Buffer {
  const b = Buffer.from(seed);
  const ops = 1 + r.int(4);
  let out: Buffer = b;
  for (let k = 0; k < ops; k++) {
    if (out.length === 0) return r.bytes(r.int(64));
    const at = r.int(out.length);
    switch (r.int(8)) {
      case 0:
        out[at] = (out[at] as number) ^ (1 << r.int(8));
        break;
      case 1:
        out[at] = INTERESTING[r.int(INTERESTING.length)] as number;
        break;
      case 2:
        out = out.subarray(0, at); // truncate
        break;
      case 3:
        out = Buffer.concat([out.subarray(0, at), r.bytes(1 + r.int(16)), out.subarray(at)]); // insert junk
        break;
      case 4:
        out = Buffer.concat([out.subarray(0, at), out.subarray(Math.min(out.length, at + 1 + r.int(8)))]); // delete
        break;
      case 5: {
        const from = r.int(out.length);
        out = Buffer.concat([out.subarray(0, at), out.subarray(from, from + 1 + r.int(32)), out.subarray(at)]); // duplicate a piece
        break;
      }
      case 6:
        out[at] = 0x84; // a long-form length claiming 4 length bytes
        break;
      default:
        out[at] = 0xff;
    }
  }
  return out;
}

// ------------------------------------------------------------------------------------- BER

function len(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export function tlv(tag: number, value: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), len(value.length), value]);
}

export function int(n: number | bigint, tag = 0x02): Buffer {
  let v = BigInt(n);
  const bytes: number[] = [];
  do {
    bytes.unshift(Number(v & 0xffn));
    v >>= 8n;
  } while (v !== 0n && v !== -1n);
  if (tag === 0x02 && n >= 0 && (bytes[0] as number) & 0x80) bytes.unshift(0);
  if (tag !== 0x02 && (bytes[0] as number) & 0x80) bytes.unshift(0);
  return tlv(tag, Buffer.from(bytes));
}

export function oid(dotted: string): Buffer {
  const arcs = dotted.split('.').map(Number);
  const out: number[] = [40 * (arcs[0] ?? 1) + (arcs[1] ?? 3)];
  for (const a of arcs.slice(2)) {
    const enc: number[] = [a & 0x7f];
    for (let v = a >>> 7; v > 0; v >>>= 7) enc.unshift(0x80 | (v & 0x7f));
    out.push(...enc);
  }
  return tlv(0x06, Buffer.from(out));
}

const seq = (...parts: Buffer[]) => tlv(0x30, Buffer.concat(parts));

/** A value of a random SNMP type (sometimes the right one for the column, often not). */
export function randomValue(r: Rng): Buffer {
  switch (r.int(9)) {
    case 0:
      return int(r.int(2 ** 31) - 2 ** 30);
    case 1:
      return tlv(0x04, r.bytes(r.int(40)));
    case 2:
      return int(r.int(2 ** 32), 0x41); // Counter32
    case 3:
      return int(BigInt(r.int(2 ** 32)) * BigInt(r.int(2 ** 32)), 0x46); // Counter64
    case 4:
      return int(r.int(2 ** 32), 0x42); // Gauge32
    case 5:
      return int(r.int(2 ** 32), 0x43); // TimeTicks
    case 6:
      return tlv(0x05, Buffer.alloc(0)); // NULL
    case 7:
      return tlv(0x80 + r.int(3), Buffer.alloc(0)); // noSuchObject / noSuchInstance / endOfMibView
    default:
      return oid(`1.3.6.1.${r.int(100)}.${r.int(100)}`);
  }
}

export interface ParsedRequest {
  version: number;
  community: Buffer;
  pduType: number;
  requestId: bigint;
  oids: string[];
}

function read(b: Buffer, at: number): { tag: number; start: number; end: number } {
  const tag = b[at] as number;
  let l = b[at + 1] as number;
  let start = at + 2;
  if (l & 0x80) {
    const n = l & 0x7f;
    l = 0;
    for (let i = 0; i < n; i++) l = l * 256 + (b[start + i] as number);
    start += n;
  }
  return { tag, start, end: start + l };
}

function readInt(b: Buffer, at: number): bigint {
  const { start, end } = read(b, at);
  let v = 0n;
  for (let i = start; i < end; i++) v = (v << 8n) | BigInt(b[i] as number);
  return v;
}

function readOid(b: Buffer, start: number, end: number): string {
  const first = b[start] as number;
  const arcs = [Math.floor(first / 40), first % 40];
  let v = 0;
  for (let i = start + 1; i < end; i++) {
    const c = b[i] as number;
    v = v * 128 + (c & 0x7f);
    if (!(c & 0x80)) {
      arcs.push(v);
      v = 0;
    }
  }
  return arcs.join('.');
}

/** Read an SNMPv1/v2c request (as net-snmp sends it); undefined for anything else. */
export function parseRequest(b: Buffer): ParsedRequest | undefined {
  try {
    const msg = read(b, 0);
    const ver = read(b, msg.start);
    const community = read(b, ver.end);
    const pdu = read(b, community.end);
    const id = read(b, pdu.start);
    const e1 = read(b, id.end);
    const e2 = read(b, e1.end);
    const vbl = read(b, e2.end);
    const oids: string[] = [];
    for (let at = vbl.start; at < vbl.end; ) {
      const vb = read(b, at);
      const o = read(b, vb.start);
      oids.push(readOid(b, o.start, o.end));
      at = vb.end;
    }
    return { version: Number(readInt(b, msg.start)), community: b.subarray(community.start, community.end), pduType: pdu.tag, requestId: readInt(b, pdu.start), oids };
  } catch {
    return undefined;
  }
}

/** A GetResponse to `req` with `varbinds` (OID, encoded value) pairs. */
export function response(req: ParsedRequest, varbinds: [string, Buffer][], errorStatus = 0, errorIndex = 0): Buffer {
  const vbl = seq(...varbinds.map(([o, v]) => seq(oid(o), v)));
  const pdu = tlv(0xa2, Buffer.concat([int(req.requestId), int(errorStatus), int(errorIndex), vbl]));
  return seq(int(req.version), tlv(0x04, req.community), pdu);
}

/** A plausible answer: the requested OIDs (or successors) with random values, maybe extra varbinds. */
export function plausibleResponse(r: Rng, req: ParsedRequest): Buffer {
  const varbinds: [string, Buffer][] = [];
  const count = req.pduType === 0xa5 ? req.oids.length * (1 + r.int(4)) : req.oids.length;
  for (let i = 0; i < count + (r.int(5) === 0 ? r.int(5) : 0); i++) {
    const base = req.oids[i % Math.max(1, req.oids.length)] ?? '1.3.6.1.2.1.1.1';
    varbinds.push([r.int(4) === 0 ? `${base}.${r.int(3)}` : `${base}.${1 + r.int(10)}`, randomValue(r)]);
  }
  return response(req, varbinds, r.int(10) === 0 ? r.int(20) : 0, r.int(10) === 0 ? r.int(5) : 0);
}
