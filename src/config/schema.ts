// The one configuration schema of netcov (typebox → JSON Schema). Every key, its type, its default
// and its documentation live here; docs/configuration.md is checked against this file by a test.
// Keys are snake_case with units in their names (interval_s, timeout_ms), as in Telegraf configs.
// Unknown keys are errors: every object is closed with additionalProperties: false.
import Type, { type Static, type TSchema, type TProperties } from 'typebox';
import type { SecretValue } from './secret.js';

/** Names of every secret key declared in the schema (without the _env/_file suffix). */
export const SECRET_KEYS = new Set<string>();

/**
 * A secret given inline (`name`), by environment variable (`name_env`) or by file (`name_file`,
 * e.g. a systemd credential under $CREDENTIALS_DIRECTORY). At most one of the three may be set.
 */
export function secretProps<N extends string>(name: N, description: string) {
  SECRET_KEYS.add(name);
  return {
    [name]: Type.Optional(Type.Unsafe<SecretValue>(Type.String({ description: `${description} (inline; prefer ${name}_env or ${name}_file)` }))),
    [`${name}_env`]: Type.Optional(Type.String({ minLength: 1, description: `Environment variable holding ${name}` })),
    [`${name}_file`]: Type.Optional(Type.String({ minLength: 1, description: `File holding ${name} (trailing newline trimmed)` })),
  } as { [K in N]: ReturnType<typeof Type.Optional<ReturnType<typeof Type.Unsafe<SecretValue>>>> } & {
    [K in `${N}_env` | `${N}_file`]: ReturnType<typeof Type.Optional<ReturnType<typeof Type.String>>>;
  };
}

/** A closed object whose properties all have defaults, so the whole section may be omitted. */
function Section<P extends TProperties>(properties: P, description: string) {
  return Type.Object(properties, { additionalProperties: false, default: {}, description });
}

function Closed<P extends TProperties>(properties: P, description?: string) {
  return Type.Object(properties, { additionalProperties: false, ...(description ? { description } : {}) });
}

/** Names of credentials, profiles, receivers and fields: safe in logs, metrics and file names. */
const NAME_PATTERN = '^[A-Za-z0-9_.-]+$';

const Duration = (def: number, description: string, min = 0) => Type.Number({ default: def, minimum: min, description });
const Int = (def: number, description: string, min = 0, max?: number) =>
  Type.Integer({ default: def, minimum: min, ...(max !== undefined ? { maximum: max } : {}), description });

// ---------------------------------------------------------------------------------------------
// General
const LogSection = Section(
  {
    level: Type.Union([Type.Literal('fatal'), Type.Literal('error'), Type.Literal('warn'), Type.Literal('info'), Type.Literal('debug'), Type.Literal('trace')], {
      default: 'info',
      description: 'Minimum level of log events written to stdout (JSON, one event per line).',
    }),
  },
  'Logging.',
);

const InventorySection = Section(
  {
    dir: Type.String({
      default: '',
      description: 'Directory holding units.yaml, points.yaml and villages*.csv. Empty: the inventory shipped with netcov (loopback addresses).',
    }),
    site_file: Type.String({
      default: '',
      description: 'Optional site file overriding per-point fields (address, snmp_profile, snmp_credential, tags) for a real deployment.',
    }),
  },
  'Where the administrative units, villages and network points come from.',
);

// ---------------------------------------------------------------------------------------------
// ICMP (issue: ICMP reachability)
const IcmpSection = Section(
  {
    enabled: Type.Boolean({ default: true, description: 'Ping every point each round.' }),
    backend: Type.Union([Type.Literal('auto'), Type.Literal('fping'), Type.Literal('ping')], {
      default: 'auto',
      description: 'auto: fping when found on PATH (or at fping_path), else the ping package.',
    }),
    fping_path: Type.String({ default: 'fping', description: 'fping executable (name on PATH or absolute path).' }),
    interval_s: Duration(5, 'Seconds between rounds.', 0.1),
    count: Int(3, 'Echo requests per target per round.', 1, 100),
    period_ms: Int(200, 'Milliseconds between echoes to one target.', 10),
    timeout_ms: Int(1000, 'Milliseconds to wait for each echo reply.', 10),
    send_interval_ms: Int(1, 'Milliseconds between any two echo requests of a round, across targets (fping -i; 1 is the least fping allows a non-root user). A round of K targets sends each sweep in K × this.', 1, 1000),
    ping_concurrency: Int(32, 'Fallback backend only: ping processes at once.', 1, 1024),
  },
  'ICMP reachability probe (loss, latency, jitter).',
);

