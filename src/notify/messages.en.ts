// English text of notifications (config.language: en or a receiver's language: en).
import { formatNumber } from '../i18n.js';
import type { MessageCatalog } from './messages.js';

const n = (v: number) => formatNumber('en', v);
const plural = (count: number, one: string, many: string) => `${n(count)} ${count === 1 ? one : many}`;

export const en: MessageCatalog = {
  language: 'en',
  firing: {
    down: 'DOWN',
    degraded: 'Degraded',
    flapping: 'Flapping',
    if_down: 'Uplink down',
    if_errors: 'Interface errors',
    if_utilization: 'Interface saturated',
    if_flapping: 'Uplink flapping',
    dead_zone: '4G dead zone',
  },
  resolved: {
    down: 'Back up',
    degraded: 'No longer degraded',
    flapping: 'Stopped flapping',
    if_down: 'Uplink back up',
    if_errors: 'Interface errors cleared',
    if_utilization: 'Interface no longer saturated',
    if_flapping: 'Uplink stopped flapping',
    dead_zone: '4G dead zone cleared',
  },
  repeatPrefix: 'Reminder',
  escalationPrefix: 'Escalated',
  acknowledgedBy: (who) => `acknowledged by ${who}`,
  unacknowledgedFor: (minutes) => `unacknowledged for ${plural(minutes, 'minute', 'minutes')}`,
  since: (time) => `since ${time}`,
  lasted: (duration, from, to) => `lasted ${duration} (${from} → ${to})`,
  duration: (ms) => {
    const min = Math.floor(ms / 60_000);
    const h = Math.floor(min / 60);
    if (h > 0) return `${n(h)} h ${min % 60} min`;
    if (min > 0) return `${n(min)} min ${Math.floor((ms % 60_000) / 1000)} s`;
    return `${Math.max(1, Math.round(ms / 1000))} s`;
  },
  cutOff: (count) => `${plural(count, 'point', 'points')} behind it cut off`,
  pointsCutOff: (names, more) => `Cut off: ${names}${more ? ` and ${n(more)} more` : ''}`,
  communes: (count, names, more) => `Communes affected (${n(count)}): ${names}${more ? ` and ${n(more)} more` : ''}`,
  population: (people) => `Population affected: ${n(people)}`,
  reconnected: (back, total) => `${n(back)}/${n(total)} points behind it reconnected`,
  stillDown: (names, more) => `Still down: ${names}${more ? ` and ${n(more)} more` : ''}`,
  details: (url) => `Details: ${url}`,
  figures: {
    loss: (pct) => `${n(Math.round(pct))}% packet loss`,
    rtt: (ms) => `median RTT ${n(Math.round(ms * 10) / 10)} ms`,
    flap: (pct) => `${n(Math.round(pct))}% state change over the last 21 checks`,
    errors: (perS) => `${n(Math.round(perS * 10) / 10)} errors/s`,
    utilization: (pct) => `${n(Math.round(pct))}% utilised`,
    ifOperDown: 'admin up but no link',
    port: (name) => `port ${name}`,
  },
  deadZone: {
    villages: (count, names, more) => `${plural(count, 'village', 'villages')} without signal: ${names}${more ? ` and ${n(more)} more` : ''}`,
    cellOutage: (carriers) => `cause: ${carriers} cell(s) down`,
    noCoverage: 'no coverage evidence',
  },
  timeFormat: { locale: 'en-GB', pattern: 'ymd' },
};
