// One error shape for every failure: {statusCode, error, message, field?}. A validation failure
// names the refused input (querystring.limit, body.matchers[0].name); a server fault is logged
// with its stack and answered with no detail (a message could carry anything, even a secret).
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES } from 'node:http';
import { AlertServiceError } from '../alerts/service.js';
import { CoverageQueryError } from '../coverage/views.js';
import { InputError } from './deps.js';

interface AjvLikeError {
  instancePath?: string;
  message?: string;
  keyword?: string;
  params?: Record<string, unknown>;
}

/** "/matchers/0/name" → "matchers[0].name". */
function pathOf(instancePath: string): string {
  return instancePath
    .split('/')
    .slice(1)
    .map((seg) => seg.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((acc, seg) => (/^\d+$/.test(seg) ? `${acc}[${seg}]` : acc ? `${acc}.${seg}` : seg), '');
}

export function describeValidation(context: string, errors: readonly AjvLikeError[]): { field: string; message: string } {
  const e = errors[0] ?? {};
  let path = pathOf(e.instancePath ?? '');
  const p = e.params ?? {};
  if (typeof p.missingProperty === 'string') path = path ? `${path}.${p.missingProperty}` : p.missingProperty;
  if (typeof p.additionalProperty === 'string') {
    const field = `${context}.${path ? `${path}.` : ''}${p.additionalProperty}`;
    return { field, message: `${field}: unknown ${context === 'querystring' ? 'parameter' : 'field'}` };
  }
  const field = path ? `${context}.${path}` : context;
  let message = e.message ?? 'is not valid';
  if (Array.isArray(p.allowedValues)) message = `must be one of ${p.allowedValues.map(String).join(', ')}`;
  return { field, message: `${field}: ${message}` };
}

const SERVICE_STATUS = { not_found: 404, invalid: 400, conflict: 409 } as const;

export function sendError(reply: FastifyReply, statusCode: number, message: string, extra: { error?: string; field?: string } = {}): FastifyReply {
  return reply.code(statusCode).send({ statusCode, error: extra.error ?? STATUS_CODES[statusCode] ?? 'Error', message, ...(extra.field ? { field: extra.field } : {}) });
}

/** A text download (CSV, GeoJSON) sent as is, past the route's JSON response schema. */
export function sendDownload(reply: FastifyReply, contentType: string, filename: string, text: string): FastifyReply {
  return reply
    .type(contentType)
    .header('content-disposition', `attachment; filename="${filename.replace(/[^A-Za-z0-9_.-]/g, '_')}"`)
    .serializer((s: unknown) => s as string)
    .send(text);
}

export function errorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (error.validation) {
    const { field, message } = describeValidation(error.validationContext ?? 'input', error.validation as AjvLikeError[]);
    return sendError(reply, 400, message, { field });
  }
  const known: unknown = error;
  if (known instanceof InputError) return sendError(reply, 400, known.message, known.field ? { field: known.field } : {});
  // The services' own refusals: their messages are written for people and carry no secret.
  if (known instanceof AlertServiceError) return sendError(reply, SERVICE_STATUS[known.code], known.message, known.code === 'not_found' ? { error: 'not_found' } : {});
  if (known instanceof CoverageQueryError)
    return sendError(reply, known.statusCode, known.field ? `querystring.${known.field}: ${known.message}` : known.message, known.field ? { field: `querystring.${known.field}` } : {});
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    if (status === 429) return sendError(reply, 429, 'too many requests: slow down and retry later');
    return sendError(reply, status, error.message);
  }
  request.log.error({ event: 'api_error', err: error, route: request.routeOptions.url }, 'request failed');
  return sendError(reply, 500, 'internal error (logged)');
}
