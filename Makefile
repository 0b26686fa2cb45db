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

.PHONY: all build deps test test-unit test-conformance test-e2e test-loop test-node test-image tools demo fuzz lint bench profile clean schema image release-snapshot release-check

all: lint test

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) .

demo: build
	@cd examples/shop && env -i PATH="$$PATH" $(DEMO_ENV) ../../$(BIN) generate

test: deps
	$(MAKE) test-unit test-conformance test-e2e test-loop test-node test-image

# The Debian packages the tests use, installed when missing.
deps:
	test/deps.sh

# The test module (test/, its own go.mod) holds what checks hookgen against
# Argo CD's own code and real servers. Its heavy binaries (Kubernetes,
# etcd, Argo CD, kwok, kustomize, helm, redis) are built once into a cache by
# test/tools/build.sh; TOOLS runs it and exports HOOKGEN_TOOLS_BIN.
# Every test builds with the tools' flags (those of `make build` too), so
# hookgen's packages and what they share with the tools compile once.
TOOLS = eval "$$(test/tools/build.sh $(1))"
TESTFLAGS = CGO_ENABLED=0 GOFLAGS="-buildvcs=false -trimpath"
TESTMOD = cd test && $(TESTFLAGS) $(GO)
# The test module builds hookgen in a subprocess, which Go's test cache does
# not see: its results are never taken from the cache.
TESTMODTEST = $(TESTMOD) test -count=1

# The product module; its KRM tests run the kustomize the tools build.
test-unit:
	$(call TOOLS,kustomize) && $(TESTFLAGS) $(GO) test ./...

tools:
	test/tools/build.sh

# Every golden output through gitops-engine's splitter and hook readers;
# a corpus of plain directories read by Argo CD's repo-server and hookgen;
# hookgen's Pod Security checks against k8s.io/pod-security-admission;
# hookgen's YAML reading against sigs.k8s.io/yaml; its globs against
# gobwas/glob, which Argo CD matches include and exclude with.
test-conformance:
	$(TESTMODTEST) ./conformance/... ./dirread/...
	cd test/podsecdiff && $(TESTFLAGS) $(GO) test ./...
	cd test/canondiff && $(TESTFLAGS) $(GO) test ./...
	cd test/globdiff && $(TESTFLAGS) $(GO) test ./...

# The real argocd-cmp-server and kube-apiserver in the loop.
test-e2e:
	$(call TOOLS,kube etcd argocd-v2 argocd-v3 kustomize) && $(TESTMODTEST) ./internal/kubeapi/... ./internal/cmpserver/... ./e2e/...

# Argo CD's whole sync loop on a real control plane.
test-loop:
	$(call TOOLS) && $(TESTMODTEST) ./internal/tools/... ./internal/loop/... ./loop/...

# The image, from pinned inputs and without a container engine: the static
# hookgen builds, Debian's CA certificates at a pinned version and sha256,
# as an OCI layout archive (a linux/amd64 and linux/arm64 index) with a
# digest fixed by the commit, and the root filesystems the Dockerfile
# copies (docs/image.md).
image:
	tools/imagebuild/build.sh bin/image

# The archive read; the image run under runc (read-only root, uid 999);
# the Dockerfile built by buildah and compared file by file; the archive
# copied by skopeo, digest kept. Debian's runc,
# buildah and skopeo must be installed (test/deps.sh installs them).
test-image: image
	cd tools/imagebuild && $(TESTFLAGS) $(GO) test ./...

# Every release artefact from this checkout into bin/release: the binaries
# for linux, darwin and windows on amd64 and arm64, the image archive, the
# install component naming the image by digest, an SPDX SBOM, SHA256SUMS
# (docs/release.md). release-check builds it twice from clean clones, the
# second with an empty Go build cache, and compares every byte.
release-snapshot:
	tools/imagebuild/release.sh bin/release

release-check:
	tools/imagebuild/release-check.sh

# The loop on a real node: kubelet, containerd, Debian's runc and
# kube-proxy run the hooks' containers in hookgen's image (built as
# `make image` does, into bin/image-node), and the sidecar runs in a pod
# built from the install (needs root; apt-get install runc).
# One node at a time: the kubelet's cgroups are host-wide (-p 1).
# The tests build hookgen's image in a network namespace of their own:
# its one download, the pinned CA certificates, is fetched first.
test-node:
	tools/imagebuild/build.sh --fetch
	$(call TOOLS,kube etcd argocd-v2 argocd-v3 redis kustomize helm kubelet containerd cni nft busybox) && $(TESTMODTEST) -p 1 ./internal/node/... ./realnode/... ./sidecar/...

# Each fuzz target for FUZZTIME; the seed corpus runs in every `go test`.
fuzz:
	@for p in ./transform ./internal/subst ./runner ./internal/podsec ./internal/argoglob; do \
		for t in $$($(GO) test $$p -list '^Fuzz' | grep '^Fuzz'); do \
			echo "== $$p $$t"; $(GO) test $$p -run '^$$' -fuzz "^$$t\$$" -fuzztime $(FUZZTIME) || exit 1; done; done
	@for d in test/podsecdiff test/canondiff test/globdiff; do (cd $$d && for t in $$($(GO) test . -list '^Fuzz' | grep '^Fuzz'); do \
		echo "== $$d $$t"; $(GO) test . -run '^$$' -fuzz "^$$t\$$" -fuzztime $(FUZZTIME) || exit 1; done) || exit 1; done

# The JSON Schemas in schema/ from the Go types (tools/schemagen is a
# module of its own: its dependencies stay out of hookgen's).
schema:
	cd tools/schemagen && $(GO) run .

# Whole processes side by side with kustomize v5.8.2, and the Go benchmarks;
# BENCHFLAGS go to the bench program (e.g. BENCHFLAGS="-runs 2").
bench:
	bash bench/run.sh $(BENCHFLAGS)

# Where a hooks-only run and hookgen --version spend their time: perf
# samples of many runs of a hookgen built with symbols, split by phase and
# by module (bench/profiles; needs perf: apt-get install linux-perf).
profile:
	CGO_ENABLED=0 $(GO) build -trimpath -o bin/symbols/hookgen .
	$(GO) run ./bench -profile bench/profiles -hookgen bin/symbols/hookgen $(BENCHFLAGS)

lint:
	@out=$$(gofmt -l . ); if [ -n "$$out" ]; then echo "gofmt wants changes in:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	GOARCH=386 $(GO) vet ./...  # go install must work where int has 32 bits
	$(TESTMOD) vet ./...
	cd test/podsecdiff && $(TESTFLAGS) $(GO) vet ./...
	cd test/canondiff && $(TESTFLAGS) $(GO) vet ./...
	cd test/globdiff && $(TESTFLAGS) $(GO) vet ./...
	cd tools/imagebuild && $(GO) vet ./...

clean:
	rm -rf bin
