# cairn as a container: `node` on the compiled CLI, as bin/cairn.js runs it, as a
# non-root user with nothing writable but its volumes. The Kubernetes package in
# deploy/kubernetes runs it with `serve` or `agent` (docs/deploy.md).
# Build: docker build -t cairn:0.1.0 .

# 1. Compile TypeScript to dist/ (needs the dev dependencies).
FROM node:24.21.0-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY lib ./lib
COPY cli ./cli
COPY functions* ./functions/
RUN npm run build

# 2. The production dependencies only.
FROM node:24.21.0-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts && npm cache clean --force

# 3. The runtime: compiled code, production dependencies, the shipped catalog.
FROM node:24.21.0-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY package.json ./
COPY bin ./bin
COPY policies ./policies
RUN mkdir -p /var/lib/cairn && chown 10001:10001 /var/lib/cairn
USER 10001:10001
EXPOSE 8080
ENTRYPOINT ["node", "--max-semi-space-size=8", "bin/cairn.js"]
CMD ["--help"]
