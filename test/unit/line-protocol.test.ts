// Line protocol encoding against the metric schema: types, escaping (Vietnamese included),
// omissions and the programming errors the encoder must refuse.
import t from 'tap';
import fc from 'fast-check';
import {
  encodeSample,
  encodeSamples,
  escapeKey,
  escapeMeasurement,
  quoteString,
  LineProtocolError,
  type MeasurementSchema,
} from '../../src/metrics/line-protocol.js';
import { PING, type MeasurementDef, type Sample } from '../../src/metrics/schema.js';

const T = 1_700_000_000_123;

/** A schema with one field of every type, to test what ping does not use. */
const ALL_TYPES: MeasurementDef = {
  name: 'test all',
  description: 'every field type',
  tags: { name: 'a name', 'odd,key': 'a key needing escapes' },
  unitLevels: false,
  retention: 'raw',
  fields: {
    f: { type: 'float', unit: '', description: '' },
    i: { type: 'integer', unit: '', description: '' },
    b: { type: 'boolean', unit: '', description: '' },
    s: { type: 'string', unit: '', description: '' },
    'field key=x': { type: 'float', unit: '', description: '' },
  },
};
const SCHEMA: MeasurementSchema = { all: ALL_TYPES, ping: PING };

const all = (fields: Sample['fields'], tags: Record<string, string> = {}, timeMs = T): Sample => ({
  measurement: 'all',
  tags,
  fields,
  timeMs,
});
const line = (s: Sample) => encodeSample(s, SCHEMA)?.line;

t.test('ping sample: Telegraf field names, sorted tags, integer suffix, ms timestamp', async (t) => {
  const s: Sample = {
    measurement: 'ping',
    tags: { url: '127.66.3.10', point_id: 'commune-24181', kind: 'commune', upstream: 'district-645', province: '66', district: '645', commune: '24181' },
    fields: {
      packets_transmitted: 3,
      packets_received: 2,
      percent_packet_loss: 33.333333333333336,
      minimum_response_ms: 0.041,
      average_response_ms: 0.05,
      maximum_response_ms: 0.059,
      result_code: 0,
    },
    timeMs: T,
  };
  const e = encodeSample(s);
  t.equal(
    e?.line,
    'ping,commune=24181,district=645,kind=commune,point_id=commune-24181,province=66,upstream=district-645,url=127.66.3.10 ' +
      'packets_transmitted=3i,packets_received=2i,percent_packet_loss=33.333333333333336,minimum_response_ms=0.041,' +
      'average_response_ms=0.05,maximum_response_ms=0.059,result_code=0i 1700000000123',
  );
  t.equal(e?.timeMs, T);
  t.equal(e?.bytes, Buffer.byteLength(e?.line ?? ''));
});

t.test('field types', async (t) => {
  t.equal(line(all({ f: 1.5 })), `test\\ all f=1.5 ${T}`, 'float; measurement space escaped');
  t.equal(line(all({ f: 3 })), `test\\ all f=3 ${T}`, 'a whole number in a float field stays a float (no i)');
  t.equal(line(all({ f: -0.000001 })), `test\\ all f=-0.000001 ${T}`);
  t.equal(line(all({ f: 1e21 })), `test\\ all f=1e+21 ${T}`, 'exponent form is valid line protocol');
  t.equal(line(all({ i: 0 })), `test\\ all i=0i ${T}`);
  t.equal(line(all({ i: -42 })), `test\\ all i=-42i ${T}`);
  t.equal(line(all({ i: Number.MAX_SAFE_INTEGER })), `test\\ all i=9007199254740991i ${T}`);
  t.equal(line(all({ i: 2n ** 63n - 1n })), `test\\ all i=9223372036854775807i ${T}`, 'bigint int64 max');
  t.equal(line(all({ i: -(2n ** 63n) })), `test\\ all i=-9223372036854775808i ${T}`, 'bigint int64 min');
  t.equal(line(all({ b: true, s: 'x' })), `test\\ all b=true,s="x" ${T}`);
  t.equal(line(all({ b: false })), `test\\ all b=false ${T}`);
  t.equal(line(all({ 'field key=x': 1 })), `test\\ all field\\ key\\=x=1 ${T}`, 'field key escaping');
});

