// Dead-zone changes in words for people (Vietnamese by default, English by config): used in
// logs and offered to the alerting pipeline for its notifications.
import { formatNumber, type Language } from '../i18n.js';
import type { DeadZoneChange } from '../observations.js';

const MAX_NAMED_VILLAGES = 5;

function when(lang: Language, timeZone: string, ms: number): string {
  return new Intl.DateTimeFormat(lang === 'vi' ? 'vi-VN' : 'en-GB', {
    timeZone, hour: '2-digit', minute: '2-digit', day: '2-digit', month: '2-digit', year: 'numeric', hour12: false,
  }).format(new Date(ms));
}

function duration(lang: Language, ms: number): string {
  const minutes = Math.max(0, Math.round(ms / 60_000));
  const d = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  const parts = lang === 'vi'
    ? [d && `${d} ngày`, h && `${h} giờ`, (m || (!d && !h)) && `${m} phút`]
    : [d && `${d} d`, h && `${h} h`, (m || (!d && !h)) && `${m} min`];
  return parts.filter(Boolean).join(' ');
}

function place(c: DeadZoneChange): string {
  // "Xã Ia Lốp, Huyện Ea Súp": the unit, then its parent (the province is implied).
  const names = c.ancestry.slice(1).reverse().map((u) => u.name);
  return names.length ? names.join(', ') : c.unit.name;
}

function villageList(lang: Language, c: DeadZoneChange): string {
  const named = c.villages.slice(0, MAX_NAMED_VILLAGES).map((v) => v.name).join(', ');
  const more = c.villages.length - MAX_NAMED_VILLAGES;
  if (more <= 0) return named;
  return lang === 'vi' ? `${named} và ${more} thôn, buôn khác` : `${named} and ${more} more`;
}

/** One sentence: what changed, where, how many people, why and since when. */
export function describeDeadZoneChange(c: DeadZoneChange, lang: Language, timeZone: string): string {
  const n = (x: number) => formatNumber(lang, x);
  const radios = c.radios.map((r) => (r === 'LTE' ? '4G' : r === 'NR' ? '5G' : r)).join('/');
  const cells = c.causeCells.map((cell) => `${cell.carrierName} ${cell.key}`).join(', ');
  if (lang === 'vi') {
    if (c.kind === 'opened') {
      const why = c.cause === 'cell_outage' ? `do trạm ${cells} mất sóng từ ${when(lang, timeZone, c.sinceMs)}` : 'không có bằng chứng phủ sóng của nhà mạng nào';
      return `Lõm sóng ${radios} tại ${place(c)}: ${n(c.villages.length)} thôn, buôn (${villageList(lang, c)}), ${n(c.population)} người, ${why}.`;
    }
    return `Hết lõm sóng ${radios} tại ${place(c)}: ${n(c.villages.length)} thôn, buôn (${villageList(lang, c)}), ${n(c.population)} người, có sóng trở lại sau ${duration(lang, c.timeMs - c.sinceMs)}.`;
  }
  if (c.kind === 'opened') {
    const why = c.cause === 'cell_outage' ? `because cell(s) ${cells} are down since ${when(lang, timeZone, c.sinceMs)}` : 'with no evidence of coverage from any carrier';
    return `${radios} dead zone in ${place(c)}: ${n(c.villages.length)} village(s) (${villageList(lang, c)}), ${n(c.population)} people, ${why}.`;
  }
  return `${radios} dead zone cleared in ${place(c)}: ${n(c.villages.length)} village(s) (${villageList(lang, c)}), ${n(c.population)} people, covered again after ${duration(lang, c.timeMs - c.sinceMs)}.`;
}

/** Short labels of the ingestion report's reason codes, for people reading a report. */
const REASONS: Record<string, Record<Language, string>> = {
  bad_coordinates: { vi: 'Tọa độ không hợp lệ', en: 'Bad coordinates' },
  outside_province: { vi: 'Ngoài địa bàn tỉnh', en: 'Outside the province' },
  wrong_mcc: { vi: 'MCC không phải 452', en: 'MCC is not 452' },
  unknown_carrier: { vi: 'Nhà mạng không xác định', en: 'Unknown carrier' },
  unknown_radio: { vi: 'Công nghệ vô tuyến không xác định', en: 'Unknown radio' },
  unknown_technology: { vi: 'Công nghệ không xác định', en: 'Unknown technology' },
  rsrp_range: { vi: 'RSRP ngoài khoảng −156…−31 dBm', en: 'RSRP outside −156…−31 dBm' },
  bad_rsrp: { vi: 'RSRP không phải số', en: 'RSRP is not a number' },
  rsrq_range: { vi: 'RSRQ ngoài khoảng cho phép', en: 'RSRQ out of range' },
  bad_rsrq: { vi: 'RSRQ không phải số', en: 'RSRQ is not a number' },
  sinr_range: { vi: 'SINR ngoài khoảng cho phép', en: 'SINR out of range' },
  bad_sinr: { vi: 'SINR không phải số', en: 'SINR is not a number' },
  bad_time: { vi: 'Thời gian không hợp lệ (cần ISO 8601 có múi giờ)', en: 'Bad time (ISO 8601 with a zone expected)' },
  future_time: { vi: 'Thời gian ở tương lai', en: 'Time in the future' },
  bad_since: { vi: 'Thời điểm "since" không hợp lệ', en: 'Bad "since" time' },
  future_since: { vi: 'Thời điểm "since" ở tương lai', en: '"since" in the future' },
  bad_report_date: { vi: 'Ngày báo cáo không hợp lệ', en: 'Bad report date' },
  future_report_date: { vi: 'Ngày báo cáo ở tương lai', en: 'Report date in the future' },
  unknown_village: { vi: 'Mã thôn, buôn không có trong danh mục', en: 'Unknown village code' },
  duplicate_cell: { vi: 'Trạm (cell) bị lặp', en: 'Duplicate cell' },
  bad_cell_id: { vi: 'Mã LAC/TAC hoặc cell không hợp lệ', en: 'Bad area or cell id' },
  bad_range: { vi: 'Bán kính phủ sóng không hợp lệ', en: 'Bad range' },
  bad_status: { vi: 'Trạng thái không phải up/down', en: 'Status is not up/down' },
  bad_covered: { vi: 'Giá trị "covered" không phải có/không', en: '"covered" is not yes/no' },
  column_count: { vi: 'Số cột không khớp tiêu đề', en: 'Column count differs from the header' },
  bad_csv: { vi: 'Dòng CSV không đọc được', en: 'Unreadable CSV row' },
  bad_json: { vi: 'Dòng JSON không đọc được', en: 'Unreadable JSON row' },
};

/** The label of a reason code in `lang` (the code itself when unknown). */
export function reasonLabel(code: string, lang: Language): string {
  return REASONS[code]?.[lang] ?? code;
}
