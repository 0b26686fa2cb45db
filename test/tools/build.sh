#!/usr/bin/env bash
# Build the heavy test binaries (Kubernetes control plane, etcd, Argo CD,
# kwok, kustomize, helm, redis, and the real node's kubelet, kube-proxy,
# containerd, CNI plugins, nft and busybox) into a content-addressed cache
# and link them into one bin directory.
#
# Usage: test/tools/build.sh [tool...]
#   tools: kube etcd argocd-v2 argocd-v3 kwok kustomize helm redis
#          kubelet containerd cni nft busybox (default: all)
#
# Each tool lands in
#   $CACHE/<tool>-<hash>/
# where <hash> covers the tool's go.mod, go.sum, Go files, build flags and the
# Go version (for redis, nft and busybox: the Debian package versions). A directory that holds
# a .complete marker is reused as is. The bin directory $CACHE/bin gets a
# symlink per binary for every tool whose current directory is complete.
#
# Progress goes to stderr. The last line on stdout is
#   export HOOKGEN_TOOLS_BIN=<dir>
# so `eval "$(test/tools/build.sh)"` sets up the current shell.
#
# Environment:
#   HOOKGEN_TOOLS_CACHE  cache root (default ${XDG_CACHE_HOME:-$HOME/.cache}/hookgen-tools)
#   HOOKGEN_TOOLS_JOBS   parallel go build jobs (default 2)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${HOOKGEN_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/hookgen-tools}
jobs=${HOOKGEN_TOOLS_JOBS:-2}

# Longest first, so that two lanes finish at about the same time.
all_tools=(kube argocd-v2 argocd-v3 kwok containerd kubelet helm kustomize etcd cni redis nft busybox)

log() { printf '[build.sh %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() {
	log "ERROR: $*"
	exit 1
}

# ---------------------------------------------------------------------------
# Per-tool recipe: Go packages, output names, link flags, version check.

kube_version=v1.37.2
kube_ld="-X k8s.io/component-base/version.gitVersion=${kube_version} -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=37 -X k8s.io/component-base/version.gitTreeState=clean"

# go_pkgs TOOL: main packages to build (their base names are the binary names,
# except for the argocd multi-call command, see out_name).
go_pkgs() {
	case $1 in
	kube) echo k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kube-scheduler ;;
	etcd) echo github.com/hookgen/hookgen/test/tools/etcd ;;
	argocd-v2) echo github.com/argoproj/argo-cd/v2/cmd ;;
	argocd-v3) echo github.com/argoproj/argo-cd/v3/cmd ;;
	kwok) echo sigs.k8s.io/kwok/cmd/kwok ;;
	kustomize) echo sigs.k8s.io/kustomize/kustomize/v5 ;;
	helm) echo helm.sh/helm/v3/cmd/helm ;;
	kubelet) echo k8s.io/kubernetes/cmd/kubelet k8s.io/kubernetes/cmd/kube-proxy ;;
	containerd) echo github.com/containerd/containerd/v2/cmd/containerd github.com/containerd/containerd/v2/cmd/containerd-shim-runc-v2 github.com/containerd/containerd/v2/cmd/ctr ;;
	cni) echo github.com/containernetworking/plugins/plugins/main/bridge github.com/containernetworking/plugins/plugins/ipam/host-local github.com/containernetworking/plugins/plugins/main/loopback ;;
	*) die "unknown Go tool $1" ;;
	esac
}

go_ldflags() {
	local ld="-s -w"
	case $1 in
	kube | kubelet) ld="$ld $kube_ld" ;;
	containerd) ld="$ld -X github.com/containerd/containerd/v2/version.Version=v2.4.2" ;;
	cni) ld="$ld -X github.com/containernetworking/plugins/pkg/utils/buildversion.BuildVersion=v1.10.0" ;;
	argocd-v2) ld="$ld -X github.com/argoproj/argo-cd/v2/common.version=2.14.21" ;;
	argocd-v3) ld="$ld -X github.com/argoproj/argo-cd/v3/common.version=3.3.10" ;;
	helm) ld="$ld -X helm.sh/helm/v3/internal/version.version=v3.21.4" ;;
	esac
	echo "$ld"
}

