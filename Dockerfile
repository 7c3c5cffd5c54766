# syntax=docker/dockerfile:1
#
# One image for axnbot's long-running processes; the command picks which:
#   docker build -t axnbot .
#   docker run --env-file .env -v axnbot-data:/data -p 3000:3000 axnbot slack-bot
#   docker run --env-file .env -v axnbot-data:/data -p 3000:3000 axnbot dingtalk-bot
#   docker run -p 8787:8787 -e PORT=8787 axnbot emulator
# Every mode listens on $PORT (3000 unless set) and answers the HEALTHCHECK there. The ledger is
# /data/axnbot.db on the /data volume unless AXN_DATABASE_URL points at PostgreSQL. See README → Deploying.

# ---- build: install, compile, and deploy each app with its production dependencies only ----
# (On Node 24 SQLite is the built-in node:sqlite: the CLI's optional better-sqlite3, for Node 20, is left out.)
FROM node:24-bookworm-slim AS build

# A native addon that has no prebuilt binary for this Node (better-sqlite3, where still used) builds here.
RUN apt-get update \
  && apt-get install -y --no-install-recommends g++ make python3 \
  && rm -rf /var/lib/apt/lists/*

RUN npm install --global --no-audit --no-fund pnpm@12.21.0

WORKDIR /src
COPY . .
RUN pnpm install --frozen-lockfile \
  && pnpm build \
  && pnpm --filter @axnbot/slack-bot deploy --prod /out/slack-bot \
  && pnpm --filter @axnbot/dingtalk-bot deploy --prod /out/dingtalk-bot \
  && pnpm --filter @axnbot/cli deploy --prod --no-optional /out/cli

# ---- runtime: Node 24, no compiler, no pnpm, a non-root user ----
FROM node:24-bookworm-slim AS runtime

ENV NODE_ENV=production \
  PORT=3000 \
  AXN_DATABASE_URL=/data/axnbot.db

WORKDIR /app
# Owned by root and read-only to the user the processes run as.
COPY --from=build /out/ /app/
COPY docker/entrypoint.sh /usr/local/bin/axnbot
COPY docker/healthcheck.mjs /app/healthcheck.mjs

# The ledger (and the emulator's database) live on a volume the node user alone may read.
RUN mkdir -p /data \
  && chown node:node /data \
  && chmod 0700 /data \
  && chmod 0755 /usr/local/bin/axnbot
VOLUME ["/data"]

USER node
EXPOSE 3000

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "/app/healthcheck.mjs"]

ENTRYPOINT ["/usr/local/bin/axnbot"]
CMD ["help"]
