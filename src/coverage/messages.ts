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
