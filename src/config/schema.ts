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
// Alerts and notifications (issue: outage alerting). docs/alerts.md explains the model.
const DegradedOverride = Closed(
  {
    loss_pct: Type.Optional(Type.Number({ minimum: 0, maximum: 100, description: 'Enter DEGRADED at this loss, %.' })),
    loss_clear_pct: Type.Optional(Type.Number({ minimum: 0, maximum: 100, description: 'Leave DEGRADED below this loss, %.' })),
    rtt_ms: Type.Optional(Type.Number({ minimum: 0, description: 'Enter DEGRADED above this median RTT, ms.' })),
    rtt_clear_ms: Type.Optional(Type.Number({ minimum: 0, description: 'Leave DEGRADED at or below this median RTT, ms.' })),
  },
  'Thresholds for one point kind; unset keys fall back to alerts.degraded.',
);

const MaintenanceConfig = Closed(
  {
    id: Type.String({ pattern: NAME_PATTERN, description: 'Stable name of the window (shown as config:<id>).' }),
    points: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: 'Point ids covered.' })),
    units: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: 'Administrative unit codes covered (with every unit below them).' })),
    starts_at: Type.Optional(Type.String({ description: 'One-off window start (ISO 8601 with zone), or the first day a recurring window applies.' })),
    ends_at: Type.Optional(Type.String({ description: 'One-off window end (ISO 8601 with zone), or the last day a recurring window applies.' })),
    cron: Type.Optional(Type.String({ description: 'Recurring window: 5-field cron (minute hour day month weekday) in config.timezone marking each start.' })),
    duration_min: Type.Optional(Type.Integer({ minimum: 1, description: 'Recurring window: minutes each occurrence lasts.' })),
    comment: Type.Optional(Type.String({ description: 'Why (shown in the API).' })),
  },
  'A maintenance window: pages for the points it covers are held and their state shows MAINTENANCE.',
);

const AlertsSection = Section(
  {
    enabled: Type.Boolean({ default: true, description: 'Evaluate point states and raise alerts.' }),
    store_file: Type.String({ default: '', description: 'SQLite file of the alert store. Empty: <state_dir>/alerts.sqlite.' }),
    down_after_rounds: Int(3, 'Consecutive ICMP rounds without any reply before a point is DOWN (hard) and paged; fewer are soft DOWN, shown but never paged.', 1, 100),
    upstream_hold_s: Duration(0, "How long a failing point waits for its upstream's next check before it is judged on its own. 0: one ICMP interval of the upstream plus the echo timeout (the next round)."),
    recovery_recheck_s: Duration(15, "When a root point recovers, how long its resolved notice may wait for the points behind it to be re-checked."),
    degraded: Section(
      {
        window_rounds: Int(12, 'Rounds (with replies) DEGRADED is judged over.', 1, 1000),
        min_rounds: Int(3, 'Fewest rounds in the window before DEGRADED is judged.', 1, 1000),
        loss_pct: Type.Number({ default: 20, minimum: 0, maximum: 100, description: 'Enter DEGRADED at this loss over the window, %.' }),
        loss_clear_pct: Type.Number({ default: 10, minimum: 0, maximum: 100, description: 'Leave DEGRADED below this loss, %.' }),
        rtt_ms: Type.Number({ default: 150, minimum: 0, description: 'Enter DEGRADED above this median RTT, ms.' }),
        rtt_clear_ms: Type.Number({ default: 120, minimum: 0, description: 'Leave DEGRADED at or below this median RTT, ms.' }),
        by_kind: Type.Record(Type.String(), DegradedOverride, {
          default: { agency: { rtt_ms: 50, rtt_clear_ms: 40 }, district: { rtt_ms: 100, rtt_clear_ms: 80 }, commune: { rtt_ms: 150, rtt_clear_ms: 120 } },
          propertyNames: { pattern: NAME_PATTERN },
          description: 'Per point kind overrides (agency, district, commune …).',
        }),
      },
      'DEGRADED: loss or median RTT over the last rounds.',
    ),
    flapping: Section(
      {
        high_pct: Type.Number({ default: 30, minimum: 0, maximum: 100, description: 'Start FLAPPING at this weighted state-change % over the last 21 results (Nagios).' }),
        low_pct: Type.Number({ default: 15, minimum: 0, maximum: 100, description: 'Stop FLAPPING below this %.' }),
      },
      'Flap detection (points and uplinks).',
    ),
    interfaces: Section(
      {
        uplink_pattern: Type.String({ default: 'uplink|wan', description: 'Regular expression (case-insensitive) on ifName or ifAlias naming uplinks; only uplinks raise link-down and link-flapping alerts. Empty: none.' }),
        oper_down_for_s: Duration(30, 'An uplink oper-down while admin-up alerts after this long.'),
        error_rate_per_s: Type.Number({ default: 1, minimum: 0, description: 'Interface errors (in + out) per second above which an interface is erroring.' }),
        errors_for_s: Duration(120, 'Errors above the rate this long raise an alert.'),
        utilization_pct: Type.Number({ default: 90, minimum: 0, maximum: 100, description: 'Utilisation (max of in, out) above which an interface is saturated.' }),
        utilization_for_s: Duration(300, 'Saturation this long raises an alert.'),
      },
      'Interface conditions from SNMP polls and link traps.',
    ),
    maintenance: Type.Array(MaintenanceConfig, { default: [], description: 'Maintenance windows from the configuration (read-only; more through the API).' }),
    history_days: Int(90, 'Resolved alerts, their deliveries and expired silences are kept this many days.', 1),
    tick_ms: Int(1000, 'How often repeats, escalations, mutes and deliveries are checked.', 100),
  },
  'Point states and alert lifecycle.',
);

