#!/usr/bin/env bash
# build.sh OUT: hookgen's image from pinned inputs, without a container
# engine (make image; docs/image.md).
# build.sh --fetch: only fetch and check the pinned Debian package into
# CACHE (for a build that runs later without a network, as the real
# node's tests do in their own network namespace).
#
#   OUT/hookgen-linux-<arch>   the static binaries in the image
#   OUT/rootfs/<arch>/         each platform's root filesystem (the
#                              Dockerfile's FROM scratch copies it)
#   OUT/hookgen.oci.tar        the OCI image layout archive, a multi-arch index
#   OUT/hookgen.digest         the index digest
#
# Inputs: this checkout (VERSION, COMMIT and SOURCE_DATE_EPOCH from git
# unless set), the Go toolchain, and Debian's ca-certificates at the pinned
# version and sha256 below, fetched with apt-get download into CACHE.
set -euo pipefail
cd "$(dirname "$0")/../.."
fetch_only=
if [ "${1:-}" = --fetch ]; then
	fetch_only=1
else
	out=$(realpath -m "${1:?usage: build.sh OUTDIR | --fetch}")
fi

CA_CERTS_VERSION=20230311+deb12u1
CA_CERTS_SHA256=0d5f444f594e48c1e16a41d8fc628a09b24c658916a1274025c2330f2a802bed
ARCHS=${ARCHS:-amd64 arm64}
GO=${GO:-go}
CACHE=${CACHE:-bin/cache}
VERSION=${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo dev)}
COMMIT=${COMMIT:-$(git rev-parse --short HEAD 2>/dev/null)}
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 0)}

# The build's own settings only: nothing from the caller's Go environment.
export CGO_ENABLED=0 GOFLAGS=-buildvcs=false GOAMD64=v1 GOARM64=v8.0 GOEXPERIMENT=
LDFLAGS="-s -w -X github.com/hookgen/hookgen/plugin.version=$VERSION -X github.com/hookgen/hookgen/plugin.commit=$COMMIT"

deb="$CACHE/ca-certificates_${CA_CERTS_VERSION/:/%3a}_all.deb"
if [ ! -f "$deb" ]; then
	mkdir -p "$CACHE"
	# A fresh machine may have no package lists yet: update them once.
	(cd "$CACHE" && apt-get download "ca-certificates=$CA_CERTS_VERSION") ||
		{ [ "$(id -u)" = 0 ] && apt-get update -qq && (cd "$CACHE" && apt-get download "ca-certificates=$CA_CERTS_VERSION"); } || {
		echo "build.sh: apt-get download ca-certificates=$CA_CERTS_VERSION failed: run apt-get update (Debian 12 sources)" >&2
		exit 1
	}
fi
if ! echo "$CA_CERTS_SHA256  $deb" | sha256sum -c --quiet -; then
	echo "build.sh: $deb is not the pinned package (sha256 $CA_CERTS_SHA256): delete it and run again" >&2
	exit 1
fi
[ -z "$fetch_only" ] || exit 0
got=$(dpkg-deb -f "$deb" Version)
[ "$got" = "$CA_CERTS_VERSION" ] || { echo "build.sh: $deb has version $got, want $CA_CERTS_VERSION" >&2; exit 1; }

rm -rf "$out"
mkdir -p "$out"
dpkg-deb -x "$deb" "$out/ca"
(cd tools/imagebuild && "$GO" build -trimpath -o "$out/imagebuild" .)

rootfs=()
for a in $ARCHS; do
	GOOS=linux GOARCH=$a "$GO" build -trimpath -ldflags "$LDFLAGS" -o "$out/hookgen-linux-$a" .
	"$out/imagebuild" rootfs -hookgen "$out/hookgen-linux-$a" -plugin plugin.yaml -ca "$out/ca" -out "$out/rootfs/$a"
	rootfs+=(-rootfs "$a=$out/rootfs/$a")
done
"$out/imagebuild" image "${rootfs[@]}" -version "$VERSION" -revision "$COMMIT" \
	-out "$out/hookgen.oci.tar" -digest-file "$out/hookgen.digest"
rm -rf "$out/ca" "$out/imagebuild"
