#!/usr/bin/env bash
# make bench: time hookgen as Argo CD runs it, side by side with kustomize,
# and write bench/results.md.
#
#   bench/run.sh [flags for the bench program, e.g. -runs 2 or -rows a,b]
#
# 1. installs kustomize v5.8.2 (go install) and builds bin/hookgen;
# 2. runs the Go benchmarks of the transform package (load, transform,
#    write on 1 to 10,000 resources) into bench/go-bench.txt;
# 3. runs the bench program (bench/main.go): it generates the inputs and
#    times whole processes, interleaved, for rows start, a, b, c;
# 4. row (d), through the real argocd-cmp-server, runs when the test tools
#    are built ($HOOKGEN_TOOLS_BIN/argocd-v2, see test/tools/build.sh) and
#    the test module has the cmp-server harness; otherwise the report says
#    it was not measured. HOOKGEN_BENCH_TESTMOD names another test module
#    directory that has it (default: test), with _cmpbench/cmp_test.go in
#    it.
set -euo pipefail
cd "$(dirname "$0")/.."

export GOFLAGS="${GOFLAGS:--buildvcs=false}"
kustomize_version=v5.8.2

echo "== installing kustomize $kustomize_version" >&2
go install "sigs.k8s.io/kustomize/kustomize/v5@$kustomize_version"
kustomize="$(go env GOPATH | cut -d: -f1)/bin/kustomize"
if [ -n "$(go env GOBIN)" ]; then kustomize="$(go env GOBIN)/kustomize"; fi

echo "== building hookgen" >&2
make -s build

echo "== Go benchmarks (bench/go-bench.txt)" >&2
go test ./transform -run '^$' -bench 'Load|Transform|Write|HooksOnly|Kustomize' -benchmem -count 1 | tee bench/go-bench.txt >&2

work=$(mktemp -d "${TMPDIR:-/tmp}/hookgen-bench-XXXXXX")
trap 'rm -rf "$work"' EXIT

# Row (d): the real argocd-cmp-server, when the tools and the harness are here.
cmp_arg="HOOKGEN_TOOLS_BIN is not set (build the tools with test/tools/build.sh)"
if [ -n "${HOOKGEN_TOOLS_BIN:-}" ] && [ ! -x "$HOOKGEN_TOOLS_BIN/argocd-v2" ]; then
	cmp_arg="$HOOKGEN_TOOLS_BIN has no argocd-v2"
elif [ -n "${HOOKGEN_TOOLS_BIN:-}" ] && [ ! -d "${HOOKGEN_BENCH_TESTMOD:-test}/internal/cmpserver" ]; then
	cmp_arg="the test module has no cmp-server harness (${HOOKGEN_BENCH_TESTMOD:-test}/internal/cmpserver)"
elif [ -n "${HOOKGEN_TOOLS_BIN:-}" ]; then
	echo "== row (d): argocd-cmp-server" >&2
	go run ./bench -hookgen bin/hookgen -kustomize "$kustomize" -work "$work" -rows none -out /dev/null >/dev/null
	if (hookgen="$PWD/bin/hookgen" && cd "${HOOKGEN_BENCH_TESTMOD:-test}" && HOOKGEN_BENCH_REPO="$work/cmp-repo" HOOKGEN_BENCH_APP=plain-1000 HOOKGEN_BENCH_HOOKGEN="$hookgen" \
		HOOKGEN_BENCH_OUT="$work/cmp.json" go test -run TestCMPBench -count 1 -timeout 30m ./_cmpbench >&2); then
		cmp_arg="$work/cmp.json"
	else
		cmp_arg="the cmp-server run failed (see above)"
	fi
fi

echo "== whole processes (bench/results.md)" >&2
go run ./bench -hookgen bin/hookgen -kustomize "$kustomize" -work "$work" -cmp "$cmp_arg" -out bench/results.md "$@"
