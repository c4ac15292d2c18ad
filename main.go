// Command terraform-provider-alicloud serves the provider to Terraform over plugin protocol 6.
package main

import (
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"

	"github.com/seed-00b4a2d9/terraform-provider-alicloud/internal/provider"
)

//go:generate go run ./internal/docgen

// version is set at release by goreleaser (-X main.version=...).
var version = "dev"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()

	var opts []tf6server.ServeOpt
	if debug {
		opts = append(opts, tf6server.WithManagedDebug())
	}
	// The framework serves everything; NewProtocol6Server only takes over the restore-task read's
	// state encoding (see internal/provider/fast_read.go).
	if err := tf6server.Serve(provider.Address, provider.NewProtocol6Server(version), opts...); err != nil {
		log.Fatal(err.Error())
	}
}