# go_tags TOOL: build tags (empty for most tools).
go_tags() {
	case $1 in
	containerd) echo no_btrfs no_devmapper no_zfs ;;
	esac
}

# bin_links TOOL: "<link name>=<file in the tool directory>" pairs.
bin_links() {
	case $1 in
	kube) echo kube-apiserver=kube-apiserver kube-controller-manager=kube-controller-manager kube-scheduler=kube-scheduler ;;
	etcd) echo etcd=etcd ;;
	argocd-v2) echo argocd-v2=argocd ;;
	argocd-v3) echo argocd-v3=argocd ;;
	kwok) echo kwok=kwok ;;
	kustomize) echo kustomize=kustomize ;;
	helm) echo helm=helm ;;
	redis) echo redis-server=redis-server ;;
	kubelet) echo kubelet=kubelet kube-proxy=kube-proxy ;;
	containerd) echo containerd=containerd containerd-shim-runc-v2=containerd-shim-runc-v2 ctr=ctr ;;
	cni) echo cni-bridge=bridge cni-host-local=host-local cni-loopback=loopback ;;
	nft) echo nft=nft ;;
	busybox) echo busybox=busybox ;;
	esac
}

go_env=(CGO_ENABLED=0 "GOFLAGS=-buildvcs=false -trimpath -mod=readonly")

# Debian packages extracted (not installed into the system) for the tools
# made of Debian packages: redis; nft, which kube-proxy's nftables mode
# runs; busybox, the root and named-user test images of the real node.
deb_pkgs() {
	case $1 in
	redis) echo redis-server redis-tools libjemalloc2 liblzf1 ;;
	nft) echo nftables libnftables1 libnftnl11 libjansson4 libmnl0 libxtables12 ;;
	busybox) echo busybox-static ;;
	esac
}
is_deb() { [[ $1 == redis || $1 == nft || $1 == busybox ]]; }