// ---------------------------------------------------------------------------------------------
// SNMP (issue: SNMP polling and traps)
const AuthProtocol = Type.Union([Type.Literal('md5'), Type.Literal('sha'), Type.Literal('sha224'), Type.Literal('sha256'), Type.Literal('sha384'), Type.Literal('sha512')]);
const PrivProtocol = Type.Union([Type.Literal('des'), Type.Literal('aes'), Type.Literal('aes256b'), Type.Literal('aes256r')]);

const SnmpCredential = Closed(
  {
    version: Type.Union([Type.Literal('1'), Type.Literal('2c'), Type.Literal('3')], { default: '2c', description: 'SNMP version.' }),
    ...secretProps('community', 'v1/v2c community'),
    user: Type.Optional(Type.String({ minLength: 1, description: 'v3 USM user name.' })),
    level: Type.Optional(
      Type.Union([Type.Literal('noAuthNoPriv'), Type.Literal('authNoPriv'), Type.Literal('authPriv')], { description: 'v3 security level.' }),
    ),
    auth_protocol: Type.Optional(AuthProtocol),
    ...secretProps('auth_key', 'v3 authentication pass phrase'),
    priv_protocol: Type.Optional(PrivProtocol),
    ...secretProps('priv_key', 'v3 privacy pass phrase'),
  },
  'One set of SNMP credentials, referred to by name from points and profiles.',
);

const SnmpProfile = Closed(
  {
    scalars: Type.Record(Type.String(), Type.String({ pattern: '^\\d+(\\.\\d+)+$' }), {
      default: {},
      propertyNames: { pattern: NAME_PATTERN },
      description: 'Extra scalar OIDs to GET, by field name (numeric OIDs, e.g. a vendor CPU load).',
    }),
    interfaces: Type.Boolean({ default: true, description: 'Walk IF-MIB ifTable + ifXTable.' }),
    interface_include: Type.String({ default: '', description: 'Regular expression on ifName or ifAlias; only matching interfaces are kept (empty: all).' }),
    interface_exclude: Type.String({ default: '', description: 'Regular expression on ifName or ifAlias; matching interfaces are dropped.' }),
  },
  'An SNMP profile: which OIDs to read from a device.',
);

const SnmpSection = Section(
  {
    enabled: Type.Boolean({ default: true, description: 'Poll points over SNMP.' }),
    port: Int(161, 'Default agent UDP port (the simulator uses 1161).', 1, 65535),
    interval_s: Duration(60, 'Seconds between polls of one point.', 1),
    timeout_ms: Int(2000, 'Per-request timeout.', 10),
    retries: Int(2, 'Retries after a timeout.', 0, 10),
    max_repetitions: Int(25, 'GETBULK max-repetitions.', 1, 200),
    concurrency: Int(64, 'Agents polled at once.', 1, 10000),
    default_credential: Type.String({ default: 'default', description: 'Credential used by points that name none.' }),
    credentials: Type.Record(Type.String(), SnmpCredential, {
      default: { default: { version: '2c', community: 'public' } },
      propertyNames: { pattern: NAME_PATTERN },
      description: 'Named credentials.',
    }),
    profiles: Type.Record(Type.String(), SnmpProfile, {
      default: { default: { scalars: {}, interfaces: true, interface_include: '', interface_exclude: '' } },
      propertyNames: { pattern: NAME_PATTERN },
      description: 'Named OID profiles; points refer to them by snmp_profile.',
    }),
    traps: Section(
      {
        enabled: Type.Boolean({ default: true, description: 'Listen for SNMP traps.' }),
        address: Type.String({ default: '127.0.0.1', description: 'Listen address. Port 162 needs CAP_NET_BIND_SERVICE.' }),
        port: Int(1162, 'Listen UDP port.', 1, 65535),
        credentials: Type.Array(Type.String(), {
          default: ['default'],
          description: 'Names of credentials accepted for traps (communities for v2c, users for v3).',
        }),
        unknown_source_log_interval_s: Duration(300, 'Log a trap from an unknown source at most once per source in this many seconds.', 1),
      },
      'SNMP trap receiver.',
    ),
  },
  'SNMP polling of the points.',
);

