#!/usr/bin/env bash
# make bench: time hookgen as Argo CD runs it, side by side with kustomize,
# and write bench/results.md.
#
#   bench/run.sh [flags for the bench program, e.g. -runs 2 or -rows a,b]
#
# 1. installs kustomize v5.8.2 (go install) and builds bin/hookgen;
# 2. for rows d and r, builds Argo CD v2.14.21 and redis into the tool
#    cache with test/tools/build.sh (once; later runs reuse them);
# 3. runs the Go benchmarks of the transform package (load, transform,
#    write on 1 to 10,000 resources) into bench/go-bench.txt, then, in
#    the test module (HOOKGEN_BENCH_TESTMOD, default test):
#    row d, through the real argocd-cmp-server (_cmpbench), and rows r
#    and the monorepo figure, through the real argocd-repo-server
#    (_repobench); each writes JSON for the bench program;
# 4. runs the bench program (bench/main.go): it generates the inputs,
#    times whole processes, interleaved, for rows start, a, b, c, and adds
#    rows d and r from the JSON.
# A row that cannot run (a tool that does not build, a failed run) stops
# make bench with the reason; no row is left out quietly. -rows picks
# rows, and d and r run only when picked (or when -rows is not given).
set -euo pipefail
cd "$(dirname "$0")/.."

export GOFLAGS="${GOFLAGS:--buildvcs=false}"
kustomize_version=v5.8.2
testmod=${HOOKGEN_BENCH_TESTMOD:-test}

die() {
	echo "bench: $*" >&2
	exit 1
}

# Which of the rows that need Argo CD were asked for.
rows=""
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
	case ${args[i]} in
	-rows | --rows) rows=${args[i + 1]:-} ;;
	-rows=* | --rows=*) rows=${args[i]#*=} ;;
	esac
done
want() { [[ -z $rows || ",$rows," == *",$1,"* ]]; }

echo "== installing kustomize $kustomize_version" >&2
go install "sigs.k8s.io/kustomize/kustomize/v5@$kustomize_version"
kustomize="$(go env GOPATH | cut -d: -f1)/bin/kustomize"
if [ -n "$(go env GOBIN)" ]; then kustomize="$(go env GOBIN)/kustomize"; fi

echo "== building hookgen" >&2
make -s build

work=$(mktemp -d "${TMPDIR:-/tmp}/hookgen-bench-XXXXXX")
srvtmp=""
trap 'rm -rf "$work" ${srvtmp:+"$srvtmp"}' EXIT

argo_rows=()
if want d; then argo_rows+=(d); fi
if want r; then argo_rows+=(r); fi
if ((${#argo_rows[@]} > 0)); then
	echo "== Argo CD v2.14.21 and redis for rows ${argo_rows[*]} (test/tools/build.sh)" >&2
	tools_env=$(test/tools/build.sh argocd-v2 redis) ||
		die "rows ${argo_rows[*]} need argocd-v2 and redis, and test/tools/build.sh could not build them (see above)"
	eval "$tools_env"
	[ -x "$HOOKGEN_TOOLS_BIN/argocd-v2" ] && [ -x "$HOOKGEN_TOOLS_BIN/redis-server" ] ||
		die "test/tools/build.sh left no argocd-v2 or redis-server in $HOOKGEN_TOOLS_BIN"
	for d in internal/cmpserver _cmpbench _repobench; do
		[ -d "$testmod/$d" ] || die "the test module $testmod has no $d"
	done
	# Argo CD's servers write each request's files under TMPDIR: the
	# repository's tar and, for a plugin, its extraction. On a disk that
	# time follows the disk, not the plugin: on the machine of
	# bench/results.md (ext4 mounted with discard) a cat plugin's request
	# took 0.4 to 2.5 s from run to run, against 0.2 to 0.3 s on a tmpfs,
	# and the noise hid hookgen's own 20 to 70 ms. So rows d and r run the
	# servers on a tmpfs, as a sidecar whose /tmp is an emptyDir of medium
	# Memory; the report names the file system the servers saw.
	tmpfs=${HOOKGEN_BENCH_TMPFS:-/dev/shm}
	[ "$(stat -f -c %T "$tmpfs" 2>/dev/null)" = tmpfs ] ||
		die "rows ${argo_rows[*]} run Argo CD's servers on a tmpfs, and $tmpfs is not one (set HOOKGEN_BENCH_TMPFS to a tmpfs directory)"
	srvtmp=$(mktemp -d "$tmpfs/hookgen-bench-XXXXXX")
	echo "== inputs" >&2
	go run ./bench -hookgen bin/hookgen -kustomize "$kustomize" -work "$work" -rows none -out /dev/null >/dev/null
fi
echo "== Go benchmarks (bench/go-bench.txt)" >&2
go test ./transform ./internal/yamlio -run '^$' -bench 'Load|Transform|Write|HooksOnly|Kustomize|Keep' -benchmem -count 1 | tee bench/go-bench.txt >&2
# canon against sigs.k8s.io/yaml, which stays out of hookgen's module.
(cd test/canondiff && go test -run '^$' -bench 'Keep' -benchmem -count 1) | tee -a bench/go-bench.txt >&2

# The servers' rows run hookgen from a copy, as the bench program runs
# every binary it times (bench/install.go says why).
mkdir -p "$work/bin"
cp bin/hookgen "$work/bin/hookgen-servers"
hookgen="$work/bin/hookgen-servers"
flags=()
if want d; then
	echo "== row d: argocd-cmp-server" >&2
	(cd "$testmod" && TMPDIR="$srvtmp" HOOKGEN_BENCH_REPO="$work/cmp-repo" HOOKGEN_BENCH_APP=plain-1000 HOOKGEN_BENCH_HOOKGEN="$hookgen" \
		HOOKGEN_BENCH_OUT="$work/cmp.json" go test -run TestCMPBench -count 1 -timeout 30m ./_cmpbench >&2) ||
		die "row d: the run through argocd-cmp-server failed (see above)"
	flags+=(-cmp "$work/cmp.json")
fi
if want r; then
	echo "== rows r and the monorepo: argocd-repo-server" >&2
	(cd "$testmod" && TMPDIR="$srvtmp" HOOKGEN_BENCH_REPOS="$work/repo-bench" HOOKGEN_BENCH_HOOKGEN="$hookgen" \
		HOOKGEN_BENCH_OUT="$work/repo.json" go test -run TestRepoBench -count 1 -timeout 60m ./_repobench >&2) ||
		die "rows r: the run through argocd-repo-server failed (see above)"
	flags+=(-repo "$work/repo.json")
fi

echo "== whole processes (bench/results.md)" >&2
go run ./bench -hookgen bin/hookgen -kustomize "$kustomize" -work "$work" "${flags[@]}" -out bench/results.md "$@"
