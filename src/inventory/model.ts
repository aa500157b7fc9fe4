// The inventory as data: administrative levels (any number of them), units, villages and the
// network points with their upstream links. `Inventory` adds the look-ups every consumer needs
// (ancestry tags for metrics, dependants for root cause, villages under a unit for coverage).

export interface Level {
  /** Identifier used as a metric tag key, e.g. "province", "district", "commune". */
  name: string;
  labelVi: string;
  labelEn: string;
}

export interface AdminUnit {
  code: string;
  name: string;
  /** Unit type as officially written: Tỉnh, Thành phố, Thị xã, Huyện, Phường, Thị trấn, Xã. */
  type: string;
  level: string;
  parent?: string;
  lat: number;
  lon: number;
  /** 2019 census population, where known. */
  population?: number;
}

export interface Village {
  code: string;
  name: string;
  /** thôn, buôn, tổ dân phố … */
  type: string;
  /** Code of the administrative unit the village belongs to (a leaf unit: commune). */
  unit: string;
  lat: number;
  lon: number;
  population: number;
  /** "sample" for generated villages, "official" for a real list. */
  source: string;
}

export interface PointIcmpOverrides {
  intervalS?: number;
  count?: number;
  timeoutMs?: number;
}

export interface Point {
  id: string;
  name: string;
  /** agency, district, commune (kinds are data too; a deployment may add its own). */
  kind: string;
  /** Administrative unit the point serves. */
  unit: string;
  lat: number;
  lon: number;
  /** Management address: an IP literal or a hostname, validated at load. */
  address: string;
  snmpProfile: string;
  snmpCredential?: string;
  snmpPort?: number;
  snmpIntervalS?: number;
  icmp: PointIcmpOverrides;
  /** Id of the point this one reaches the core through; absent for the core itself. */
  upstream?: string;
  tags: Record<string, string>;
}

export interface Bounds {
  latMin: number;
  latMax: number;
  lonMin: number;
  lonMax: number;
}

export interface InventoryData {
  levels: Level[];
  units: AdminUnit[];
  villages: Village[];
  points: Point[];
  bounds?: Bounds;
}

export class Inventory {
  readonly levels: Level[];
  readonly units: ReadonlyMap<string, AdminUnit>;
  readonly villages: readonly Village[];
  readonly points: readonly Point[];
  readonly bounds: Bounds | undefined;
  readonly #pointsById = new Map<string, Point>();
  readonly #unitChildren = new Map<string, AdminUnit[]>();
  readonly #villagesByUnit = new Map<string, Village[]>();
  readonly #dependants = new Map<string, Point[]>();
  readonly #tagCache = new Map<string, Record<string, string>>();

  /** Assumes validated data (see validate.ts): codes unique, parents and upstreams known, no cycles. */
  constructor(data: InventoryData) {
    this.levels = data.levels;
    this.units = new Map(data.units.map((u) => [u.code, u]));
    this.villages = data.villages;
    this.points = data.points;
    this.bounds = data.bounds;
    for (const u of data.units) {
      if (u.parent === undefined) continue;
      const list = this.#unitChildren.get(u.parent) ?? [];
      list.push(u);
      this.#unitChildren.set(u.parent, list);
    }
    for (const v of data.villages) {
      const list = this.#villagesByUnit.get(v.unit) ?? [];
      list.push(v);
      this.#villagesByUnit.set(v.unit, list);
    }
    for (const p of data.points) {
      this.#pointsById.set(p.id, p);
      if (p.upstream === undefined) continue;
      const list = this.#dependants.get(p.upstream) ?? [];
      list.push(p);
      this.#dependants.set(p.upstream, list);
    }
  }

  point(id: string): Point | undefined {
    return this.#pointsById.get(id);
  }

  unit(code: string): AdminUnit | undefined {
    return this.units.get(code);
  }

  /** The top unit(s) of the hierarchy (normally one province). */
  roots(): AdminUnit[] {
    return [...this.units.values()].filter((u) => u.parent === undefined);
  }

  children(code: string): readonly AdminUnit[] {
    return this.#unitChildren.get(code) ?? [];
  }

  unitsAtLevel(level: string): AdminUnit[] {
    return [...this.units.values()].filter((u) => u.level === level);
  }

  /** The unit and its ancestors, root first. */
  ancestry(code: string): AdminUnit[] {
    const chain: AdminUnit[] = [];
    for (let u = this.units.get(code); u; u = u.parent === undefined ? undefined : this.units.get(u.parent)) chain.unshift(u);
    return chain;
  }

  /** Metric tags for a unit: one tag per level on its path, e.g. {province: "66", district: "645", commune: "24181"}. */
  unitTags(code: string): Record<string, string> {
    let tags = this.#tagCache.get(code);
    if (!tags) {
      tags = {};
      for (const u of this.ancestry(code)) tags[u.level] = u.code;
      this.#tagCache.set(code, tags);
    }
    return tags;
  }

  /** Every unit below `code` (not including it), depth first. */
  descendants(code: string): AdminUnit[] {
    const out: AdminUnit[] = [];
    const walk = (c: string) => {
      for (const child of this.children(c)) {
        out.push(child);
        walk(child.code);
      }
    };
    walk(code);
    return out;
  }

  /** True when `code` is `ancestor` or lies below it. */
  isWithin(code: string, ancestor: string): boolean {
    return this.ancestry(code).some((u) => u.code === ancestor);
  }

  /** Villages of the unit and of every unit below it. */
  villagesWithin(code: string): Village[] {
    return [code, ...this.descendants(code).map((u) => u.code)].flatMap((c) => this.#villagesByUnit.get(c) ?? []);
  }

  /** Census population of a unit: its own figure, else the sum of its children's. */
  population(code: string): number {
    const u = this.units.get(code);
    if (!u) return 0;
    if (u.population !== undefined) return u.population;
    return this.children(code).reduce((sum, c) => sum + this.population(c.code), 0);
  }

  /** Units with no children: the lowest level where population is counted. */
  leafUnits(): AdminUnit[] {
    return [...this.units.values()].filter((u) => !this.#unitChildren.has(u.code));
  }

  /** Total population: the sum over leaf units (each person counted once). */
  totalPopulation(): number {
    return this.leafUnits().reduce((sum, u) => sum + (u.population ?? 0), 0);
  }

  /** Points whose upstream is `id`. */
  directDependants(id: string): readonly Point[] {
    return this.#dependants.get(id) ?? [];
  }

  /** Every point that reaches the core through `id`, breadth first. */
  allDependants(id: string): Point[] {
    const out: Point[] = [];
    const queue = [...this.directDependants(id)];
    while (queue.length) {
      const p = queue.shift()!;
      out.push(p);
      queue.push(...this.directDependants(p.id));
    }
    return out;
  }

  /** The upstream chain of a point, nearest first (not including the point). */
  upstreamChain(id: string): Point[] {
    const chain: Point[] = [];
    const seen = new Set<string>([id]);
    for (let p = this.point(id); p?.upstream !== undefined; ) {
      const up = this.point(p.upstream);
      if (!up || seen.has(up.id)) break;
      seen.add(up.id);
      chain.push(up);
      p = up;
    }
    return chain;
  }
}
