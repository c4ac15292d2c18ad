#!/usr/bin/env bash
# make demo: build the provider, start the bundled DBS emulator, and run `terraform apply` on
# examples/demo through a dev_overrides CLI configuration (no `terraform init`, no registry).
# Everything it starts is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
export CHECKPOINT_DISABLE=1

work=$(mktemp -d)
emulator_pid=""
cleanup() {
  [ -n "$emulator_pid" ] && kill "$emulator_pid" 2>/dev/null && wait "$emulator_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

echo "==> building the provider and the emulator"
go build -o "$root/bin/terraform-provider-alicloud" .
go build -o "$work/dbs-emulator" ./cmd/dbs-emulator

echo "==> starting the DBS emulator"
"$work/dbs-emulator" -tasks 250 -access-key demo-access-key -secret-key demo-secret-key >"$work/emulator.out" 2>"$work/emulator.err" &
emulator_pid=$!
for _ in $(seq 1 100); do
  [ -s "$work/emulator.out" ] && break
  sleep 0.1
done
url=$(head -n1 "$work/emulator.out")
[ -n "$url" ] || { echo "the emulator did not start:"; cat "$work/emulator.err"; exit 1; }
echo "    listening on $url"

cat >"$work/terraformrc" <<RC
provider_installation {
  dev_overrides {
    "registry.terraform.io/seed-00b4a2d9/alicloud" = "$root/bin"
  }
  direct {}
}
RC
cp examples/demo/*.tf "$work/"

echo "==> terraform apply (examples/demo)"
(
  cd "$work"
  env -u ALIBABA_CLOUD_ACCESS_KEY_ID -u ALIBABA_CLOUD_ACCESS_KEY_SECRET -u ALIBABA_CLOUD_SECURITY_TOKEN \
    TF_CLI_CONFIG_FILE="$work/terraformrc" \
    ALICLOUD_ACCESS_KEY=demo-access-key ALICLOUD_SECRET_KEY=demo-secret-key \
    ALIBABA_CLOUD_ENDPOINT_DBS="$url" \
    terraform apply -auto-approve -input=false
)
