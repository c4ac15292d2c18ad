#!/usr/bin/env bash
# make test-matrix: the provider's acceptance tests (internal/provider, every example included) under each
# Terraform and OpenTofu release named in the arguments, as PRODUCT@VERSION:
#
#   scripts/test-matrix.sh terraform@1.13.3 terraform@1.5.7 tofu@1.6.3
#
# Each binary is built once by scripts/build-cli.sh and cached; all are built before any test runs, so a
# release that does not build stops the run early. Every release runs even when an earlier one failed,
# and a summary at the end says what passed and how long each step took; every skipped test is listed with
# its reason.
set -euo pipefail
cd "$(dirname "$0")/.."
export CHECKPOINT_DISABLE=1
[ $# -gt 0 ] || { echo "usage: $0 PRODUCT@VERSION..." >&2; exit 2; }

declare -A bins
summary=()
for entry in "$@"; do
  product=${entry%@*} version=${entry#*@}
  start=$SECONDS
  bins[$entry]=$(./scripts/build-cli.sh "$product" "$version")
  summary+=("$(printf '%-18s build (or cache) %4ds' "$entry" $((SECONDS - start)))")
done

status=0
for entry in "$@"; do
  env=(TF_ACC_TERRAFORM_PATH="${bins[$entry]}")
  # OpenTofu resolves the provider's address at its own registry.
  [ "${entry%@*}" = tofu ] && env+=(TF_ACC_PROVIDER_HOST=registry.opentofu.org)
  echo "==> acceptance tests under $entry (${bins[$entry]})"
  start=$SECONDS
  # -v for the lines that name each skipped test and why; the lines of tests that ran and passed go.
  if env "${env[@]}" go test -count=1 -timeout 20m -parallel "${ACCEPTANCE_PARALLEL:-8}" -v ./internal/provider/... |
    grep -v -E '^[[:space:]]*(=== (RUN|PAUSE|CONT|NAME)|--- PASS)'; then
    result=ok
  else
    result=FAIL status=1
  fi
  summary+=("$(printf '%-18s tests %-4s        %4ds' "$entry" "$result" $((SECONDS - start)))")
done

echo "==> summary"
printf '%s\n' "${summary[@]}"
exit $status