// ---------------------------------------------------------------------------------------------
// Sink (InfluxDB) and spool (docs/operations.md, docs/metrics.md)
/** An InfluxQL duration literal: it is written into CREATE RETENTION POLICY, so nothing else gets through. */
const INFLUX_DURATION = '^(INF|inf|([0-9]+(ns|u|µ|ms|s|m|h|d|w))+)$';
const SinkSection = Section(
  {
    kind: Type.Union([Type.Literal('influx_v1'), Type.Literal('influx_v2'), Type.Literal('none')], {
      default: 'influx_v1',
      description: 'influx_v1: the 1.x /write and /query API (1.x, 2.x compat, 3.x); influx_v2: org/bucket/token API; none: spool only.',
    }),
    url: Type.String({ default: 'http://127.0.0.1:8086', description: 'InfluxDB base URL.' }),
    database: Type.String({ default: 'netcov', description: 'v1: database name.' }),
    username: Type.String({ default: '', description: 'v1: user name (empty: no authentication).' }),
    ...secretProps('password', 'v1 password'),
    org: Type.String({ default: '', description: 'v2: organisation.' }),
    bucket: Type.String({ default: 'netcov', description: 'v2: bucket.' }),
    ...secretProps('token', 'v2 API token'),
    raw_retention: Type.String({ default: '30d', pattern: INFLUX_DURATION, description: 'v1: duration of the raw retention policy "raw" (InfluxQL duration such as 30d, 12w; INF keeps forever). It becomes the database\'s default policy.' }),
    rollup_retention: Type.String({ default: '400d', pattern: INFLUX_DURATION, description: 'v1: duration of the retention policy "rollup" holding the 5-minute rollups (ping_5m).' }),
    setup: Type.Boolean({ default: true, description: 'v1: create database, retention policies and continuous queries on start.' }),
    batch_max_points: Int(5000, 'Flush a batch at this many points.', 1),
    batch_max_bytes: Int(1_000_000, 'Flush a batch at this many bytes of line protocol.', 1024),
    flush_interval_ms: Int(1000, 'Flush at least this often.', 10),
    request_timeout_ms: Int(10_000, 'HTTP timeout of one write.', 100),
    retry_initial_ms: Int(1000, 'First retry delay (jittered, exponential).', 1),
    retry_max_ms: Int(60_000, 'Largest retry delay.', 1),
    spool: Section(
      {
        dir: Type.String({ default: '', description: 'Spool directory. Empty: <state_dir>/spool.' }),
        max_bytes: Int(1024 ** 3, 'Cap on the spool size; when full the oldest segment is dropped and its points counted.', 1024),
        segment_bytes: Int(16 * 1024 ** 2, 'Roll to a new segment file at this size.', 1024),
        fsync: Type.Union([Type.Literal('always'), Type.Literal('interval'), Type.Literal('never')], {
          default: 'always',
          description: 'always: fsync each batch before it counts as accepted; interval: every fsync_interval_ms; never: leave it to the OS.',
        }),
        fsync_interval_ms: Int(1000, 'With fsync: interval.', 10),
      },
      'Durable on-disk spool between the probes and InfluxDB.',
    ),
  },
  'Where metrics go.',
);

// ---------------------------------------------------------------------------------------------
// Alerts and notifications (issue: outage alerting). Extended by that issue.
const AlertsSection = Section({}, 'Point states and alert lifecycle.');
const NotifySection = Section({}, 'Notification receivers and routing.');

// ---------------------------------------------------------------------------------------------
// Coverage (issue: carrier coverage feeds and dead zones). The model is described in docs/coverage.md.
const CoverageLevel = (def: string, description: string) =>
  Type.Union([Type.Literal('none'), Type.Literal('poor'), Type.Literal('fair'), Type.Literal('good')], { default: def, description });

const CoverageFeed = Closed(
  {
    name: Type.String({ pattern: NAME_PATTERN, description: 'Unique feed name (logs, metrics, ingestion reports).' }),
    kind: Type.Union([Type.Literal('cells'), Type.Literal('status'), Type.Literal('measurements'), Type.Literal('reports')], {
      description: 'cells: OpenCelliD/MLS cell sites; status: cell up/down per carrier; measurements: drive tests, crowdsourced; reports: carrier village reports.',
    }),
    url: Type.String({ default: '', pattern: '^(https?://.+)?$', description: 'HTTP(S) URL to fetch (give url or path, not both).' }),
    path: Type.String({ default: '', description: 'Local file to read (give url or path, not both).' }),
    format: Type.Union([Type.Literal('auto'), Type.Literal('csv'), Type.Literal('jsonl'), Type.Literal('json')], {
      default: 'auto',
      description: 'auto: by extension (.jsonl/.ndjson, .json, else CSV). json is a whole array document (status, small files).',
    }),
    compression: Type.Union([Type.Literal('auto'), Type.Literal('gzip'), Type.Literal('none')], { default: 'auto', description: 'auto: gzip when the name ends in .gz.' }),
    schedule: Type.String({ default: '', description: 'node-cron expression (6 fields with seconds) in `timezone`; empty: read once at start only.' }),
    timeout_ms: Int(300_000, 'Whole download and parse must finish within this time.', 100),
    max_bytes: Int(2 * 1024 ** 3, 'Refuse a download larger than this.', 1024),
    ...secretProps('token', 'Bearer token sent as the Authorization header to a URL feed'),
  },
  'One coverage feed: where it comes from and when it is read. Each read replaces that feed\'s previous data, atomically.',
);

