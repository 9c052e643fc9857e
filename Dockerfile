# syntax=docker/dockerfile:1
# Build stage: compiles the native better-sqlite3 addon with the toolchain, which the runtime image does not need.
FROM node:24-bookworm-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:24-bookworm-slim
ENV NODE_ENV=production \
    WATCHFLOOR_CONFIG=/app/config/watchfloor.yaml \
    WATCHFLOOR_DB=/data/watchfloor.db
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY package.json ./
COPY bin ./bin
COPY src ./src
COPY config ./config
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8080
ENTRYPOINT ["node", "bin/watchfloor.js"]
CMD ["run"]
