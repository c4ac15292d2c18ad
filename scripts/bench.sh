#!/usr/bin/env bash
# make bench: measure this provider against the straightforward way of building it, side by side in
# one run, and print a table of ratios.
#
#  1. Go benchmarks: the pager against the emulator at 30 ms a request (serial against concurrent), and
#     the read path per task (the fast path against the framework's State.Set path).
#  2. End to end: `terraform plan` of a configuration reading every task, against the emulator started
#     as its own process with 30 ms latency, once with the baseline provider (framework only, serial
#     pager: max_concurrent_requests = 1) and once with this provider. The provider processes are run
#     under internal/bench/rusage, so their CPU time and peak memory are measured apart from Terraform's.
#
# BENCH_TASKS (default "1000 10000 50000") picks the listing sizes; BENCH_LATENCY (default 30ms).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
export CHECKPOINT_DISABLE=1
tasks_list=${BENCH_TASKS:-"1000 10000 50000"}
latency=${BENCH_LATENCY:-30ms}

work=$(mktemp -d)
emulator_pid=""
cleanup() {
  [ -n "$emulator_pid" ] && kill "$emulator_pid" 2>/dev/null && wait "$emulator_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

go build -o "$work/bin/dbs-emulator" ./cmd/dbs-emulator
go build -o "$work/bin/rusage" ./internal/bench/rusage
go build -o "$work/bin/ours" .
go build -o "$work/bin/baseline" ./internal/bench/baseline

echo "==> Go benchmarks (BENCH_TASKS=$tasks_list)"
BENCH_TASKS="$tasks_list" go test -run '^$' -bench 'BenchmarkFetch' -benchtime 1x ./internal/bench/ | tee "$work/fetch.txt" | grep '^Benchmark' || true
BENCH_TASKS="$tasks_list" go test -run '^$' -bench 'BenchmarkReadPath|BenchmarkReadDataSource' -benchtime 2x ./internal/provider/ | tee "$work/read.txt" | grep '^Benchmark' || true
go test -run '^$' -bench 'BenchmarkDecodePage' -benchtime 200x ./internal/dbs/ 2>/dev/null | grep '^Benchmark' || true

# provider_dir NAME BINARY: a dev_overrides directory whose provider runs BINARY under rusage.
provider_dir() {
  local dir="$work/providers/$1"
  mkdir -p "$dir"
  cat >"$dir/terraform-provider-alicloud" <<SH
#!/bin/sh
exec "$work/bin/rusage" -o "$work/rusage-$1.txt" -- "$2" "\$@"
SH
  chmod +x "$dir/terraform-provider-alicloud"
  cat >"$work/terraformrc-$1" <<RC
provider_installation {
  dev_overrides {
    "registry.terraform.io/seed-00b4a2d9/alicloud" = "$dir"
  }
  direct {}
}
RC
}
provider_dir baseline "$work/bin/baseline"
provider_dir ours "$work/bin/ours"

# plan NAME CONCURRENCY URL: run terraform plan, print "wall_ms cpu_ms peak_rss_mib".
plan() {
  local name=$1 concurrency=$2 url=$3 dir="$work/config-$1"
  mkdir -p "$dir"
  cat >"$dir/main.tf" <<TF
terraform {
  required_providers {
    alicloud = { source = "seed-00b4a2d9/alicloud" }
  }
}
provider "alicloud" {
  access_key              = "demo-access-key"
  secret_key              = "demo-secret-key"
  max_concurrent_requests = $concurrency
  endpoints {
    dbs = "$url"
  }
}
data "alicloud_dbs_restore_tasks" "all" {}
output "count" {
  value = length(data.alicloud_dbs_restore_tasks.all.tasks)
}
TF
  rm -f "$work/rusage-$name.txt"
  local start end
  start=$(date +%s%N)
  (cd "$dir" && TF_CLI_CONFIG_FILE="$work/terraformrc-$name" terraform plan -input=false -no-color >"$work/plan-$name.log" 2>&1) || {
    echo "terraform plan failed for $name:" >&2
    tail -20 "$work/plan-$name.log" >&2
    exit 1
  }
  end=$(date +%s%N)
  # One line per provider process Terraform started: CPU adds up, peak memory is the largest.
  awk -v wall=$(((end - start) / 1000000)) '{cpu += $1 + $2; if ($3 > rss) rss = $3} END {printf "%d %d %.0f\n", wall, cpu, rss / 1024}' "$work/rusage-$name.txt"
}

echo
echo "==> terraform plan end to end (emulator latency $latency)"
printf '| tasks | baseline plan ms | ours plan ms | plan ratio | baseline CPU ms | ours CPU ms | CPU ratio | baseline peak MiB | ours peak MiB | memory ratio |\n'
printf '|---|---|---|---|---|---|---|---|---|---|\n'
for n in $tasks_list; do
  "$work/bin/dbs-emulator" -tasks "$n" -latency "$latency" >"$work/emulator.out" 2>"$work/emulator.err" &
  emulator_pid=$!
  for _ in $(seq 1 100); do [ -s "$work/emulator.out" ] && break; sleep 0.1; done
  url=$(head -n1 "$work/emulator.out")
  read -r bw bc br < <(plan baseline 1 "$url")
  read -r ow oc or < <(plan ours 8 "$url")
  kill "$emulator_pid"; wait "$emulator_pid" 2>/dev/null || true; emulator_pid=""
  awk -v n="$n" -v bw="$bw" -v ow="$ow" -v bc="$bc" -v oc="$oc" -v br="$br" -v or="$or" 'BEGIN {
    printf "| %d | %d | %d | %.2f | %d | %d | %.2f | %d | %d | %.2f |\n", n, bw, ow, ow / bw, bc, oc, oc / bc, br, or, or / br }'
done
