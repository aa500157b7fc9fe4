// Column headers of the API's CSV downloads, in config.language. JSON keys stay English; the
// administrative level columns take their labels from the inventory (levels are data).
import type { Language } from '../i18n.js';

const HEADERS = {
  key: { vi: 'Mã', en: 'Key' },
  name: { vi: 'Tên', en: 'Name' },
  points: { vi: 'Số điểm', en: 'Points' },
  rounds: { vi: 'Số vòng đo', en: 'Rounds' },
  up_rounds: { vi: 'Số vòng hoạt động', en: 'Rounds up' },
  uptime_pct: { vi: 'Tỷ lệ hoạt động (%)', en: 'Uptime (%)' },
  village_code: { vi: 'Mã thôn/buôn', en: 'Village code' },
  village: { vi: 'Thôn/buôn', en: 'Village' },
  village_type: { vi: 'Loại', en: 'Type' },
  population: { vi: 'Dân số', en: 'Population' },
  best_level: { vi: 'Mức sóng tốt nhất', en: 'Best level' },
  evidence: { vi: 'Căn cứ', en: 'Evidence' },
  conflict: { vi: 'Mâu thuẫn', en: 'Conflict' },
  since: { vi: 'Lõm sóng từ', en: 'Dead zone since' },
  lat: { vi: 'Vĩ độ', en: 'Latitude' },
  lon: { vi: 'Kinh độ', en: 'Longitude' },
  code_suffix: { vi: 'Mã', en: 'code' },
  yes: { vi: 'có', en: 'yes' },
  no: { vi: 'không', en: 'no' },
} as const satisfies Record<string, Record<Language, string>>;

export type HeaderKey = keyof typeof HEADERS;

export function header(lang: Language, key: HeaderKey): string {
  return HEADERS[key][lang];
}

/** "Mã Xã" / "Commune code" for a level's code column. */
export function levelCodeHeader(lang: Language, label: string): string {
  return lang === 'vi' ? `${HEADERS.code_suffix.vi} ${label.toLowerCase()}` : `${label} ${HEADERS.code_suffix.en}`;
}
