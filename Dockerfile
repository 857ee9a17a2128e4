# syntax=docker/dockerfile:1
# TinyOlly container image: multi-stage. `docker build .` gives the small `runtime` image (the last
# stage); docker-compose.yml also builds the `demo` target for the demo services.
#
# Stages:
#   deps     every npm dependency, dev included (the UI bundle inputs, the demo's OpenTelemetry SDK)
#   build    bundles the web UI into ui/dist (`node scripts/build-ui.mjs`) and the server into
#            dist/server/main.mjs (`node scripts/build-server.mjs`)
#   demo     demo-frontend / demo-backend / traffic. The OpenTelemetry SDK packages the demo uses are
#            devDependencies of the project, so this target keeps the full node_modules from `deps`
#            instead of bloating the runtime image with them. Pick the process with the command.
#   runtime  TinyOlly itself on node:20-slim: production dependencies only, the server bundle run by
#            plain node (as `npm start` does), non-root user, HEALTHCHECK on /healthz. The sources and
#            tsx stay for the client commands (`node bin/tinyolly.js wait|assert|mcp|…` via docker exec).

ARG NODE_IMAGE=node:20-slim

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

FROM deps AS build
COPY . .
RUN node scripts/build-ui.mjs && node scripts/build-server.mjs

FROM ${NODE_IMAGE} AS demo
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json tsconfig.json ./
COPY demo ./demo
USER node
# Overridden per service in docker-compose.yml (demo/backend.ts, demo/frontend.ts, demo/traffic.ts).
CMD ["node", "--import", "tsx", "demo/run.ts"]

FROM ${NODE_IMAGE} AS runtime
# TinyOlly binds loopback by default (CONTRACT §1); inside a container that would be unreachable from
# the host and from the other compose services, so the image listens on every interface.
ENV NODE_ENV=production TINYOLLY_HOST=0.0.0.0
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY tsconfig.json ./
COPY bin ./bin
COPY proto ./proto
COPY src ./src
COPY --from=build /app/ui/dist ./ui/dist
COPY --from=build /app/dist/server ./dist/server
COPY scripts/build-server.mjs ./scripts/
# The image's node user (uid 1000) owns nothing it could rewrite: the app files stay root-owned.
USER node
# gRPC OTLP, HTTP OTLP, UI + API (CONTRACT §1). Inside docker-compose only 5002 is published.
EXPOSE 4317 4318 5002
# slim images have no curl: node's own fetch probes /healthz (503 while the store is unreachable).
HEALTHCHECK --interval=10s --timeout=3s --start-period=15s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.TINYOLLY_UI_PORT||5002)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/server/main.mjs"]
