// Vietnamese text of notifications (the default language). Short: a page must read on a phone.
import { formatNumber } from '../i18n.js';
import type { MessageCatalog } from './messages.js';

const n = (v: number) => formatNumber('vi', v);

export const vi: MessageCatalog = {
  language: 'vi',
  firing: {
    down: 'Mất kết nối',
    degraded: 'Chất lượng kết nối kém',
    flapping: 'Kết nối chập chờn',
    if_down: 'Đường truyền uplink mất tín hiệu',
    if_errors: 'Cổng mạng báo lỗi',
    if_utilization: 'Cổng mạng quá tải',
    if_flapping: 'Đường truyền uplink chập chờn',
    dead_zone: 'Lõm sóng 4G',
  },
  resolved: {
    down: 'Đã khôi phục kết nối',
    degraded: 'Chất lượng kết nối đã ổn định',
    flapping: 'Kết nối đã ổn định',
    if_down: 'Đường truyền uplink đã hoạt động lại',
    if_errors: 'Cổng mạng hết lỗi',
    if_utilization: 'Cổng mạng hết quá tải',
    if_flapping: 'Đường truyền uplink đã ổn định',
    dead_zone: 'Hết lõm sóng 4G',
  },
  repeatPrefix: 'Nhắc lại',
  escalationPrefix: 'Chuyển cấp',
  acknowledgedBy: (who) => `đã được ${who} xác nhận`,
  unacknowledgedFor: (minutes) => `chưa ai xác nhận sau ${n(minutes)} phút`,
  since: (time) => `từ ${time}`,
  lasted: (duration, from, to) => `kéo dài ${duration} (${from} → ${to})`,
  duration: (ms) => {
    const min = Math.floor(ms / 60_000);
    const h = Math.floor(min / 60);
    if (h > 0) return `${n(h)} giờ ${min % 60} phút`;
    if (min > 0) return `${n(min)} phút ${Math.floor((ms % 60_000) / 1000)} giây`;
    return `${Math.max(1, Math.round(ms / 1000))} giây`;
  },
  cutOff: (count) => `${n(count)} điểm phía sau bị cô lập`,
  pointsCutOff: (names, more) => `Điểm bị cô lập: ${names}${more ? ` và ${n(more)} điểm khác` : ''}`,
  communes: (count, names, more) => `Xã bị ảnh hưởng (${n(count)}): ${names}${more ? ` và ${n(more)} xã khác` : ''}`,
  population: (people) => `Dân số bị ảnh hưởng: ${n(people)} người`,
  reconnected: (back, total) => `${n(back)}/${n(total)} điểm phía sau đã kết nối lại`,
  stillDown: (names, more) => `Vẫn mất kết nối: ${names}${more ? ` và ${n(more)} điểm khác` : ''}`,
  details: (url) => `Chi tiết: ${url}`,
  figures: {
    loss: (pct) => `mất gói ${n(Math.round(pct))}%`,
    rtt: (ms) => `độ trễ trung vị ${n(Math.round(ms * 10) / 10)} ms`,
    flap: (pct) => `đổi trạng thái ${n(Math.round(pct))}% trong 21 lần kiểm tra gần nhất`,
    errors: (perS) => `${n(Math.round(perS * 10) / 10)} lỗi/giây`,
    utilization: (pct) => `sử dụng ${n(Math.round(pct))}% băng thông`,
    ifOperDown: 'cổng đang bật (admin up) nhưng mất tín hiệu',
    port: (name) => `cổng ${name}`,
  },
  deadZone: {
    villages: (count, names, more) => `${n(count)} thôn, buôn mất sóng: ${names}${more ? ` và ${n(more)} thôn, buôn khác` : ''}`,
    cellOutage: (carriers) => `nguyên nhân: trạm ${carriers} ngừng phát sóng`,
    noCoverage: 'không có dữ liệu phủ sóng',
  },
  timeFormat: { locale: 'vi-VN', pattern: 'dmy' },
};
