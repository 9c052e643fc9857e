# syntax=docker/dockerfile:1
# Build stage: compiles the native better-sqlite3 addon with the toolchain and the TypeScript sources to dist/
# (`npm ci` runs the `prepare` script), then drops the dev dependencies. The runtime image needs neither.
FROM node:24-bookworm-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm ci --no-audit --no-fund && npm prune --omit=dev --no-audit --no-fund

FROM node:24-bookworm-slim
ENV NODE_ENV=production \
    WATCHFLOOR_CONFIG=/app/config/watchfloor.yaml \
    WATCHFLOOR_DB=/data/watchfloor.db
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
COPY config ./config
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8080
ENTRYPOINT ["node", "bin/watchfloor.js"]
CMD ["run"]
