// One palette for every dashboard: a point state, a coverage level or a carrier has the same colour
// and the same words wherever it appears (map, stat, table, legend).
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';

/** Point states as the alerting core names them (src/alerts/types.ts PointStatus). */
export type PointState = 'UP' | 'DEGRADED' | 'DOWN' | 'UNREACHABLE' | 'FLAPPING' | 'MAINTENANCE' | 'UNKNOWN';

interface Swatch {
  color: string;
  /** Vietnamese first, the English term Grafana users search for in brackets. */
  label: string;
}

export const STATE_COLORS: Record<PointState, Swatch> = {
  UP: { color: 'green', label: 'Hoạt động (UP)' },
  DEGRADED: { color: 'yellow', label: 'Suy giảm (DEGRADED)' },
  FLAPPING: { color: 'orange', label: 'Chập chờn (FLAPPING)' },
  DOWN: { color: 'red', label: 'Mất kết nối (DOWN)' },
  UNREACHABLE: { color: 'purple', label: 'Không tới được (UNREACHABLE)' },
  MAINTENANCE: { color: 'blue', label: 'Bảo trì (MAINTENANCE)' },
  UNKNOWN: { color: '#8e8e8e', label: 'Chưa rõ (UNKNOWN)' },
};

/**
 * How the dashboards read a state from the last ICMP round when no alert state is at hand:
 * all echoes lost → DOWN; loss at or above the alerting default for DEGRADED → DEGRADED; else UP.
 */
export const PING_STATE_THRESHOLDS = { degradedLossPct: 20, downLossPct: 100 } as const;

/** Loss % coloured as the state it implies (for maps, stats and table cells showing loss). */
export function lossThresholds(): dashboard.Threshold[] {
  return [
    { value: null, color: STATE_COLORS.UP.color },
    { value: PING_STATE_THRESHOLDS.degradedLossPct, color: STATE_COLORS.DEGRADED.color },
    { value: PING_STATE_THRESHOLDS.downLossPct, color: STATE_COLORS.DOWN.color },
  ];
}

/** Latency thresholds for RTT cells (ms): a provincial network link is normally well under 50 ms. */
export function rttThresholds(): dashboard.Threshold[] {
  return [
    { value: null, color: 'green' },
    { value: 50, color: 'yellow' },
    { value: 150, color: 'orange' },
    { value: 300, color: 'red' },
  ];
}

/** Uptime / coverage % (higher is better): red below 95, yellow below 99, green from 99. */
export function percentGoodThresholds(good = 99, fair = 95): dashboard.Threshold[] {
  return [
    { value: null, color: 'red' },
    { value: fair, color: 'yellow' },
    { value: good, color: 'green' },
  ];
}

/** Value mappings from state names to their colour and label (for state text columns). */
export function stateMappings(): dashboard.ValueMapping[] {
  const options: Record<string, dashboard.ValueMappingResult> = {};
  (Object.keys(STATE_COLORS) as PointState[]).forEach((state, index) => {
    options[state] = { text: STATE_COLORS[state].label, color: STATE_COLORS[state].color, index };
  });
  return [{ type: dashboard.MappingType.ValueToText, options }];
}

/** Coverage levels of the coverage model (good / fair / poor / none): none is a dead zone (lõm sóng). */
export type CoverageLevel = 'good' | 'fair' | 'poor' | 'none';

export const COVERAGE_COLORS: Record<CoverageLevel, Swatch> = {
  good: { color: 'dark-green', label: 'Tốt (good)' },
  fair: { color: 'green', label: 'Khá (fair)' },
  poor: { color: 'orange', label: 'Yếu (poor)' },
  none: { color: 'red', label: 'Lõm sóng (none)' },
};

export function coverageMappings(): dashboard.ValueMapping[] {
  const options: Record<string, dashboard.ValueMappingResult> = {};
  (Object.keys(COVERAGE_COLORS) as CoverageLevel[]).forEach((level, index) => {
    options[level] = { text: COVERAGE_COLORS[level].label, color: COVERAGE_COLORS[level].color, index };
  });
  return [{ type: dashboard.MappingType.ValueToText, options }];
}

/** The coverage model's level_code (0 none, 1 poor, 2 fair, 3 good) in the same words and colours. */
export const COVERAGE_LEVEL_CODES: Record<number, CoverageLevel> = { 0: 'none', 1: 'poor', 2: 'fair', 3: 'good' };

export function coverageCodeMappings(): dashboard.ValueMapping[] {
  const options: Record<string, dashboard.ValueMappingResult> = {};
  for (const [code, level] of Object.entries(COVERAGE_LEVEL_CODES)) options[code] = { text: COVERAGE_COLORS[level].label, color: COVERAGE_COLORS[level].color, index: Number(code) };
  return [{ type: dashboard.MappingType.ValueToText, options }];
}

/** Carriers by their brand colours, so a carrier looks the same in every comparison. */
export const CARRIER_COLORS: Record<string, string> = {
  Viettel: '#e4002b',
  VinaPhone: '#0072bc',
  MobiFone: '#2a3f8f',
  Vietnamobile: '#f7941d',
};

/** Field overrides giving each carrier series its colour (series named by carrier). */
export function carrierOverrides(): { matcher: dashboard.MatcherConfig; properties: dashboard.DynamicConfigValue[] }[] {
  return Object.entries(CARRIER_COLORS).map(([carrier, color]) => ({
    // Series are named by the carrier tag (lower-case id, e.g. "viettel"): match either spelling.
    matcher: { id: 'byRegexp', options: `/${carrier}/i` },
    properties: [{ id: 'color', value: { mode: 'fixed', fixedColor: color } }],
  }));
}
