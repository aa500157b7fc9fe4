// Text for people in Vietnamese (default) or English, chosen by config `language`.
// Identifiers, JSON keys and metric names stay English; only labels and sentences are translated.
export type Language = 'vi' | 'en';

const catalog = {
  'stats.title': { vi: 'Thống kê danh mục', en: 'Inventory statistics' },
  'stats.levels': { vi: 'Đơn vị hành chính theo cấp', en: 'Administrative units per level' },
  'stats.points': { vi: 'Điểm mạng truyền số liệu chuyên dùng', en: 'Points of the dedicated data network' },
  'stats.kinds': { vi: 'theo loại', en: 'by kind' },
  'stats.villages': { vi: 'Thôn, buôn, tổ dân phố', en: 'Villages (thôn, buôn, tổ dân phố)' },
  'stats.sample': { vi: 'dữ liệu mẫu', en: 'sample data' },
  'stats.population': { vi: 'Dân số (điều tra 2019)', en: 'Population (2019 census)' },
  'check.ok': { vi: 'hợp lệ', en: 'ok' },
  'check.errors': { vi: 'lỗi', en: 'error(s)' },
  'check.warnings': { vi: 'cảnh báo', en: 'warning(s)' },
  'kind.agency': { vi: 'cơ quan cấp tỉnh', en: 'provincial agencies' },
  'kind.district': { vi: 'UBND cấp huyện', en: "district People's Committees" },
  'kind.commune': { vi: 'UBND cấp xã', en: "commune People's Committees" },
} as const satisfies Record<string, Record<Language, string>>;

export type MessageKey = keyof typeof catalog;

export function t(lang: Language, key: MessageKey): string {
  return catalog[key][lang];
}

/** Optional label: the catalogue's text when it has one for `key`, else `fallback`. */
export function tOr(lang: Language, key: string, fallback: string): string {
  return key in catalog ? catalog[key as MessageKey][lang] : fallback;
}

/** Numbers as people of the language write them: 1.869.322 (vi), 1,869,322 (en). */
export function formatNumber(lang: Language, n: number): string {
  return new Intl.NumberFormat(lang === 'vi' ? 'vi-VN' : 'en-US').format(n);
}
