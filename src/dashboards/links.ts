// Links between the dashboards (fixed uids), so a click on a point or a unit opens its detail.

export const POINT_DETAIL_UID = 'netcov-point';
export const UNITS_UID = 'netcov-units';

/** A table-cell link to the point dashboard for the row's point_id, keeping the time range. */
export function pointLink(): { title: string; url: string } {
  return { title: 'Chi tiết điểm (point detail)', url: `/d/${POINT_DETAIL_UID}/?var-point=\${__data.fields.point_id}&\${__url_time_range}` };
}
