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
#  3. A fleet: `terraform plan` of one data source per backup plan (for_each over 60 plans of 5 pages),
#     against the emulator's quota (-qps), starting cold, by this provider and by the same provider
#     built with -tags perlisting (each listing limiting itself, as before the scheduler). For each, the
#     wall time against the floor (the successful calls at the quota's pace, plus the same provider's
#     wall time for the fleet without a quota) and the share of requests refused over the quota.
#
# BENCH_TASKS (default "1000 10000 50000") picks the listing sizes; BENCH_LATENCY (default 30ms);
# BENCH_FLEET_QUOTAS (default "20 5", calls a second; empty skips the fleet) and BENCH_FLEET_PLANS
# (default 60).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
export CHECKPOINT_DISABLE=1
tasks_list=${BENCH_TASKS:-"1000 10000 50000"}
latency=${BENCH_LATENCY:-30ms}
fleet_quotas=${BENCH_FLEET_QUOTAS-"20 5"}
fleet_plans=${BENCH_FLEET_PLANS:-60}

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
go build -tags perlisting -o "$work/bin/perlisting" .

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
provider_dir perlisting "$work/bin/perlisting"

# start_emulator ARGS...: start the emulator in the background, set url to its address.
start_emulator() {
  # Removed first: the background shell truncates the file only when it gets to run, and the loop below
  # must not read the address of the emulator stopped before.
  rm -f "$work/emulator.out"
  "$work/bin/dbs-emulator" "$@" >"$work/emulator.out" 2>"$work/emulator.err" &
  emulator_pid=$!
  for _ in $(seq 1 600); do [ -s "$work/emulator.out" ] && break; sleep 0.1; done
  url=$(head -n1 "$work/emulator.out")
  [ -n "$url" ] || { echo "the emulator did not start:" >&2; cat "$work/emulator.err" >&2; exit 1; }
}

# stop_emulator: stop it; it writes what it served as one line of JSON to stderr, kept in emulator.stats.
stop_emulator() {
  kill "$emulator_pid"; wait "$emulator_pid" 2>/dev/null || true; emulator_pid=""
  tail -n1 "$work/emulator.err" >"$work/emulator.stats"
}

# served NAME: a counter of the last emulator run's stats.
served() { grep -o "\"$1\":[0-9]*" "$work/emulator.stats" | head -n1 | cut -d: -f2; }

# config_head URL [ARGUMENT...]: the terraform and provider blocks of a configuration read against the
# emulator at URL with its demo key; each ARGUMENT is one more line of the provider block.
config_head() {
  local url=$1
  shift
  printf 'terraform {\n  required_providers {\n    alicloud = { source = "seed-00b4a2d9/alicloud" }\n  }\n}\n'
  printf 'provider "alicloud" {\n  access_key = "demo-access-key"\n  secret_key = "demo-secret-key"\n'
  for arg in "$@"; do printf '  %s\n' "$arg"; done
  printf '  endpoints {\n    dbs = "%s"\n  }\n}\n' "$url"
}

# plan NAME CONCURRENCY URL: run terraform plan, print "wall_ms cpu_ms peak_rss_mib".
plan() {
  local name=$1 concurrency=$2 url=$3 dir="$work/config-$1"
  mkdir -p "$dir"
  config_head "$url" "max_concurrent_requests = $concurrency" >"$dir/main.tf"
  cat >>"$dir/main.tf" <<TF
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
  start_emulator -tasks "$n" -latency "$latency"
  read -r bw bc br < <(plan baseline 1 "$url")
  read -r ow oc or < <(plan ours 8 "$url")
  stop_emulator
  awk -v n="$n" -v bw="$bw" -v ow="$ow" -v bc="$bc" -v oc="$oc" -v br="$br" -v or="$or" 'BEGIN {
    printf "| %d | %d | %d | %.2f | %d | %d | %.2f | %d | %d | %.2f |\n", n, bw, ow, ow / bw, bc, oc, oc / bc, br, or, or / br }'
done

[ -n "$fleet_quotas" ] || exit 0

# fleet NAME URL: terraform plan of one data source per backup plan, for_each; prints the wall ms.
fleet() {
  local name=$1 url=$2 dir="$work/fleet-$1"
  mkdir -p "$dir"
  config_head "$url" >"$dir/main.tf"
  cat >>"$dir/main.tf" <<TF
variable "plans" {
  type = list(string)
}
data "alicloud_dbs_restore_tasks" "plan" {
  for_each       = toset(var.plans)
  backup_plan_id = each.value
}
output "tasks" {
  value = sum([for d in data.alicloud_dbs_restore_tasks.plan : length(d.tasks)])
}
TF
  local start end
  start=$(date +%s%N)
  (cd "$dir" && TF_CLI_CONFIG_FILE="$work/terraformrc-$name" TF_VAR_plans="$plans_json" \
    terraform plan -input=false -no-color >"$work/fleet-$name.log" 2>&1) || {
    echo "terraform plan of the fleet failed for $name:" >&2
    tail -20 "$work/fleet-$name.log" >&2
    exit 1
  }
  end=$(date +%s%N)
  echo $(((end - start) / 1000000))
}

fleet_args=(-plans "$fleet_plans" -tasks 500 -seed 1)
plans_json="[$("$work/bin/dbs-emulator" "${fleet_args[@]}" -list-plans | sed 's/.*/"&"/' | paste -sd, -)]"
pages=$((fleet_plans * 5))

echo
echo "==> a fleet: $fleet_plans backup plans of 5 pages, for_each in one terraform plan, against a quota (latency $latency)"
echo "per-listing: the same provider built with -tags perlisting, each listing limiting itself (before the scheduler)"
declare -A free
for name in perlisting ours; do
  start_emulator "${fleet_args[@]}" -latency "$latency"
  free[$name]=$(fleet "$name" "$url")
  stop_emulator
  [ "$(served Requests)" = "$pages" ] || { echo "$name: $(served Requests) requests for $pages pages without a quota" >&2; exit 1; }
done
printf '| quota | provider | requests | refused | refused share | wall | floor | wall / floor |\n'
printf '|---|---|---|---|---|---|---|---|\n'
for name in perlisting ours; do
  printf '| none | %s | %d | 0 | 0%% | %.1f s | | |\n' "$name" "$pages" "$(awk -v w="${free[$name]}" 'BEGIN { print w / 1000 }')"
done
for q in $fleet_quotas; do
  for name in perlisting ours; do
    start_emulator "${fleet_args[@]}" -latency "$latency" -qps "$q"
    wall=$(fleet "$name" "$url")
    stop_emulator
    awk -v q="$q" -v name="$name" -v req="$(served Requests)" -v refused="$(served OverQuota)" -v wall="$wall" -v free="${free[$name]}" 'BEGIN {
      floor = (req - refused) / q + free / 1000
      printf "| %s/s | %s | %d | %d | %.0f%% | %.1f s | %.1f s | %.2f |\n", q, name, req, refused, 100 * refused / req, wall / 1000, floor, wall / 1000 / floor }'
  done
done
