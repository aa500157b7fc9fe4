// buildApp(deps): the fastify application (plugins, auth, error shape, routes per resource), built
// apart from listen() so tests drive it with inject(). listenApp() binds it to config.api.host:port.
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type RawReplyDefaultExpression, type RawRequestDefaultExpression, type RawServerDefault } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import cors from '@fastify/cors';
import helmet, { fastifyHelmet } from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { REDACT_PATHS } from '../util/log.js';
import { TokenAuthenticator, tokenProblems, type Access, type Principal } from './auth.js';
import type { ApiDeps } from './deps.js';
import { errorHandler, sendError } from './errors.js';
import { createApiMetrics } from './prom.js';
import { healthRoutes } from './routes/health.js';
import { pointRoutes } from './routes/points.js';
import { alertRoutes } from './routes/alerts.js';
import { availabilityRoutes } from './routes/availability.js';
import { coverageRoutes } from './routes/coverage.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call the route; routes without it (404s, the docs page) are public. */
    access?: Access;
  }
  interface FastifyRequest {
    principal: Principal | undefined;
  }
}

export type App = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, TypeBoxTypeProvider>;

/** What every route module receives: the app (typed for typebox schemas) and the deps. */
export interface RouteContext {
  deps: ApiDeps;
  now: () => number;
  /** Rate-limit settings for write routes (route `config.rateLimit`). */
  writeLimit: { max: number; timeWindow: number; groupId: string };
}

export class ApiConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'ApiConfigError';
  }
}

export const API_VERSION = '1.0.0';

const helmetDirectives = () => fastifyHelmet.contentSecurityPolicy.getDefaultDirectives();

export async function buildApp(deps: ApiDeps): Promise<App> {
  const cfg = deps.config.api;
  const problems = tokenProblems(cfg);
  if (problems.length) throw new ApiConfigError(problems);
  const auth = new TokenAuthenticator(cfg);
  const now = deps.now ?? Date.now;
  const metrics = createApiMetrics(deps.metrics, (source, err) => deps.log.warn({ event: 'metrics_collect_failed', source, err: String(err) }, 'a stats function failed during a scrape'));

  // The caller's logger may not redact; the child adds the same guard (Authorization above all).
  const log = deps.log.child({ component: 'api' }, { redact: { paths: REDACT_PATHS, censor: '[secret]' } });
  const app = Fastify({
    loggerInstance: log,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: cfg.body_limit_bytes,
    trustProxy: cfg.trust_proxy,
    // Strict inputs: unknown keys are refused (not silently dropped), query strings are coerced.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: false } },
    routerOptions: { maxParamLength: 200, ignoreTrailingSlash: true },
    return503OnClosing: true,
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as App;

  app.decorateRequest('principal', undefined);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((req, reply) => sendError(reply, 404, `no route ${req.method} ${req.url.split('?')[0]}`));

  app.addHook('onRequest', async (req, reply) => {
    const access = req.routeOptions.config.access;
    if (access === undefined) return;
    const outcome = auth.authorize(req.headers.authorization, access);
    if (outcome.ok) {
      req.principal = outcome.principal;
      return;
    }
    if (outcome.status === 401) reply.header('www-authenticate', `Bearer realm="netcov"${outcome.error === 'invalid_token' ? ', error="invalid_token"' : ''}`);
    await sendError(reply, outcome.status, outcome.message, { error: outcome.error });
    return reply;
  });

  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    metrics.observeRequest(req.method, route, reply.statusCode, reply.elapsedTime / 1000);
    // Writes are an audit trail (who acked, who silenced); reads would flood the journal.
    const entry = { event: 'api_request', method: req.method, route, status: reply.statusCode, ms: Math.round(reply.elapsedTime), by: req.principal?.name, ip: req.ip };
    if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') req.log.debug(entry, 'request');
    else req.log.info(entry, 'request');
  });

  if (cfg.docs) {
    await app.register(swagger, {
      openapi: {
        openapi: '3.0.3',
        info: {
          title: 'netcov API',
          version: API_VERSION,
          description:
            'Monitoring of the Đắk Lắk dedicated government data network and 4G coverage of its villages. ' +
            'Bearer tokens (Authorization: Bearer …) with roles read, operator, ingest, admin. Times in JSON are UTC ISO 8601.',
        },
        components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
        tags: [
          { name: 'health', description: 'Liveness, readiness, Prometheus metrics' },
          { name: 'points', description: 'Network points and their state' },
          { name: 'alerts', description: 'Alerts, acknowledgements, silences, maintenance' },
          { name: 'availability', description: 'Uptime for SLA reports' },
          { name: 'coverage', description: '4G coverage, dead zones, feed pushes' },
        ],
      },
    });
    await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: false, uiConfig: { docExpansion: 'list', deepLinking: true } });
    app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  }

  await app.register(helmet, (instance) => ({
    contentSecurityPolicy: {
      directives: {
        ...helmetDirectives(),
        'script-src': ["'self'", ...((instance as unknown as { swaggerCSP?: { script: string[] } }).swaggerCSP?.script ?? [])],
        'style-src': ["'self'", ...((instance as unknown as { swaggerCSP?: { style: string[] } }).swaggerCSP?.style ?? [])],
        'img-src': ["'self'", 'data:'],
      },
    },
  }));
  if (cfg.cors_origins.length) {
    await app.register(cors, { origin: cfg.cors_origins, methods: ['GET', 'POST', 'DELETE'], allowedHeaders: ['Authorization', 'Content-Type'], maxAge: 600 });
  }
  await app.register(rateLimit, { global: false });

  const ctx: RouteContext = { deps, now, writeLimit: { max: cfg.rate_limit.max, timeWindow: cfg.rate_limit.window_s * 1000, groupId: 'writes' } };
  healthRoutes(app, ctx, metrics.registry);
  pointRoutes(app, ctx);
  alertRoutes(app, ctx);
  availabilityRoutes(app, ctx);
  await app.register(async (scope) => coverageRoutes(scope as unknown as App, ctx));
  return app;
}

/** Listens on config.api.host:port; resolves with the bound address (port 0 → a free port). */
export async function listenApp(app: App, deps: Pick<ApiDeps, 'config'>): Promise<{ host: string; port: number; url: string }> {
  const { host, port } = deps.config.api;
  await app.listen({ host, port });
  const addr = app.server.address();
  const bound = typeof addr === 'object' && addr ? addr.port : port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return { host, port: bound, url: `http://${shownHost}:${bound}` };
}

/** The base URL for links to the API in notifications: config.api.base_url, else the listen address. */
export function apiBaseUrl(config: ApiDeps['config']): string {
  if (config.api.base_url) return config.api.base_url.replace(/\/+$/, '');
  const host = config.api.host.includes(':') ? `[${config.api.host}]` : config.api.host;
  return `http://${host}:${config.api.port}`;
}
