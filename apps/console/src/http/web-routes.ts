import type { HttpServer } from '@kafka-poc/service-kit';
import type { FastifyReply } from 'fastify';
import type { WebAsset } from './web-assets.ts';

/**
 * Scripts, styles and data come from this origin only; no framing; no inline script but the ones
 * index.html holds (its import map), allowed by their hashes.
 */
function contentSecurityPolicy(inlineScriptHashes: string[]): string {
  return [
    "default-src 'self'",
    ["script-src 'self'", ...inlineScriptHashes].join(' '),
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * Serves the browser app: public (it holds no data; every /api call checks the session), marked so
 * in each route's config like every route reachable without a session.
 */
export function registerWebRoutes(app: HttpServer, assets: Map<string, WebAsset>): void {
  const policy = contentSecurityPolicy(assets.get('/')?.inlineScriptHashes ?? []);
  // Runs after the shared server's own header hook, so the app's policy is the one that counts.
  app.addHook('onSend', async (request, reply, payload) => {
    void reply.header('x-content-type-options', 'nosniff');
    void reply.header('referrer-policy', 'no-referrer');
    void reply.header('x-frame-options', 'DENY');
    // By the matched route, not the raw URL (which may spell it `/%61pp/…` or `http://host/app/…`).
    const route = request.routeOptions.url;
    if (route === '/' || route === '/app/*') {
      void reply.header('content-security-policy', policy);
      void reply.header('cache-control', 'no-cache');
    }
    return payload;
  });

  const send = (asset: WebAsset, ifNoneMatch: string | undefined, reply: FastifyReply) => {
    void reply.header('content-type', asset.contentType).header('etag', asset.etag);
    if (ifNoneMatch === asset.etag) return reply.status(304).send();
    return reply.send(asset.body);
  };

  app.get('/', { config: { public: true }, schema: { hide: true } }, async (request, reply) => {
    const asset = assets.get('/');
    if (!asset) return reply.callNotFound();
    return send(asset, request.headers['if-none-match'], reply);
  });

  app.get('/app/*', { config: { public: true }, schema: { hide: true } }, async (request, reply) => {
    // The path the router matched (decoded), whatever the spelling of the URL.
    const asset = assets.get(`/app/${(request.params as { '*': string })['*']}`);
    if (!asset) return reply.callNotFound();
    return send(asset, request.headers['if-none-match'], reply);
  });
}
