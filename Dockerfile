# One image per app of the monorepo, selected by the APP build argument:
#   docker build --build-arg APP=order-service -t kafka-poc/order-service .
#   APP = order-service | inventory-service | notification-service | console
# docker-compose.yml builds all four. Built for real, with podman, by `npm run compose:check`
# (tools/compose-check), which then runs the compose demos against the images. Plain Dockerfile
# syntax only (no `# syntax=` frontend to pull, no COPY --parents): BuildKit, the classic builder and
# buildah (podman build) all build it.

ARG NODE_IMAGE=node:24-slim

FROM ${NODE_IMAGE} AS base
WORKDIR /app
ENV npm_config_update_notifier=false \
    npm_config_fund=false \
    npm_config_audit=false

# The lockfile and every workspace manifest, picked out of the build context: the only inputs of the
# two installs below. COPY --from compares contents, so a source change does not invalidate them.
FROM base AS manifest-files
COPY . /context
RUN cd /context \
    && for f in package.json package-lock.json packages/*/package.json services/*/package.json apps/*/package.json tools/*/package.json; do \
         if [ -e "$f" ]; then mkdir -p "/manifests/$(dirname "$f")" && cp "$f" "/manifests/$f"; fi; \
       done

FROM base AS manifests
COPY --from=manifest-files /manifests/ ./

# Production dependencies of the selected app and of the workspaces it uses, nothing else: the
# manifests of the other workspaces go first (npm would install their dev-only workspaces too).
# --ignore-scripts in both installs: only dev tools have install scripts (esbuild, the `node`
# binary package, embedded-postgres), and neither the build nor the apps need them.
FROM manifests AS deps
ARG APP=order-service
COPY tools/deploy-check/src/workspaces.ts tools/deploy-check/src/prune-manifests.ts .deploy-check/
RUN --mount=type=cache,target=/root/.npm \
    node .deploy-check/prune-manifests.ts "${APP}" \
    && rm -r .deploy-check \
    && npm ci --omit=dev --ignore-scripts --workspace "@kafka-poc/${APP}"

# The production build of every app (shared by the four images): `npm run build` bundles each app
# with esbuild into <app>/dist/main.mjs (+ its source map), the file npm start runs too; image-tree.ts
# lays out .image/<app>/ with that build and the app's runtime files (migrations/, web/).
FROM manifests AS build
RUN --mount=type=cache,target=/root/.npm \
    npm ci --ignore-scripts
COPY . .
RUN npm run build && node tools/deploy-check/src/image-tree.ts .image

FROM base AS runtime
ARG APP=order-service
ENV APP=${APP} \
    NODE_ENV=production \
    HOST=0.0.0.0
COPY --from=deps /app/ ./
COPY --from=build /app/.image/${APP}/ ./
USER node
# PORT when set, else the app's default port (order 8000, inventory 8001, notification 8002, console 8080).
HEALTHCHECK --interval=10s --timeout=10s --start-period=120s --retries=3 \
  CMD ["node", "-e", "const p=process.env.PORT||{'order-service':8000,'inventory-service':8001,'notification-service':8002,console:8080}[process.env.APP];fetch('http://127.0.0.1:'+p+'/health/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# The flags every launcher uses (@kafka-poc/local-stack APP_NODE_FLAGS; npm run check:deploy compares):
# stack traces through the source map. Heap settings, if any, go in NODE_OPTIONS (docs/performance.md
# "Memory" says what the caps cost).
CMD ["node", "--enable-source-maps", "main.mjs"]
