#!/usr/bin/env bash
# release-check.sh: build the release twice from clean clones of HEAD, in
# different directories and the second with an empty Go build cache, and
# compare every byte (make release-check; docs/release.md).
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD
tmp=$(mktemp -d /tmp/hookgen-release-check.XXXXXX)
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
export CACHE=$repo/bin/cache # the pinned Debian package; build.sh checks its sha256

# One commit for both builds, whatever HEAD does meanwhile.
rev=$(git rev-parse HEAD)
for n in 1 2; do
	git clone -q --no-hardlinks "$repo" "$tmp/src$n"
	git -C "$tmp/src$n" checkout -q --detach "$rev"
	start=$(date +%s)
	if [ $n = 2 ]; then
		GOCACHE="$tmp/gocache" "$tmp/src$n/tools/imagebuild/release.sh" "$tmp/out$n" >&2
	else
		"$tmp/src$n/tools/imagebuild/release.sh" "$tmp/out$n" >&2
	fi
	echo "build $n: $(($(date +%s) - start)) s" >&2
done
if ! diff -r "$tmp/out1" "$tmp/out2"; then
	echo "release-check: the two builds differ" >&2
	exit 1
fi
echo "release-check: two builds, same bytes:"
(cd "$tmp/out1" && ls -l --time-style=+ . | tail -n +2 && cat SHA256SUMS)
