#!/usr/bin/env bash
# release.sh OUT: every release artefact, reproducibly (make
# release-snapshot; docs/release.md). The same checkout gives the same
# bytes, wherever it is and whatever Go's build cache holds:
#
#   hookgen_<v>_<os>_<arch>[.exe]     linux, darwin, windows on amd64, arm64
#   hookgen_<v>_image.oci.tar         the multi-arch image (OCI layout)
#   hookgen_<v>_kustomization.yaml    the install component, image by digest
#   hookgen_<v>_sbom.spdx.json        SPDX 2.3: modules, toolchain, Debian package
#   SHA256SUMS                        of all of the above
set -euo pipefail
cd "$(dirname "$0")/../.."
out=$(realpath -m "${1:?usage: release.sh OUTDIR}")

GO=${GO:-go}
export VERSION=${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo dev)}
export COMMIT=${COMMIT:-$(git rev-parse --short HEAD 2>/dev/null)}
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 0)}
case $VERSION in *-dirty) echo "release.sh: the checkout has changes: $VERSION is not a commit's release" >&2 ;; esac

export CGO_ENABLED=0 GOFLAGS=-buildvcs=false GOAMD64=v1 GOARM64=v8.0 GOEXPERIMENT=
LDFLAGS="-s -w -X github.com/hookgen/hookgen/plugin.version=$VERSION -X github.com/hookgen/hookgen/plugin.commit=$COMMIT"

rm -rf "$out"
mkdir -p "$out"
work="$out/.work"
bins=()
for os in linux darwin windows; do
	for arch in amd64 arm64; do
		ext=""
		[ "$os" = windows ] && ext=.exe
		b="$out/hookgen_${VERSION}_${os}_${arch}$ext"
		GOOS=$os GOARCH=$arch "$GO" build -trimpath -ldflags "$LDFLAGS" -o "$b" .
		bins+=("$b")
	done
done

tools/imagebuild/build.sh "$work/image"
for a in amd64 arm64; do
	cmp "$work/image/hookgen-linux-$a" "$out/hookgen_${VERSION}_linux_$a" ||
		{ echo "release.sh: the image's linux/$a binary differs from the release's" >&2; exit 1; }
done
img="$out/hookgen_${VERSION}_image.oci.tar"
cp "$work/image/hookgen.oci.tar" "$img"
digest=$(cat "$work/image/hookgen.digest")

(cd tools/imagebuild && "$GO" build -trimpath -o "$work/imagebuild" .)
"$work/imagebuild" install -version "$VERSION" -digest "$digest" -out "$out/hookgen_${VERSION}_kustomization.yaml"
deb=$(ls "${CACHE:-bin/cache}"/ca-certificates_*_all.deb)
"$work/imagebuild" sbom -version "$VERSION" -commit "$COMMIT" -image "$img" -digest "$digest" \
	-deb "$deb" -deb-version "$(dpkg-deb -f "$deb" Version)" -out "$out/hookgen_${VERSION}_sbom.spdx.json" "${bins[@]}"
rm -rf "$work"
(cd "$out" && LC_ALL=C sha256sum hookgen_* >SHA256SUMS)
echo "release $VERSION in $out: image $digest"