const CoverageSection = Section(
  {
    enabled: Type.Boolean({ default: true, description: 'Run the coverage model (idle until a cells feed has loaded).' }),
    mcc: Type.String({ default: '452', pattern: '^\\d{3}$', description: 'Mobile country code of the feeds (452: Viet Nam); other rows are rejected.' }),
    carriers: Type.Record(Type.String(), Type.String({ minLength: 1 }), {
      default: { '01': 'MobiFone', '02': 'VinaPhone', '04': 'Viettel', '05': 'Vietnamobile' },
      propertyNames: { pattern: '^\\d{2,3}$' },
      description: 'Carriers by MNC (two digits). Rows of other MNCs are rejected. Metric tags use the lower-case name without spaces.',
    }),
    feeds: Type.Array(CoverageFeed, { default: [], description: 'Coverage feeds. None by default: see docs/coverage.md for the sample feeds.' }),
    thresholds: Section(
      {
        good_dbm: Type.Number({ default: -100, description: 'Median RSRP at or above this is good.' }),
        fair_dbm: Type.Number({ default: -110, description: 'Median RSRP at or above this is fair.' }),
        poor_dbm: Type.Number({ default: -120, description: 'Median RSRP at or above this is poor; below it, none.' }),
      },
      'Measured level from the median RSRP of fresh measurements near a village, dBm.',
    ),
    dead_zone: Section(
      {
        radios: Type.Array(Type.Union([Type.Literal('GSM'), Type.Literal('UMTS'), Type.Literal('LTE'), Type.Literal('NR')]), {
          default: ['LTE'],
          minItems: 1,
          uniqueItems: true,
          description: 'Radios that count (LTE: 4G; add NR to count 5G).',
        }),
        min_level: CoverageLevel('poor', 'Least level a carrier must give on one of the radios for the village not to be a dead zone.'),
      },
      'A village is a dead zone when no carrier gives it at least min_level on one of radios.',
    ),
    stale_after_days: Duration(180, 'Measurements and carrier reports older than this are stale: shown, but not counted as coverage.', 0.001),
    measurement_radius_m: Int(1500, 'Measurements within this distance of a village point count for the village.', 1),
    min_measurements: Int(3, 'Fewer fresh measurements than this (per carrier and radio) are not evidence.', 1),
    reported_covered_level: CoverageLevel('fair', 'Level of a village a carrier reports as covered (reports say yes or no, not how well).'),
    prediction: Section(
      {
        good_range_fraction: Type.Number({ default: 0.5, minimum: 0, maximum: 1, description: 'Predicted good within this fraction of an up cell\'s range.' }),
        fair_range_fraction: Type.Number({ default: 0.8, minimum: 0, maximum: 1, description: 'Predicted fair within this fraction; poor up to the full range.' }),
        default_range_m: Int(2000, 'Range of a cell whose feed row gives none (0 or empty).', 1),
        max_range_m: Int(35_000, 'Larger ranges are capped to this (GSM timing-advance limit).', 1),
      },
      'Predicted coverage from the cell sites: haversine distance to up cells of each carrier and radio.',
    ),
    bounds_margin_km: Duration(10, 'Rows farther than this outside the inventory bounds are rejected as outside the province (cells across the border still cover it).'),
    max_rejected_pct: Type.Number({ default: 50, minimum: 0, maximum: 100, description: 'A file with more rejected rows than this percentage is refused whole.' }),
    max_listed_rejections: Int(100_000, 'Ingestion reports list at most this many rejected rows (all are counted).', 0),
    push_max_measurements: Int(2_000_000, 'Measurements pushed through the API are kept up to this many (the oldest dropped first).', 1),
    push_retention_days: Duration(365, 'Pushed measurements older than this are dropped.', 1),
    recompute_interval_s: Duration(900, 'Recompute (and write coverage metrics) at least this often, so staleness advances.', 10),
    recompute_delay_ms: Int(2000, 'After an ingestion, wait this long for others before recomputing (bursts are coalesced).', 0),
    village_metrics: Type.Boolean({ default: true, description: 'Write coverage_village (one point per village and carrier per recompute).' }),
  },
  'Carrier coverage feeds and the dead-zone model.',
);

