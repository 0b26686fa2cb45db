# hookgen: build, test, demo, fuzz, lint.
#
#   make demo   build hookgen and print what Argo CD receives for examples/shop
#   make test   every test: unit, golden, fuzz seeds, the built binary, and
#               the test module that checks the output with Argo CD's own code
#   make bench  time hookgen against kustomize, write bench/results.md

GO       ?= go
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT   ?= $(shell git rev-parse --short HEAD 2>/dev/null)
LDFLAGS  := -s -w -X github.com/hookgen/hookgen/plugin.version=$(VERSION) -X github.com/hookgen/hookgen/plugin.commit=$(COMMIT)
BIN      := bin/hookgen
FUZZTIME ?= 30s

# The environment Argo CD gives the plugin, for the demo.
DEMO_ENV := ARGOCD_APP_NAME=shop ARGOCD_APP_NAMESPACE=shop ARGOCD_APP_PROJECT_NAME=default \
	ARGOCD_APP_REVISION=5f3c2a1b9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b ARGOCD_APP_SOURCE_PATH=examples/shop \
	ARGOCD_APP_SOURCE_REPO_URL=https://github.com/hookgen/hookgen.git ARGOCD_APP_SOURCE_TARGET_REVISION=main

.PHONY: all build test test-unit test-conformance test-e2e test-loop test-node tools demo fuzz lint bench clean schema

all: lint test

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) .

demo: build
	@cd examples/shop && env -i PATH="$$PATH" $(DEMO_ENV) ../../$(BIN) generate

test: test-unit test-conformance test-e2e test-loop test-node

# The test module (test/, its own go.mod) holds what checks hookgen against
# Argo CD's own code and real servers. Its heavy binaries (Kubernetes,
# etcd, Argo CD, kwok, kustomize, redis) are built once into a cache by
# test/tools/build.sh; TOOLS runs it and exports HOOKGEN_TOOLS_BIN.
# Every test builds with the tools' flags (those of `make build` too), so
# hookgen's packages and what they share with the tools compile once.
TOOLS = eval "$$(test/tools/build.sh $(1))"
TESTFLAGS = CGO_ENABLED=0 GOFLAGS="-buildvcs=false -trimpath"
TESTMOD = cd test && $(TESTFLAGS) $(GO)

# The product module; its KRM tests run the kustomize the tools build.
test-unit:
	$(call TOOLS,kustomize) && $(TESTFLAGS) $(GO) test ./...

tools:
	test/tools/build.sh

# Every golden output through gitops-engine's splitter and hook readers.
test-conformance:
	$(TESTMOD) test ./conformance/...

# The real argocd-cmp-server and kube-apiserver in the loop.
test-e2e:
	$(call TOOLS,kube etcd argocd-v2 argocd-v3 kustomize) && $(TESTMOD) test ./internal/kubeapi/... ./internal/cmpserver/... ./e2e/...

# Argo CD's whole sync loop on a real control plane.
test-loop:
	$(call TOOLS) && $(TESTMOD) test ./internal/tools/... ./internal/loop/... ./loop/...

# The loop on a real node: kubelet, containerd, Debian's runc and
# kube-proxy run the hooks' containers (needs root; apt-get install runc).
# One node at a time: the kubelet's cgroups are host-wide (-p 1).
test-node:
	$(call TOOLS,kube etcd argocd-v3 redis kubelet containerd cni nft busybox) && $(TESTMOD) test -p 1 ./internal/node/... ./realnode/...

# Each fuzz target for FUZZTIME; the seed corpus runs in every `go test`.
fuzz:
	@for p in ./transform ./runner; do \
		for t in $$($(GO) test $$p -list '^Fuzz' | grep '^Fuzz'); do \
			echo "== $$p $$t"; $(GO) test $$p -run '^$$' -fuzz "^$$t\$$" -fuzztime $(FUZZTIME) || exit 1; done; done

# The JSON Schemas in schema/ from the Go types (tools/schemagen is a
# module of its own: its dependencies stay out of hookgen's).
schema:
	cd tools/schemagen && $(GO) run .

# Whole processes side by side with kustomize v5.8.2, and the Go benchmarks;
# BENCHFLAGS go to the bench program (e.g. BENCHFLAGS="-runs 2").
bench:
	bash bench/run.sh $(BENCHFLAGS)

lint:
	@out=$$(gofmt -l . ); if [ -n "$$out" ]; then echo "gofmt wants changes in:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(TESTMOD) vet ./...

clean:
	rm -rf bin