const HttpTimeout = Type.Optional(Type.Integer({ minimum: 100, description: 'Request timeout, ms (default notify.timeout_ms).' }));

const NotifyReceiver = Closed(
  {
    webhook_configs: Type.Optional(
      Type.Array(
        Closed(
          {
            url: Type.String({ pattern: '^https?://', description: 'Where the JSON is POSTed.' }),
            ...secretProps('secret', 'HMAC-SHA256 key; the body signature goes in X-Netcov-Signature: sha256=<hex>'),
            timeout_ms: HttpTimeout,
          },
          'A webhook: JSON body, HMAC-signed.',
        ),
      ),
    ),
    alertmanager_configs: Type.Optional(
      Type.Array(
        Closed({ url: Type.String({ pattern: '^https?://', description: 'Alertmanager base URL; alerts go to <url>/api/v2/alerts.' }), timeout_ms: HttpTimeout }, 'A Prometheus Alertmanager (API v2).'),
      ),
    ),
    email_configs: Type.Optional(
      Type.Array(Closed({ to: Type.Array(Type.String({ minLength: 3 }), { minItems: 1, description: 'Recipients.' }) }, 'Email through notify.smtp.')),
    ),
    telegram_configs: Type.Optional(
      Type.Array(Closed({ chat_id: Type.String({ minLength: 1, description: 'Chat, group or channel id (e.g. -1001234567890 or @channel).' }) }, 'Telegram through notify.telegram.')),
    ),
    send_resolved: Type.Optional(Type.Boolean({ description: 'Send resolved notices (default true).' })),
    language: Type.Optional(Type.Union([Type.Literal('vi'), Type.Literal('en')], { description: 'Language of this receiver (default: config.language).' })),
  },
  'A receiver: one or more channels that get the same notifications.',
);

const NotifyRoute = Closed(
  {
    receivers: Type.Array(Type.String({ pattern: NAME_PATTERN }), { minItems: 1, description: 'Receivers of matching alerts.' }),
    severities: Type.Optional(Type.Array(Type.Union([Type.Literal('critical'), Type.Literal('warning'), Type.Literal('info')]), { description: 'Match these severities (absent: any).' })),
    kinds: Type.Optional(Type.Array(Type.String(), { description: 'Match points of these kinds (absent: any).' })),
    units: Type.Optional(Type.Array(Type.String(), { description: 'Match points serving these administrative units or units below them (absent: any).' })),
    conditions: Type.Optional(Type.Array(Type.String(), { description: 'Match these conditions: down, degraded, flapping, if_down, if_errors, if_utilization, if_flapping, dead_zone (absent: any).' })),
    continue: Type.Optional(Type.Boolean({ description: 'Keep evaluating later routes after a match (default false).' })),
    escalate_after_min: Type.Optional(Type.Number({ minimum: 1, description: 'Unacknowledged this many minutes after the first page: notify escalate_to.' })),
    escalate_to: Type.Optional(Type.Array(Type.String({ pattern: NAME_PATTERN }), { description: 'Receivers of the escalation.' })),
  },
  'A route: which alerts go to which receivers (first match wins unless continue).',
);

const NotifySection = Section(
  {
    receivers: Type.Record(Type.String(), NotifyReceiver, { default: {}, propertyNames: { pattern: NAME_PATTERN }, description: 'Named receivers.' }),
    routes: Type.Array(NotifyRoute, { default: [], description: 'Routes, in order.' }),
    default_receivers: Type.Array(Type.String({ pattern: NAME_PATTERN }), { default: [], description: 'Receivers of alerts no route matched.' }),
    repeat_interval_min: Duration(240, 'Repeat the page of an unacknowledged alert this often (0: never).'),
    max_listed: Int(25, 'Most affected points or communes named in a message (the rest are counted; the API lists all).', 1, 500),
    timeout_ms: Int(10_000, 'Default timeout of one delivery.', 100),
    alertmanager_resend_s: Int(60, 'Re-post firing alerts to Alertmanager this often (it expires alerts not re-sent).', 5),
    retry: Section(
      {
        max_attempts: Int(8, 'Attempts of one delivery before it is recorded as failed.', 1, 100),
        initial_ms: Int(1000, 'First retry delay (jittered, doubling).', 1),
        max_ms: Int(300_000, 'Largest retry delay.', 1),
      },
      'Retries of a failed delivery that may succeed later (network errors, 5xx, 429).',
    ),
    smtp: Section(
      {
        host: Type.String({ default: '127.0.0.1', description: 'SMTP server.' }),
        port: Int(25, 'SMTP port (465 implicit TLS, 587 submission).', 1, 65535),
        secure: Type.Boolean({ default: false, description: 'Implicit TLS (port 465).' }),
        require_tls: Type.Boolean({ default: false, description: 'Refuse to send without STARTTLS.' }),
        username: Type.String({ default: '', description: 'SMTP user (empty: no authentication).' }),
        ...secretProps('password', 'SMTP password'),
        from: Type.String({ default: 'netcov <netcov@localhost>', description: 'From address.' }),
      },
      'SMTP server of the email receivers.',
    ),
    telegram: Section(
      {
        api_url: Type.String({ default: 'https://api.telegram.org', pattern: '^https?://', description: 'Telegram Bot API base URL (a local Bot API server works too).' }),
        ...secretProps('token', 'Bot token from @BotFather'),
      },
      'Telegram bot of the telegram receivers.',
    ),
  },
  'Notification receivers and routing.',
);

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
export type NotifyReceiverConfig = Static<typeof NotifyReceiver>;
export type NotifyRouteConfig = Static<typeof NotifyRoute>;
export type MaintenanceConfigEntry = Static<typeof MaintenanceConfig>;

/** Re-exported for modules that extend or walk the schema (docs test, secret resolution). */
export type { TSchema };
