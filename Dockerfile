# syntax=docker/dockerfile:1
# Parley in two stages. build: npm ci (which builds dist/ and web/dist/) and `scripts/release.sh pack`.
# runtime: the very release steps .ci/run proves on every run — `scripts/release.sh install` of that tarball with
# --omit=dev, then `scripts/release-check.sh` (start, /readyz, pages, an upload) — on a slim image, as a non-root user.

FROM node:22-bookworm-slim AS build
WORKDIR /src
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
COPY . .
RUN npm ci --no-audit --no-fund \
  && scripts/release.sh pack /release \
  && cp scripts/release.sh scripts/release-check.sh /release/

FROM node:22-bookworm-slim AS runtime
# pg_dump/pg_restore for `parley backup` / `parley restore` on PostgreSQL; tini reaps and forwards signals.
RUN apt-get update && apt-get install -y --no-install-recommends postgresql-client tini \
  && rm -rf /var/lib/apt/lists/*
COPY --from=build /release /release
# Build tools only for native modules without a prebuilt binary; removed in the same layer.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ \
  && /release/release.sh install /release/parley-*.tgz /app \
  && chown -R node:node /app \
  && su node -s /bin/bash -c "/release/release-check.sh /app" \
  && apt-get purge -y python3 make g++ && apt-get autoremove -y && rm -rf /var/lib/apt/lists/* /root/.npm \
  && rm -rf /release /home/node/.npm \
  && mkdir -p /data && chown node:node /data

USER node
WORKDIR /app
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    PARLEY_DATA_DIR=/data
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["/usr/bin/tini", "--", "/app/node_modules/.bin/parley"]
CMD ["start"]
