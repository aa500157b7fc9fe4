// Radius queries over points (villages, measurements): a kdbush index with a lon/lat box
// pre-filter and an exact haversine check, and the naive all-pairs scan it is benchmarked against.
// Both give the same answers (the bench checks it), so the model can run on either.
import KDBush from 'kdbush';
import { boxAround, haversineM } from './geo.js';

export interface PointIndex {
  readonly size: number;
  /** Calls `visit(id, distanceM)` for every point within `radiusM` of (lat, lon), in no set order. */
  within(lat: number, lon: number, radiusM: number, visit: (id: number, distanceM: number) => void): void;
}

export type IndexKind = 'kdbush' | 'naive';

type Coords = ArrayLike<number>;

/** Build the kdbush index over (lon, lat); coordinates stored at the precision of `ArrayType`. */
export function buildKdbush(lat: Coords, lon: Coords, ArrayType: Float32ArrayConstructor | Float64ArrayConstructor = Float64Array): KDBush {
  const kd = new KDBush(Math.max(lat.length, 1), 64, ArrayType);
  // kdbush cannot index zero items; one far-away dummy keeps the code path uniform (never matched: id ≥ size).
  if (lat.length === 0) kd.add(0, -90);
  for (let i = 0; i < lat.length; i++) kd.add(lon[i]!, lat[i]!);
  return kd.finish();
}

export class KdPointIndex implements PointIndex {
  readonly size: number;
  constructor(
    private readonly lat: Coords,
    private readonly lon: Coords,
    private readonly kd: KDBush = buildKdbush(lat, lon),
  ) {
    this.size = lat.length;
  }

  within(lat: number, lon: number, radiusM: number, visit: (id: number, distanceM: number) => void): void {
    const b = boxAround(lat, lon, radiusM);
    const ids = this.kd.range(b.minLon, b.minLat, b.maxLon, b.maxLat);
    for (const id of ids) {
      if (id >= this.size) continue;
      const d = haversineM(lat, lon, this.lat[id]!, this.lon[id]!);
      if (d <= radiusM) visit(id, d);
    }
  }
}

/** Every point checked on every query: the peer the benchmark measures the index against. */
export class NaivePointIndex implements PointIndex {
  readonly size: number;
  constructor(
    private readonly lat: Coords,
    private readonly lon: Coords,
  ) {
    this.size = lat.length;
  }

  within(lat: number, lon: number, radiusM: number, visit: (id: number, distanceM: number) => void): void {
    for (let id = 0; id < this.size; id++) {
      const d = haversineM(lat, lon, this.lat[id]!, this.lon[id]!);
      if (d <= radiusM) visit(id, d);
    }
  }
}

export function pointIndex(kind: IndexKind, lat: Coords, lon: Coords, kd?: KDBush): PointIndex {
  return kind === 'naive' ? new NaivePointIndex(lat, lon) : new KdPointIndex(lat, lon, kd);
}