t.test('string fields: quotes and backslashes escaped, line breaks as escapes, Vietnamese intact', async (t) => {
  t.equal(quoteString('a "b" \\c'), '"a \\"b\\" \\\\c"');
  t.equal(quoteString('dòng 1\ndòng 2\r'), '"dòng 1\\ndòng 2\\r"', 'one point per physical line');
  t.notOk(line(all({ s: 'a\nb' }))?.includes('\n'), 'no raw newline in an encoded line');
  t.equal(line(all({ s: 'Mất kết nối "UBND xã Ea Tiêu"' })), `test\\ all s="Mất kết nối \\"UBND xã Ea Tiêu\\"" ${T}`);
  t.equal(line(all({ s: '' })), `test\\ all s="" ${T}`, 'an empty string is a value');
});

t.test('tag escaping: comma, equals, space; Vietnamese names; control characters', async (t) => {
  t.equal(line(all({ f: 1 }, { name: 'UBND xã Hòa Thắng, TP Buôn Ma Thuột' })), `test\\ all,name=UBND\\ xã\\ Hòa\\ Thắng\\,\\ TP\\ Buôn\\ Ma\\ Thuột f=1 ${T}`);
  t.equal(line(all({ f: 1 }, { name: 'a=b' })), `test\\ all,name=a\\=b f=1 ${T}`);
  t.equal(line(all({ f: 1 }, { 'odd,key': 'v' })), `test\\ all,odd\\,key=v f=1 ${T}`);
  t.equal(line(all({ f: 1 }, { name: 'line1\nline2\ttab' })), `test\\ all,name=line1\\nline2\\ttab f=1 ${T}`, 'no raw newline in a line');
  t.equal(line(all({ f: 1 }, { name: 'Buôn Đôn' })), `test\\ all,name=Buôn\\ Đôn f=1 ${T}`);
});

t.test('backslashes: kept where harmless, doubled where they would escape a separator', async (t) => {
  t.equal(escapeKey('a\\b'), 'a\\b');
  t.equal(escapeKey('a\\'), 'a\\\\', 'trailing backslash');
  t.equal(escapeKey('a\\ b'), 'a\\\\\\ b', 'backslash before an escaped space');
  t.equal(escapeMeasurement('m,x y=z'), 'm\\,x\\ y=z', 'measurement: = is not special');
});

t.test('Vietnamese text is normalised to NFC: one series per name however it was typed', async (t) => {
  const composed = 'Đắk Lắk';
  const decomposed = composed.normalize('NFD');
  t.not(composed, decomposed, 'the inputs differ');
  t.equal(line(all({ s: decomposed }, { name: decomposed })), line(all({ s: composed }, { name: composed })));
  t.equal(line(all({ f: 1 }, { name: decomposed })), `test\\ all,name=Đắk\\ Lắk f=1 ${T}`, 'written composed');
  const e = encodeSample(all({ s: 'Ea Hleo' }, { name: 'Krông Búk' }), SCHEMA);
  t.equal(e?.bytes, Buffer.byteLength(e?.line ?? '', 'utf8'), 'bytes counts UTF-8, not UTF-16 units');
  t.ok((e?.bytes ?? 0) > (e?.line.length ?? 0), 'multi-byte characters make bytes > length');
});

t.test('left out: undefined fields, non-finite floats, empty tags; nothing left → undefined', async (t) => {
  t.equal(line(all({ f: undefined, i: 1 })), `test\\ all i=1i ${T}`);
  t.equal(line(all({ f: NaN, i: 1 })), `test\\ all i=1i ${T}`);
  t.equal(line(all({ f: Infinity, i: 1 })), `test\\ all i=1i ${T}`);
  t.equal(line(all({ f: -Infinity, i: 1 })), `test\\ all i=1i ${T}`);
  t.equal(line(all({ i: 1 }, { name: '' })), `test\\ all i=1i ${T}`, 'empty tag value left out');
  t.equal(encodeSample(all({ f: NaN }), SCHEMA), undefined);
  t.equal(encodeSample(all({}), SCHEMA), undefined);
  t.same(encodeSamples([all({}), all({ i: 2 })], SCHEMA).map((e) => e.line), [`test\\ all i=2i ${T}`]);
});

