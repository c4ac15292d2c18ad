#!/usr/bin/env bash
# make examples-check: every example is `terraform fmt`-clean and passes `terraform validate`, offline.
#
# validate needs the provider's schema. Instead of `terraform init` (which would ask the registry for
# the provider), a CLI configuration with dev_overrides points Terraform at the provider built into bin/;
# examples that call local modules get them with `terraform get`, which installs modules only.
# TERRAFORM names the binary (default `terraform`; `make -s tofu` prints an OpenTofu one).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
export CHECKPOINT_DISABLE=1
tf=${TERRAFORM:-terraform}

go build -o "$root/bin/terraform-provider-alicloud" .

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Both registries' addresses, so that the same file serves Terraform and OpenTofu; hashicorp/alicloud is
# what the snippets without a required_providers block (examples/data-sources) resolve to.
cat >"$work/cli.tfrc" <<RC
provider_installation {
  dev_overrides {
    "registry.terraform.io/seed-00b4a2d9/alicloud" = "$root/bin"
    "registry.opentofu.org/seed-00b4a2d9/alicloud" = "$root/bin"
    "registry.terraform.io/hashicorp/alicloud"     = "$root/bin"
    "registry.opentofu.org/hashicorp/alicloud"     = "$root/bin"
  }
  direct {}
}
RC
export TF_CLI_CONFIG_FILE=$work/cli.tfrc

echo "==> $tf fmt -check -recursive examples"
"$tf" fmt -check -recursive -diff examples

# Every directory holding .tf files is validated on its own: root modules and child modules alike.
status=0
while IFS= read -r dir; do
  copy=$work/$(echo "$dir" | tr / _)
  # A copy, so that .terraform/ never lands in the work tree; cp -R keeps the example's own modules/.
  cp -R "$dir" "$copy"
  if ! out=$(cd "$copy" && "$tf" get -no-color >/dev/null 2>&1 && "$tf" validate -no-color 2>&1); then
    # Re-run get with its output, in case it was get that failed.
    echo "FAIL $dir"
    (cd "$copy" && "$tf" get -no-color 2>&1 | sed 's/^/    /') || true
    echo "$out" | sed 's/^/    /'
    status=1
  else
    echo "ok   $dir"
  fi
done < <(find examples -name '*.tf' -printf '%h\n' | sort -u)
exit $status
