// Route schemas shared by several resources: the error body, paging, unit codes and times.
// Every object is closed (additionalProperties: false), so an unknown query key or body field is a
// 400 that names it, and a response carries only what its schema declares.
import Type, { type TProperties } from 'typebox';

export function Closed<P extends TProperties>(properties: P, description?: string) {
  return Type.Object(properties, { additionalProperties: false, ...(description ? { description } : {}) });
}

export const ErrorBody = Closed(
  {
    statusCode: Type.Integer(),
    error: Type.String({ description: 'HTTP reason phrase, or a machine-readable code (missing_token, invalid_token, forbidden, not_found …).' }),
    message: Type.String(),
    field: Type.Optional(Type.String({ description: 'The input that was refused, e.g. querystring.limit or body.matchers[0].name.' })),
  },
  'An error.',
);

/** Responses every route can give besides its own 200. */
export const ERROR_RESPONSES = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 413: ErrorBody, 415: ErrorBody, 429: ErrorBody, 500: ErrorBody, 503: ErrorBody } as const;

export const DEFAULT_PAGE_LIMIT = 100;
export const MAX_PAGE_LIMIT = 1000;

export const PagingQuery = {
  limit: Type.Integer({ minimum: 1, maximum: MAX_PAGE_LIMIT, default: DEFAULT_PAGE_LIMIT, description: `Items per page (1–${MAX_PAGE_LIMIT}).` }),
  offset: Type.Integer({ minimum: 0, maximum: 10_000_000, default: 0, description: 'Items to skip.' }),
};

export function Page<T extends ReturnType<typeof Type.Object>>(item: T, description: string) {
  return Closed(
    {
      total: Type.Integer({ description: 'Items matching the filters, over all pages.' }),
      limit: Type.Integer(),
      offset: Type.Integer(),
      items: Type.Array(item),
    },
    description,
  );
}

export function page<T>(all: readonly T[], limit: number, offset: number): { total: number; limit: number; offset: number; items: T[] } {
  return { total: all.length, limit, offset, items: all.slice(offset, offset + limit) };
}

/** Administrative unit codes and point ids: short, printable, no separators that could smuggle anything. */
export const UnitCode = Type.String({ minLength: 1, maxLength: 32, pattern: '^[A-Za-z0-9_.-]+$', description: 'Administrative unit code (any level), e.g. 66, 645, 24181.' });
export const PointId = Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_.-]+$', description: 'Point id, e.g. commune-24181.' });
export const Id = Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_.:-]+$' });
export const IsoTime = Type.String({ format: 'date-time', description: 'ISO 8601 time with offset, e.g. 2025-01-31T17:00:00Z.' });
export const FreeText = (max: number, description: string) => Type.String({ maxLength: max, description });

export const BEARER = [{ bearer: [] as string[] }];
