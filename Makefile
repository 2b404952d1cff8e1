# Quick start on a fresh machine (only Node 20 needed; Node 24 is fetched into .tools/):
#   make demo   plan upgrades for the example GitOps repository, offline, no credentials
#   make test   type-check, lint and run the whole test suite
WITH_NODE := scripts/with-node.sh
DEMO_REPO ?= examples/flux-fleet

.PHONY: demo test deps bench build

node_modules/.package-lock.json: package-lock.json
	$(WITH_NODE) npm ci --no-audit --no-fund --loglevel=error

deps: node_modules/.package-lock.json

demo: build
	$(WITH_NODE) ./bin/cairn.js plan --repo $(DEMO_REPO) --now 2026-11-21T09:00:00Z

test: deps
	$(WITH_NODE) npm test

bench: deps
	$(WITH_NODE) npm run bench

build: deps
	$(WITH_NODE) npm run build
