#!/usr/bin/env bash
# Install the Debian packages the tests use, when they are missing:
#   python3-aiosmtpd  a real SMTP server for the e-mail runner's tests
#   git               the sync loop's repository
#   zsh, fish         the shells the completion scripts are checked in
#   util-linux        unshare, for the loop's private network namespace
#   iproute2          ip, for the same
#   runc, buildah, skopeo  run, rebuild and copy the image (make test-image)
# `make test` runs it first, so the tests never meet a missing tool (they
# fail, not skip, when one is missing). Needs root, or sudo.
set -euo pipefail

need=()
/usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null || need+=(python3-aiosmtpd)
command -v git >/dev/null || need+=(git)
command -v zsh >/dev/null || need+=(zsh)
command -v fish >/dev/null || need+=(fish)
command -v unshare >/dev/null || need+=(util-linux)
command -v ip >/dev/null || need+=(iproute2)
command -v runc >/dev/null || need+=(runc)
command -v buildah >/dev/null || need+=(buildah)
command -v skopeo >/dev/null || need+=(skopeo)
((${#need[@]})) || exit 0

echo "test/deps.sh: installing ${need[*]}" >&2
sudo=""
if [ "$(id -u)" != 0 ]; then
	command -v sudo >/dev/null || {
		echo "test/deps.sh: the tests need the Debian packages ${need[*]}; run as root or install them with apt-get" >&2
		exit 1
	}
	sudo=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
