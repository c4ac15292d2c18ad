#!/usr/bin/env bash
# Tests the restore policy of main.tf offline, against the DBS emulator: `terraform plan` must fail, with
# the policy's message, on restore jobs that break it (restore-jobs-failing.json), and pass on restore
# jobs that keep it (restore-jobs-passing.json). Run it after `terraform init`, in the configuration's
# directory:
#
#   ./test-policy.sh      # exit 0: the policy holds; 1: it does not; 2: the emulator did not start
#
# BACKUP_PLAN_ID is the plan the data files' jobs belong to (default dbs1hvb0wwwtest1). TERRAFORM names
# the binary to run (default `terraform`; `tofu` for OpenTofu), DBS_EMULATOR the emulator (default
# `dbs-emulator`, as `go install` or the release archives put it).
set -euo pipefail
tf=${TERRAFORM:-terraform}
emulator=${DBS_EMULATOR:-dbs-emulator}
plan_id=${BACKUP_PLAN_ID:-dbs1hvb0wwwtest1}

work=$(mktemp -d)
pid=""
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# plan_with DATA_FILE runs `terraform plan` against an emulator serving DATA_FILE, with the emulator's
# default keys, and leaves plan's output in $work/plan.out; its status is plan's.
plan_with() {
  : >"$work/url"
  "$emulator" -data "$1" >"$work/url" 2>"$work/emulator.log" &
  pid=$!
  # The emulator prints its URL once it accepts connections.
  until [ -s "$work/url" ]; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "the emulator did not start:" >&2
      cat "$work/emulator.log" >&2
      exit 2
    fi
    sleep 0.1
  done
  local status=0
  ALIBABA_CLOUD_ENDPOINT_DBS=$(head -n1 "$work/url") \
    ALICLOUD_ACCESS_KEY=demo-access-key ALICLOUD_SECRET_KEY=demo-secret-key \
    "$tf" plan -input=false -no-color -var "backup_plan_id=$plan_id" >"$work/plan.out" 2>&1 || status=$?
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  pid=""
  return "$status"
}

if plan_with restore-jobs-failing.json; then
  echo "FAIL: terraform plan passed on restore-jobs-failing.json, whose jobs break the policy:"
  cat "$work/plan.out"
  exit 1
fi
if ! grep -q "Restore policy:" "$work/plan.out"; then
  echo "FAIL: terraform plan failed on restore-jobs-failing.json, but not with the policy's message:"
  cat "$work/plan.out"
  exit 1
fi
echo "ok: terraform plan fails on restore-jobs-failing.json:"
sed -n '/Error:/,$p' "$work/plan.out"

if ! plan_with restore-jobs-passing.json; then
  echo "FAIL: terraform plan failed on restore-jobs-passing.json, whose jobs keep the policy:"
  cat "$work/plan.out"
  exit 1
fi
echo "ok: terraform plan passes on restore-jobs-passing.json"
