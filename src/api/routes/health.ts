// GET /healthz (the process answers), GET /readyz (inventory loaded, probes running, sink writing
// or spooling: 503 naming what is not ready), GET /metrics (Prometheus text, read at scrape time).
import Type from 'typebox';
import type { Registry } from 'prom-client';
import type { App, RouteContext } from '../app.js';
import { Closed, ERROR_RESPONSES, BEARER } from '../schemas.js';

const Health = Closed({ status: Type.Literal('ok'), uptime_s: Type.Number() });
const Check = Closed({ name: Type.String(), ok: Type.Boolean(), detail: Type.String() });
const Ready = Closed({ ready: Type.Boolean(), checks: Type.Array(Check) });

export function healthRoutes(app: App, ctx: RouteContext, registry: Registry): void {
  const startedMs = ctx.now();
  app.get(
    '/healthz',
    { config: { access: 'public' }, schema: { tags: ['health'], summary: 'Liveness: the process answers.', response: { 200: Health } } },
    async () => ({ status: 'ok' as const, uptime_s: Math.round((ctx.now() - startedMs) / 100) / 10 }),
  );

  app.get(
    '/readyz',
    {
      config: { access: 'public' },
      schema: { tags: ['health'], summary: 'Readiness: inventory loaded, probes running, sink writing or spooling (503 otherwise).', response: { 200: Ready, 503: Ready } },
    },
    async (_req, reply) => {
      const checks = ctx.deps.readiness.map((c) => {
        try {
          return { name: c.name, ...c.check() };
        } catch (err) {
          return { name: c.name, ok: false, detail: `check failed: ${(err as Error).message}` };
        }
      });
      const ready = checks.every((c) => c.ok);
      return reply.code(ready ? 200 : 503).send({ ready, checks });
    },
  );

  app.get(
    '/metrics',
    {
      config: { access: 'read' },
      schema: {
        tags: ['health'],
        summary: 'Prometheus metrics: rounds, probe results, sink and spool, alerts, notifications, feeds, process.',
        security: BEARER,
        produces: ['text/plain'],
        response: { 200: Type.String({ description: 'Prometheus text exposition format 0.0.4.' }), 401: ERROR_RESPONSES[401], 403: ERROR_RESPONSES[403] },
      },
    },
    async (_req, reply) => {
      const text = await registry.metrics();
      return reply.type(registry.contentType).send(text);
    },
  );
}
