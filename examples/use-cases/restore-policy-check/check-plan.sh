#!/usr/bin/env bash
# Fails a pipeline step when a saved plan holds a failed `check` block. Terraform (and OpenTofu) only warn
# about failed checks, and exit 0; the results are in the plan's JSON, under `checks`.
#
#   terraform plan -out=tfplan
#   ./check-plan.sh tfplan          # exit 0: no check failed; 1: a check failed or errored; 2: usage or no jq
#
# TERRAFORM names the binary to run (default `terraform`; `tofu` for OpenTofu), JQ the jq (default `jq`;
# gojq works too).
set -euo pipefail

if [ $# -ne 1 ]; then
  echo "usage: $0 PLANFILE" >&2
  exit 2
fi
tf=${TERRAFORM:-terraform}
jq=${JQ:-jq}
command -v "$jq" >/dev/null || { echo "check-plan.sh: $jq is needed to read the plan" >&2; exit 2; }

# One line per check that failed (or could not be evaluated because of an error), then each problem
# it reported. A check whose status is "unknown" depends on values known only after apply: it is listed,
# but proves nothing either way, so it does not fail the step.
report() {
  "$jq" -r --arg want "$1" '
    (.checks // [])[]
    | select(.status as $s | $want | split(",") | index($s))
    | "\(.address.to_display): \(.status)"
      + ([(.instances // [])[] | (.problems // [])[] | "\n  - " + .message] | add // "")
  ' <<<"$plan"
}
plan=$("$tf" show -json "$1")

unknown=$(report unknown)
if [ -n "$unknown" ]; then
  echo "Checks not known until apply:" >&2
  echo "$unknown" >&2
fi
failed=$(report fail,error)
if [ -n "$failed" ]; then
  echo "Checks that failed:" >&2
  echo "$failed" >&2
  exit 1
fi
echo "No check failed."
