// Command baseline serves the provider the straightforward way, for `make bench` to measure against:
// the framework's server alone, so the restore-task state goes through State.Set and every pass the
// framework makes after Read. Run it with max_concurrent_requests = 1 to get the serial pager too.
// It is never released.
package main

import (
	"context"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/seed-00b4a2d9/terraform-provider-alicloud/internal/provider"
)

func main() {
	err := providerserver.Serve(context.Background(), provider.New("baseline"), providerserver.ServeOpts{Address: provider.Address})
	if err != nil {
		log.Fatal(err)
	}
}
