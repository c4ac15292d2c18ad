package provider

import (
	"context"
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/seed-00b4a2d9/terraform-provider-alicloud/internal/bench"
	"github.com/seed-00b4a2d9/terraform-provider-alicloud/internal/emulator"
)

// objectValue builds a value of an object type with every attribute null except those in set.
func objectValue(t tftypes.Object, set map[string]tftypes.Value) tftypes.Value {
	vals := make(map[string]tftypes.Value, len(t.AttributeTypes))
	for name, typ := range t.AttributeTypes {
		if v, ok := set[name]; ok {
			vals[name] = v
		} else {
			vals[name] = tftypes.NewValue(typ, nil)
		}
	}
	return tftypes.NewValue(t, vals)
}

// configuredServer returns a provider server configured against the emulator at url, as Terraform
// would configure it: through the protocol, with the provider's own schema.
func configuredServer(tb testing.TB, server tfprotov6.ProviderServer, url string) {
	tb.Helper()
	ctx := context.Background()
	schemas, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil || len(schemas.Diagnostics) > 0 {
		tb.Fatalf("GetProviderSchema: %v %v", err, schemas.Diagnostics)
	}
	provType := schemas.Provider.ValueType().(tftypes.Object)
	endpoints := provType.AttributeTypes["endpoints"].(tftypes.Object)
	cfg := objectValue(provType, map[string]tftypes.Value{
		"access_key": tftypes.NewValue(tftypes.String, testAccessKey),
		"secret_key": tftypes.NewValue(tftypes.String, testSecretKey),
		"endpoints":  objectValue(endpoints, map[string]tftypes.Value{"dbs": tftypes.NewValue(tftypes.String, url)}),
	})
	dv, err := tfprotov6.NewDynamicValue(provType, cfg)
	if err != nil {
		tb.Fatal(err)
	}
	resp, err := server.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{TerraformVersion: "1.11.4", Config: &dv})
	if err != nil || len(resp.Diagnostics) > 0 {
		tb.Fatalf("ConfigureProvider: %v %v", err, diagnosticsText(resp.Diagnostics))
	}
}

func readRequest(tb testing.TB) *tfprotov6.ReadDataSourceRequest {
	tb.Helper()
	_, objType := restoreTasksSchema()
	cfg := objectValue(objType, nil)
	dv, err := tfprotov6.NewDynamicValue(objType, cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return &tfprotov6.ReadDataSourceRequest{TypeName: dbsRestoreTasksTypeName, Config: &dv}
}

// BenchmarkReadDataSource reads every task through the provider's ReadDataSource at the protocol level,
// as Terraform calls it: the production server (the state written straight to msgpack) against the
// framework's own server (State.Set and the framework's passes after Read), on the same emulator with no
// latency. The fetch and decode are the same in both; what differs is everything after them. Each read
// has a provider configured for it, outside the timer: a configured provider reads the same data source
// only once, as identical reads share a listing.
func BenchmarkReadDataSource(b *testing.B) {
	for _, n := range bench.Sizes() {
		srv := emulator.New(emulator.Options{
			Keys:  map[string]emulator.Key{testAccessKey: {Secret: testSecretKey}},
			Tasks: emulator.Generate(n, 1),
		})
		url := srv.Start()
		servers := []struct {
			name   string
			server tfprotov6.ProviderServer
		}{
			{"fast", NewProtocol6Server("bench")()},
			{"framework", providerserver.NewProtocol6(New("bench")())()},
		}
		for _, s := range servers {
			b.Run(fmt.Sprintf("tasks=%d/%s", n, s.name), func(b *testing.B) {
				req := readRequest(b)
				ctx := context.Background()
				b.ReportAllocs()
				for b.Loop() {
					b.StopTimer()
					configuredServer(b, s.server, url)
					b.StartTimer()
					resp, err := s.server.ReadDataSource(ctx, req)
					if err != nil || len(resp.Diagnostics) > 0 {
						b.Fatalf("ReadDataSource: %v %s", err, diagnosticsText(resp.Diagnostics))
					}
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/task")
			})
		}
		srv.Close()
	}
}
