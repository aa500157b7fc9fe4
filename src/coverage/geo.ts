// Great-circle distance and the bounding boxes used to pre-filter spatial queries.

/** Mean Earth radius (IUGG), metres. */
export const EARTH_RADIUS_M = 6_371_008.8;
const RAD = Math.PI / 180;
/** Metres per degree of latitude on the mean sphere. */
export const METRES_PER_DEGREE = EARTH_RADIUS_M * RAD;

/** Haversine distance in metres. */
export function haversineM(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const dLat = (lat2 - lat1) * RAD;
  const dLon = (lon2 - lon1) * RAD;
  const s = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * RAD) * Math.cos(lat2 * RAD) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(s)));
}

export interface Box {
  minLon: number;
  minLat: number;
  maxLon: number;
  maxLat: number;
}

/**
 * A lon/lat box that contains the circle of `radiusM` around a point. The longitude half-width
 * uses the cosine of the circle's most poleward latitude, so the box never cuts the circle.
 * (Not valid across the antimeridian or at the poles: Viet Nam is far from both.)
 */
export function boxAround(lat: number, lon: number, radiusM: number): Box {
  const dLat = radiusM / METRES_PER_DEGREE;
  const poleward = Math.min(89.9, Math.abs(lat) + dLat);
  const dLon = dLat / Math.cos(poleward * RAD);
  return { minLon: lon - dLon, minLat: lat - dLat, maxLon: lon + dLon, maxLat: lat + dLat };
}