// ---------------------------------------------------------------------------------------------
// HTTP API (issue: HTTP API)
export const API_ROLES = ['read', 'operator', 'ingest', 'admin'] as const;

const ApiToken = Closed(
  {
    name: Type.String({ pattern: NAME_PATTERN, description: 'Who holds the token (a person, a team or a system): shown in logs and used as the default author of an acknowledgement.' }),
    role: Type.Union([Type.Literal(API_ROLES[0]), Type.Literal(API_ROLES[1]), Type.Literal(API_ROLES[2]), Type.Literal(API_ROLES[3])], {
      description: 'read: GET routes and /metrics; operator: read + acks, silences, maintenance; ingest: coverage feed pushes only; admin: everything.',
    }),
    ...secretProps('token', 'Bearer token, at least 24 characters (e.g. `openssl rand -hex 32`)'),
  },
  'One bearer token of the API and its role.',
);

const ApiSection = Section(
  {
    enabled: Type.Boolean({ default: true, description: 'Serve the HTTP API.' }),
    host: Type.String({ default: '127.0.0.1', description: 'Listen address. Put a TLS reverse proxy in front before listening beyond loopback.' }),
    port: Int(8080, 'Listen TCP port (0: any free port).', 0, 65535),
    base_url: Type.String({ default: '', description: 'Public base URL of the API (e.g. https://netcov.example.gov.vn), used for links in notifications. Empty: http://<host>:<port>.' }),
    tokens: Type.Array(ApiToken, { default: [], description: 'Bearer tokens. Without any, every route but the public ones answers 401.' }),
    public_read: Type.Boolean({ default: false, description: 'Serve read routes (GET /api/v1/*, /metrics) without a token. Writes always need one.' }),
    cors_origins: Type.Array(Type.String({ minLength: 1 }), { default: [], description: 'Origins allowed by CORS (e.g. the IOC portal\'s https://ioc.example.gov.vn). Empty: CORS off.' }),
    trust_proxy: Type.Boolean({ default: false, description: 'Take the client address from X-Forwarded-For (behind a reverse proxy), for rate limits and logs.' }),
    body_limit_bytes: Int(1024 ** 2, 'Largest request body of a JSON write route.', 1024),
    ingest_body_limit_bytes: Int(64 * 1024 ** 2, 'Largest request body of a coverage feed push (CSV or JSON).', 1024),
    rate_limit: Section(
      {
        max: Int(60, 'Write requests allowed per client per window (429 beyond).', 1),
        window_s: Int(60, 'Rate-limit window, seconds.', 1),
      },
      'Rate limit of the write routes (acks, silences, maintenance, feed pushes), per client address.',
    ),
    docs: Type.Boolean({ default: true, description: 'Serve the OpenAPI document (/openapi.json) and its docs page (/docs).' }),
  },
  'HTTP API for operators, planners and other systems.',
);

// ---------------------------------------------------------------------------------------------
export const ConfigSchema = Type.Object(
  {
    timezone: Type.String({ default: 'Asia/Ho_Chi_Minh', description: 'IANA zone for times shown to people and for cron schedules. Storage is always UTC.' }),
    language: Type.Union([Type.Literal('vi'), Type.Literal('en')], { default: 'vi', description: 'Language of text for people (messages, CSV headers).' }),
    state_dir: Type.String({ default: '/var/lib/netcov', description: 'Directory for the spool and the alert store (systemd StateDirectory).' }),
    log: LogSection,
    inventory: InventorySection,
    icmp: IcmpSection,
    snmp: SnmpSection,
    sink: SinkSection,
    alerts: AlertsSection,
    notify: NotifySection,
    coverage: CoverageSection,
    api: ApiSection,
  },
  { additionalProperties: false },
);

export type Config = Static<typeof ConfigSchema>;
export type SnmpCredentialConfig = Static<typeof SnmpCredential>;
export type SnmpProfileConfig = Static<typeof SnmpProfile>;

/** Re-exported for modules that extend or walk the schema (docs test, secret resolution). */
export type { TSchema };
