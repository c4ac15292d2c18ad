#!/usr/bin/env bash
# Prints the path of a Terraform or OpenTofu binary of the given version, building it first if this
# machine has none cached.
#
#   scripts/build-cli.sh terraform 1.13.3
#   scripts/build-cli.sh tofu 1.12.6
#
# Both are built from their source on the Go module proxy (the only network CI has): `go install` refuses
# their modules because their go.mod files have replace directives, so the source is downloaded, copied
# somewhere writable and built as its own main module, with the flags of the product's own release build
# (CGO_ENABLED=0, -trimpath, -ldflags "-s -w -X <module>/version.dev=no"; without version.dev=no the
# binary calls itself "-dev"; releases before that variable existed hard-code their version, and the
# flag changes nothing there). That takes minutes, so the binary is cached per product and version in
# ${CLI_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/terraform-provider-alicloud}/<product>-<version>/<product>,
# where a later run on the same machine finds it.
set -euo pipefail
export CHECKPOINT_DISABLE=1

usage() {
  echo "usage: $0 terraform|tofu VERSION" >&2
  exit 2
}
[ $# -eq 2 ] || usage
product=$1
version=${2#v}
case $product in
terraform) module=github.com/hashicorp/terraform main=. name=Terraform ;;
tofu) module=github.com/opentofu/opentofu main=./cmd/tofu name=OpenTofu ;;
*) usage ;;
esac
[[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "build-cli.sh: $version is not a release version (X.Y.Z)" >&2; exit 2; }

cache=${CLI_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/terraform-provider-alicloud}/$product-$version
bin=$cache/$product

# The version line is looked for on every line: OpenTofu 1.12 prints problems with the CLI configuration
# (a TF_CLI_CONFIG_FILE that does not exist) on stdout, before it. grep reads to the end (no -q), so
# that the binary never dies of SIGPIPE, which pipefail would count as a failure.
usable() { [ -x "$bin" ] && "$bin" version 2>/dev/null | grep -x "$name v$version" >/dev/null; }

if usable; then
  echo "$bin"
  exit 0
fi

mkdir -p "$cache"
# Two builds of the same binary started at once (make test and make test-tofu in parallel) wait for each
# other instead of both spending minutes on it.
exec 9>"$cache/.lock"
flock 9
if usable; then
  echo "$bin"
  exit 0
fi

# A module's zip holds the packages of that module only. Terraform keeps most of its remote-state
# backends (s3, azurerm, gcs, ...) and internal/legacy, which only they use, in modules of their own,
# which go.mod's replace directives take from directories the zip leaves out, so the build fails on
# them. Those modules are dropped from go.mod, and the backends from the table of backends in
# internal/backend/init/init.go; what the zip holds (the local, remote, cloud, http and inmem backends)
# stays. The acceptance tests use the local backend only. A release with no such module changes nothing.
drop_absent_modules() {
  local dir=$1 path target alias init=$1/internal/backend/init/init.go
  local -a absent=()
  while read -r path target; do
    [ -d "$dir/$target" ] || absent+=("$path")
  done < <(sed -n 's/^[[:space:]]*\(replace[[:space:]]\{1,\}\)\{0,1\}\([^[:space:]]\{1,\}\)[[:space:]]\{1,\}=>[[:space:]]\{1,\}\(\.\.\{0,1\}\/[^[:space:]]*\)[[:space:]]*$/\2 \3/p' "$dir/go.mod")
  [ ${#absent[@]} -gt 0 ] || return 0
  for path in "${absent[@]}"; do
    echo "    dropped: $path (left out of the module's zip)" >&2
    (cd "$dir" && go mod edit -dropreplace="$path" -droprequire="$path")
  done
  [ -f "$init" ] || return 0
  # Each import of a package the copy lacks goes, with every line that names its alias: the backend's
  # entry in the table.
  while read -r alias path; do
    [ -d "$dir/${path#"$module"/}" ] && continue
    sed -i -e "\|^[[:space:]]*$alias \"$path\"\$|d" -e "/\\b$alias\\./d" "$init"
  done < <(sed -n "s|^[[:space:]]*\\([A-Za-z_][A-Za-z0-9_]*\\) \"\\($module/[^\"]*\\)\"\$|\\1 \\2|p" "$init")
}

echo "==> building $name $version from the Go module proxy (once; cached in $cache)" >&2
start=$SECONDS
# Outside any module, so that this repository's go.mod plays no part in resolving the download.
src=$(cd / && GOFLAGS=-mod=mod go mod download -json "$module@v$version" |
  sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')
[ -d "$src" ] || { echo "build-cli.sh: could not download $module@v$version" >&2; exit 1; }

work=$(mktemp -d)
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
cp -R "$src/." "$work/"
chmod -R u+w "$work" # the module cache is read-only
drop_absent_modules "$work"
(cd "$work" && GOFLAGS=-buildvcs=false CGO_ENABLED=0 go build -trimpath \
  -ldflags "-s -w -X $module/version.dev=no" -o "$cache/$product.new" "$main") >&2
mv -f "$cache/$product.new" "$bin"
usable || { echo "build-cli.sh: the built binary does not report $name v$version:" >&2; "$bin" version >&2 || true; exit 1; }
echo "==> built $name $version in $((SECONDS - start))s" >&2
echo "$bin"