t.test('timestamps: integer ms, rounded', async (t) => {
  t.equal(line(all({ i: 1 }, {}, 1.4)), 'test\\ all i=1i 1');
  t.equal(line(all({ i: 1 }, {}, 0)), 'test\\ all i=1i 0');
  t.equal(line(all({ i: 1 }, {}, T + 0.6)), `test\\ all i=1i ${T + 1}`);
  t.throws(() => line(all({ i: 1 }, {}, NaN)), LineProtocolError);
});

t.test('programming errors are refused with a LineProtocolError (not retryable)', async (t) => {
  const bad: [string, Sample][] = [
    ['unknown measurement', { measurement: 'pong', tags: {}, fields: { x: 1 }, timeMs: T }],
    ['prototype key is not a measurement', { measurement: 'toString', tags: {}, fields: { x: 1 }, timeMs: T }],
    ['unknown field', all({ nope: 1 })],
    ['unknown tag without unit levels', all({ f: 1 }, { district: '645' })],
    ['float given string', all({ f: '1' })],
    ['integer given float', all({ i: 1.5 })],
    ['integer given unsafe number', all({ i: 2 ** 60 })],
    ['integer given NaN', all({ i: NaN })],
    ['bigint beyond int64', all({ i: 2n ** 63n })],
    ['bigint below int64', all({ i: -(2n ** 63n) - 1n })],
    ['boolean given number', all({ b: 1 })],
    ['string given number', all({ s: 1 })],
    ['float given bigint', all({ f: 1n })],
    ['ping: unknown field', { measurement: 'ping', tags: {}, fields: { rtt: 1 }, timeMs: T }],
    ['ping: tag key that is not a level name', { measurement: 'ping', tags: { 'Bad Key': 'x' }, fields: { packets_transmitted: 3 }, timeMs: T }],
  ];
  for (const [what, s] of bad) {
    t.throws(() => encodeSample(s, SCHEMA), LineProtocolError, what);
  }
  const err = (() => {
    try {
      encodeSample(all({ f: 'x' }), SCHEMA);
    } catch (e) {
      return e as LineProtocolError;
    }
    return undefined;
  })();
  t.equal(err?.retryable, false);
  t.match(err?.message, /test all\.f: float field given string/);
  t.throws(() => encodeSamples([all({ i: 1 }), all({ i: 'x' })], SCHEMA), LineProtocolError, 'one bad sample rejects the call');
});

t.test('ping accepts any hierarchy level as a tag (levels are data)', async (t) => {
  const e = encodeSample({ measurement: 'ping', tags: { point_id: 'p', region: 'r1', ward: 'w' }, fields: { packets_transmitted: 3 }, timeMs: T });
  t.equal(e?.line, `ping,point_id=p,region=r1,ward=w packets_transmitted=3i ${T}`);
});

// A reference parser for the escaping rules InfluxDB applies to tag values (see
// models/points.go: a backslash skips the next byte while scanning; \, \= and "\ " unescape).
function splitUnescaped(s: string, sep: string): string[] {
  const parts: string[] = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i] as string;
    if (ch === '\\' && i + 1 < s.length) {
      cur += ch + (s[i + 1] as string);
      i++;
    } else if (ch === sep) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  return parts;
}

t.test('property: any tag value survives InfluxDB\'s tag scanner as exactly one tag', async (t) => {
  fc.assert(
    fc.property(fc.string({ unit: 'grapheme', minLength: 1 }), (value) => {
      const l = line(all({ i: 1 }, { name: value }));
      if (l === undefined) return false;
      const [head, fields, time, ...rest] = splitUnescaped(l, ' ');
      if (rest.length !== 0 || fields !== 'i=1i' || time !== String(T) || head === undefined) return false;
      const tags = splitUnescaped(head, ',');
      if (tags.length !== 2) return false;
      const kv = splitUnescaped(tags[1] as string, '=');
      return kv.length === 2 && kv[0] === 'name' && !l.includes('\n');
    }),
    { numRuns: 2000 },
  );
  t.pass('2000 random values (Unicode graphemes) scanned back as one tag each');
});
