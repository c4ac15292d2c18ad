#!/usr/bin/env bash
# Prints the path of an OpenTofu binary, building it first if this machine has none cached.
#
# OpenTofu is built from its source on the Go module proxy (the only network CI has): `go install` refuses
# the module because its go.mod has replace directives, so the source is downloaded, copied somewhere
# writable and built as its own main module. That takes minutes, so the binary is cached per version in
# ${XDG_CACHE_HOME:-$HOME/.cache}/terraform-provider-alicloud/tofu-<version>/tofu, where a later run on the
# same machine finds it. Override the version with TOFU_VERSION, the place with TOFU_CACHE_DIR.
set -euo pipefail
export CHECKPOINT_DISABLE=1

version=${TOFU_VERSION:-1.10.6}
cache=${TOFU_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/terraform-provider-alicloud}/tofu-$version
bin=$cache/tofu

usable() { [ -x "$bin" ] && "$bin" version 2>/dev/null | head -n1 | grep -qx "OpenTofu v$version"; }

if usable; then
  echo "$bin"
  exit 0
fi

mkdir -p "$cache"
# Two builds started at once (make test and make test-tofu in parallel) wait for each other instead of
# both spending minutes on the same binary.
exec 9>"$cache/.lock"
flock 9
if usable; then
  echo "$bin"
  exit 0
fi

echo "==> building OpenTofu $version from the Go module proxy (once; cached in $cache)" >&2
start=$SECONDS
# Outside any module, so that this repository's go.mod plays no part in resolving the download.
src=$(cd / && GOFLAGS=-mod=mod go mod download -json "github.com/opentofu/opentofu@v$version" |
  sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')
[ -d "$src" ] || { echo "tofu.sh: could not download github.com/opentofu/opentofu@v$version" >&2; exit 1; }

work=$(mktemp -d)
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
cp -R "$src/." "$work/"
chmod -R u+w "$work" # the module cache is read-only, and the build writes nothing there but go.sum may change
# version.dev=no is what OpenTofu's own release build sets: without it the binary calls itself "-dev".
(cd "$work" && GOFLAGS=-buildvcs=false CGO_ENABLED=0 go build -trimpath \
  -ldflags "-s -w -X github.com/opentofu/opentofu/version.dev=no" -o "$cache/tofu.new" ./cmd/tofu) >&2
mv -f "$cache/tofu.new" "$bin"
usable || { echo "tofu.sh: the built binary does not report OpenTofu v$version:" >&2; "$bin" version >&2 || true; exit 1; }
echo "==> built OpenTofu $version in $((SECONDS - start))s" >&2
echo "$bin"
