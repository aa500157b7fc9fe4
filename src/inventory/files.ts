// Schemas of the inventory files as written on disk (snake_case YAML keys, CSV columns).
// The loader validates each file against these before turning rows into the model.
import Type, { type Static } from 'typebox';

const Code = Type.String({ pattern: '^[A-Za-z0-9_.-]+$', description: 'Official code (GSO) or any stable identifier.' });
const Lat = Type.Number({ minimum: -90, maximum: 90 });
const Lon = Type.Number({ minimum: -180, maximum: 180 });

export const UnitsFileSchema = Type.Object(
  {
    bounds: Type.Optional(
      Type.Object(
        { lat_min: Lat, lat_max: Lat, lon_min: Lon, lon_max: Lon },
        { additionalProperties: false, description: 'Bounding box of the territory; coordinates outside it are warnings.' },
      ),
    ),
    levels: Type.Array(
      Type.Object({ name: Type.String({ pattern: '^[a-z][a-z0-9_]*$' }), label_vi: Type.String(), label_en: Type.String() }, { additionalProperties: false }),
      { minItems: 1, description: 'Administrative levels, top first.' },
    ),
    units: Type.Array(
      Type.Object(
        {
          code: Code,
          name: Type.String({ minLength: 1 }),
          type: Type.String({ minLength: 1 }),
          level: Type.String(),
          parent: Type.Optional(Code),
          lat: Lat,
          lon: Lon,
          population: Type.Optional(Type.Integer({ minimum: 0 })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

const PointFields = {
  name: Type.String({ minLength: 1 }),
  kind: Type.String({ pattern: '^[a-z][a-z0-9_]*$' }),
  unit: Code,
  lat: Lat,
  lon: Lon,
  address: Type.String(),
  snmp_profile: Type.String({ default: 'default' }),
  snmp_credential: Type.Optional(Type.String()),
  snmp_port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
  snmp_interval_s: Type.Optional(Type.Number({ minimum: 1 })),
  icmp: Type.Optional(
    Type.Object(
      {
        interval_s: Type.Optional(Type.Number({ minimum: 0.1 })),
        count: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
        timeout_ms: Type.Optional(Type.Integer({ minimum: 10 })),
      },
      { additionalProperties: false },
    ),
  ),
  upstream: Type.Optional(Type.String()),
  tags: Type.Optional(Type.Record(Type.String({ pattern: '^[a-z][a-z0-9_]*$' }), Type.String(), { propertyNames: { pattern: '^[a-z][a-z0-9_]*$' } })),
};

export const PointsFileSchema = Type.Object(
  {
    points: Type.Array(Type.Object({ id: Type.String({ pattern: '^[a-z0-9][a-z0-9_.-]*$' }), ...PointFields }, { additionalProperties: false })),
  },
  { additionalProperties: false },
);

/** A site file overrides fields of shipped points by id: a real deployment's addresses live here. */
export const SiteFileSchema = Type.Object(
  {
    points: Type.Record(
      Type.String(),
      Type.Object(
        {
          address: Type.Optional(PointFields.address),
          snmp_profile: Type.Optional(Type.String()),
          snmp_credential: PointFields.snmp_credential,
          snmp_port: PointFields.snmp_port,
          snmp_interval_s: PointFields.snmp_interval_s,
          icmp: PointFields.icmp,
          tags: PointFields.tags,
        },
        { additionalProperties: false },
      ),
      { default: {} },
    ),
  },
  { additionalProperties: false },
);

export type UnitsFile = Static<typeof UnitsFileSchema>;
export type PointsFile = Static<typeof PointsFileSchema>;
export type SiteFile = Static<typeof SiteFileSchema>;

/** Columns of villages*.csv, in order. */
export const VILLAGE_COLUMNS = ['code', 'name', 'type', 'unit', 'lat', 'lon', 'population', 'source'] as const;
