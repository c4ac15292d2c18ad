package provider

import (
	"errors"
	"io/fs"
	"os"
)

// dropMissingCLIConfig unsets TF_CLI_CONFIG_FILE when it names a file that does not exist. Terraform and
// OpenTofu then read no CLI configuration either way, but they warn about the missing file, and OpenTofu
// 1.12 writes that warning to stdout, ahead of the output of `tofu version` and `tofu show -json`, which
// terraform-plugin-testing cannot parse then: every acceptance test would fail.
func dropMissingCLIConfig() {
	if file := os.Getenv("TF_CLI_CONFIG_FILE"); file != "" {
		if _, err := os.Stat(file); errors.Is(err, fs.ErrNotExist) {
			_ = os.Unsetenv("TF_CLI_CONFIG_FILE")
		}
	}
}
