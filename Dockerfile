# syntax=docker/dockerfile:1
# Watchfloor: `docker build -t watchfloor .` then `docker run -v watchfloor-data:/data -p 8080:8080 watchfloor`.
# Node 20 LTS: vitest 4, better-sqlite3 12 and undici 7 are the versions that run on it (../shared/ecosystem.md).
# Secrets (chat tokens, webhook URLs, the database URL) come from the environment at run time, never from here.

# Build stage: the toolchain compiles the native better-sqlite3 addon from source, and tsc compiles src/ to dist/.
FROM node:20-bookworm-slim AS build
WORKDIR /app
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# Scripts off for the install (`prepare` would build before the sources are here), then the addon from source.
RUN npm ci --no-audit --no-fund --ignore-scripts \
 && npm rebuild better-sqlite3 --build-from-source
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# Runtime stage: production dependencies only, the addon built above (same image, same Node ABI), no compiler.
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    WATCHFLOOR_CONFIG=/app/config/watchfloor.yaml \
    WATCHFLOOR_DB=/data/watchfloor.db \
    WATCHFLOOR_HTTP_PORT=8080
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts && npm cache clean --force
COPY --from=build /app/node_modules/better-sqlite3/build ./node_modules/better-sqlite3/build
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY config ./config
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8080
# The slim image has no curl: Node's own fetch asks /healthz.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.WATCHFLOOR_HTTP_PORT + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM reaches node directly (exec form): `run` finishes its step within shutdown.grace and exits before Docker's 10 s.
ENTRYPOINT ["node", "bin/watchfloor.js"]
CMD ["run"]