# tool_hash TOOL: short hash of everything that determines the tool's output.
tool_hash() {
	local t=$1
	{
		echo "recipe-v1 $t"
		if is_deb "$t"; then
			local p
			for p in $(deb_pkgs "$t"); do
				echo "$p=$(apt-cache policy "$p" 2>/dev/null | awk '/Candidate:/{print $2}')"
			done
			dpkg --print-architecture 2>/dev/null || true
		else
			echo "$go_id"
			echo "${go_env[*]}"
			echo "pkgs: $(go_pkgs "$t")"
			echo "ldflags: $(go_ldflags "$t")"
			[[ -z $(go_tags "$t") ]] || echo "tags: $(go_tags "$t")"
			(cd "$here/$t" && cat go.mod go.sum ./*.go)
		fi
	} | sha256sum | cut -c1-16
}

# Hashes are computed once per run (tool_dir is called often).
declare -A tool_hashes=()
go_id=""
compute_hashes() {
	go_id=$(go env GOVERSION GOOS GOARCH)
	local t
	for t in "${all_tools[@]}"; do
		tool_hashes[$t]=$(tool_hash "$t")
	done
}
tool_dir() { echo "$cache/$1-${tool_hashes[$1]}"; }

# verify TOOL DIR: run every binary once; record the answers in DIR/VERSION.txt.
verify() {
	local t=$1 d=$2 out
	case $t in
	kube)
		"$d/kube-apiserver" --version || return 1
		"$d/kube-controller-manager" --version || return 1
		"$d/kube-scheduler" --version || return 1
		;;
	etcd) "$d/etcd" --version || return 1 ;;
	argocd-v2 | argocd-v3)
		ARGOCD_BINARY_NAME=argocd "$d/argocd" version --client --short || return 1
		local p
		for p in argocd-cmp-server argocd-repo-server argocd-application-controller; do
			out=$(ARGOCD_BINARY_NAME=$p "$d/argocd" --help) || return 1
			echo "$p: ${out%%$'\n'*}"
		done
		;;
	kwok) "$d/kwok" --version || return 1 ;;
	kustomize) "$d/kustomize" version || return 1 ;;
	helm) "$d/helm" version --short || return 1 ;;
	redis) "$d/redis-server" --version || return 1 ;;
	kubelet)
		"$d/kubelet" --version || return 1
		"$d/kube-proxy" --version || return 1
		;;
	containerd)
		"$d/containerd" --version || return 1
		"$d/ctr" --version || return 1
		"$d/containerd-shim-runc-v2" -v || return 1
		;;
	cni)
		local p
		for p in bridge host-local loopback; do
			out=$(CNI_COMMAND=VERSION "$d/$p" </dev/null) || return 1
			echo "$p: $out"
		done
		;;
	nft) "$d/nft" --version || return 1 ;;
	busybox)
		"$d/busybox" true || return 1
		out=$("$d/busybox" --help 2>&1 || true)
		echo "${out%%$'\n'*}"
		;;
	esac
}

# ---------------------------------------------------------------------------

build_go() {
	local t=$1 out=$2
	local pkgs ld
	pkgs=$(go_pkgs "$t")
	ld=$(go_ldflags "$t")
	local tags=()
	[[ -z $(go_tags "$t") ]] || tags=(-tags "$(go_tags "$t")")
	# shellcheck disable=SC2086
	(cd "$here/$t" && env "${go_env[@]}" go build "${tags[@]}" -ldflags="$ld" -o "$out/" $pkgs)
	if [[ $t == etcd ]]; then
		# The main package is the module root; name the binary etcd.
		[[ -e $out/etcd ]] || mv "$out/$(basename "$(go_pkgs etcd)")" "$out/etcd"
	fi
	if [[ $t == argocd-v* ]]; then
		mv "$out/cmd" "$out/argocd"
	fi
	if [[ $t == kustomize ]]; then
		[[ -e $out/kustomize ]] || mv "$out/v5" "$out/kustomize"
	fi
}

# download_debs TOOL OUT: extract the tool's Debian packages into OUT/root.
download_debs() {
	local t=$1 out=$2 dl="$2/deb"
	local pkgs
	read -r -a pkgs <<<"$(deb_pkgs "$t")"
	mkdir -p "$dl" "$out/root"
	if ! (cd "$dl" && apt-get download "${pkgs[@]}") >&2; then
		if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
			log "$t: apt-get download failed; running apt-get update once"
			apt-get update >&2
			(cd "$dl" && apt-get download "${pkgs[@]}") >&2 || return 1
		else
			return 1
		fi
	fi
	local f
	for f in "$dl"/*.deb; do dpkg-deb -x "$f" "$out/root"; done
	rm -rf "$dl"
}

build_redis() {
	local out=$1
	if ! download_debs redis "$out"; then
		if command -v redis-server >/dev/null; then
			log "redis: apt-get download failed; using $(command -v redis-server)"
			rm -rf "$out/deb" "$out/root"
			printf '#!/bin/sh\nexec %q "$@"\n' "$(command -v redis-server)" >"$out/redis-server"
			chmod +x "$out/redis-server"
			return 0
		fi
		die "redis: apt-get download $(deb_pkgs redis) failed (run apt-get update, or install redis-server)"
	fi
	local lib
	lib=$(dirname "$(find "$out/root" -name 'libjemalloc.so.2' | head -n 1)")
	lib=${lib#"$out/"}
	[[ -x $out/root/usr/bin/redis-check-rdb ]] || die "redis: no redis binary in the packages"
	# Debian's redis-server is a symlink to redis-check-rdb; the program picks
	# its role from argv[0], so the wrapper execs the redis-server name.
	cat >"$out/redis-server" <<EOF
#!/bin/sh
# Runs Debian's redis-server extracted next to this script (not installed).
d=\$(dirname "\$(readlink -f "\$0")")
LD_LIBRARY_PATH="\$d/$lib\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}" exec "\$d/root/usr/bin/redis-server" "\$@"
EOF
	chmod +x "$out/redis-server"
}

# build_nft OUT: Debian's nft with its libraries, behind a wrapper that sets
# LD_LIBRARY_PATH (kube-proxy's nftables mode runs "nft" from PATH).
build_nft() {
	local out=$1
	download_debs nft "$out" || die "nft: apt-get download $(deb_pkgs nft) failed (run apt-get update)"
	[[ -x $out/root/usr/sbin/nft ]] || die "nft: no nft binary in the packages"
	cat >"$out/nft" <<'EOF'
#!/bin/sh
# Runs Debian's nft extracted next to this script (not installed).
d=$(dirname "$(readlink -f "$0")")
LD_LIBRARY_PATH="$d/root/usr/lib/x86_64-linux-gnu:$d/root/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" exec "$d/root/usr/sbin/nft" "$@"
EOF
	chmod +x "$out/nft"
}

# build_busybox OUT: Debian's static busybox, which the real node's test
# images are made of.
build_busybox() {
	local out=$1
	download_debs busybox "$out" || die "busybox: apt-get download busybox-static failed (run apt-get update)"
	[[ -x $out/root/bin/busybox ]] || die "busybox: no /bin/busybox in busybox-static"
	cp "$out/root/bin/busybox" "$out/busybox"
	rm -rf "$out/root"
}

# build_one TOOL: build into a temporary directory, verify, then publish it.
build_one() {
	local t=$1 d tmp start secs
	d=$(tool_dir "$t")
	if [[ -e $d/.complete ]]; then
		log "$t: up to date ($d)"
		return 0
	fi
	tmp="$d.tmp.$$"
	rm -rf "$tmp"
	mkdir -p "$tmp"
	trap 'rm -rf "$tmp"' EXIT # runs in its own subshell; keeps failures from leaving debris
	start=$(date +%s)
	log "$t: building into $d"
	if is_deb "$t"; then
		"build_$t" "$tmp"
	else
		build_go "$t" "$tmp"
	fi
	verify "$t" "$tmp" >"$tmp/VERSION.txt" 2>&1 || {
		cat "$tmp/VERSION.txt" >&2
		die "$t: built binaries do not start"
	}
	secs=$(($(date +%s) - start))
	echo "$secs" >"$tmp/build-seconds"
	rm -rf "$d"
	mv "$tmp" "$d"
	touch "$d/.complete"
	log "$t: done in ${secs}s: $(head -n 1 "$d/VERSION.txt")"
}

link_bin() {
	local bin="$cache/bin" t d pair name file
	mkdir -p "$bin"
	for t in "${all_tools[@]}"; do
		d=$(tool_dir "$t")
		for pair in $(bin_links "$t"); do
			name=${pair%%=*}
			file=${pair#*=}
			if [[ -e $d/.complete ]]; then
				ln -sfn "$d/$file" "$bin/$name"
			else
				rm -f "$bin/$name" # never leave a link to an outdated build
			fi
		done
	done
}

main() {
	local tools=("$@") t
	[[ ${#tools[@]} -gt 0 ]] || tools=("${all_tools[@]}")
	for t in "${tools[@]}"; do
		[[ " ${all_tools[*]} " == *" $t "* ]] || die "unknown tool '$t' (known: ${all_tools[*]})"
	done
	command -v go >/dev/null || die "go is not on PATH"
	mkdir -p "$cache/logs"
	# One build.sh at a time per cache.
	exec 9>"$cache/.lock"
	flock 9
	compute_hashes

	# Keep the requested tools in the longest-first order of all_tools.
	local ordered=()
	for t in "${all_tools[@]}"; do
		[[ " ${tools[*]} " == *" $t "* ]] && ordered+=("$t")
	done

	local total_start failed=0 running=0
	total_start=$(date +%s)
	declare -A pid_tool=()
	for t in "${ordered[@]}"; do
		while ((running >= jobs)); do
			wait_one || failed=1
			running=$((running - 1))
		done
		log "$t: started (log $cache/logs/$t.log)"
		build_one "$t" >"$cache/logs/$t.log" 2>&1 &
		pid_tool[$!]=$t
		running=$((running + 1))
	done
	while ((running > 0)); do
		wait_one || failed=1
		running=$((running - 1))
	done
	link_bin
	log "total ${#ordered[@]} tool(s) in $(($(date +%s) - total_start))s"
	((failed == 0)) || die "some tools failed to build; see above"
	echo "export HOOKGEN_TOOLS_BIN=$cache/bin"
}

# wait_one: wait for any build job; print its log; fail if it failed.
wait_one() {
	local pid rc=0 t
	wait -n -p pid || rc=$?
	t=${pid_tool[$pid]}
	sed "s/^/[$t] /" "$cache/logs/$t.log" >&2
	if ((rc != 0)); then
		log "$t: FAILED (exit $rc, log $cache/logs/$t.log)"
		return 1
	fi
}

main "$@"
