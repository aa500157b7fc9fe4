// What the simulator and the demo say to people, in Vietnamese (default) or English.
import type { Language } from '../i18n.js';
import type { Incident } from './scenario.js';

type Text = Record<Language, string>;
const pick = (lang: Language, text: Text) => text[lang];

export function incidentText(lang: Language, i: Incident): string {
  const label = i.name ? `${i.name}: ` : '';
  const vi = lang === 'vi';
  switch (i.kind) {
    case 'point_dark':
      return label + (vi ? `${i.point} mất kết nối` : `${i.point} goes dark`);
    case 'district_dark':
      return label + (vi ? `${i.point} mất kết nối cùng mọi điểm phía sau` : `${i.point} goes dark with every point behind it`);
    case 'uplink_flap':
      return label + (vi ? `đường lên của ${i.point} chập chờn (chu kỳ ${i.period_s} s)` : `${i.point} uplink flaps (every ${i.period_s} s)`);
    case 'packet_loss':
      return label + (vi ? `mất ${i.percent}% gói tin tới ${i.point}` : `${i.percent}% packet loss to ${i.point}`);
    case 'interface_saturated':
      return label + (vi ? `cổng ${i.if_index} của ${i.point} quá tải` : `${i.point} interface ${i.if_index} saturated`);
    case 'snmp_silent':
      return label + (vi ? `SNMP agent của ${i.point} ngừng trả lời` : `${i.point} SNMP agent silent`);
    case 'reboot':
      return label + (vi ? `${i.point} khởi động lại` : `${i.point} reboots`);
    case 'cell_outage':
      return label + (vi ? 'trạm gốc (BTS) ngừng phát sóng' : 'base station outage');
  }
}

export const M = {
  agents: (lang: Language, n: number, port: number) => pick(lang, { vi: `SNMP agent mô phỏng: ${n} điểm, cổng UDP ${port}`, en: `Simulated SNMP agents: ${n} points on UDP port ${port}` }),
  noAgents: (lang: Language) => pick(lang, { vi: 'Không chạy SNMP agent mô phỏng', en: 'No simulated SNMP agents' }),
  feeds: (lang: Language, url: string) => pick(lang, { vi: `Nguồn dữ liệu vùng phủ (mẫu): ${url}`, en: `Coverage feeds (sample data): ${url}` }),
  noFeedFiles: (lang: Language, dir: string) =>
    pick(lang, { vi: `Chưa có tệp dữ liệu vùng phủ mẫu trong ${dir}: chỉ phục vụ nguồn trạng thái trạm`, en: `No sample coverage files in ${dir}: serving only the cell-status feed` }),
  nftOn: (lang: Language, table: string) => pick(lang, { vi: `Lỗi ICMP/SNMP giả lập bằng nftables (bảng ${table})`, en: `ICMP/SNMP faults through nftables (table ${table})` }),
  nftOff: (lang: Language, reason: string) => pick(lang, { vi: `Không giả lập lỗi bằng nftables: ${reason}`, en: `No nftables faults: ${reason}` }),
  scenario: (lang: Language, name: string, n: number) => pick(lang, { vi: `Kịch bản "${name}": ${n} sự cố`, en: `Scenario "${name}": ${n} incidents` }),
  planned: (lang: Language, atS: number, text: string, affects: string) =>
    pick(lang, { vi: `  +${atS}s  ${text}${affects ? ` [${affects}]` : ''}`, en: `  +${atS}s  ${text}${affects ? ` [${affects}]` : ''}` }),
  skipped: (lang: Language, reason: string) => pick(lang, { vi: `         BỎ QUA ${reason}`, en: `         SKIPPED ${reason}` }),
  started: (lang: Language, text: string) => pick(lang, { vi: `▶ bắt đầu: ${text}`, en: `▶ started: ${text}` }),
  ended: (lang: Language, text: string) => pick(lang, { vi: `■ kết thúc: ${text}`, en: `■ ended: ${text}` }),
  flap: (lang: Language, text: string, up: boolean) => pick(lang, { vi: `  ${text}: ${up ? 'lên' : 'xuống'}`, en: `  ${text}: ${up ? 'up' : 'down'}` }),
  error: (lang: Language, text: string, message: string) => pick(lang, { vi: `✗ lỗi khi chạy "${text}": ${message}`, en: `✗ error in "${text}": ${message}` }),
  scenarioEnd: (lang: Language) => pick(lang, { vi: 'Kịch bản kết thúc; mọi lỗi giả lập đã được gỡ.', en: 'Scenario over; every fault has been removed.' }),
  stopping: (lang: Language) => pick(lang, { vi: 'Đang dừng…', en: 'Stopping…' }),
  stopped: (lang: Language) => pick(lang, { vi: 'Đã dừng; không còn bảng nftables nào của netcov.', en: 'Stopped; no netcov nftables table is left.' }),
  ctrlC: (lang: Language) => pick(lang, { vi: 'Nhấn Ctrl-C để dừng.', en: 'Press Ctrl-C to stop.' }),
};
