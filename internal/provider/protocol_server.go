package provider

import (
	"context"
	"os"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// NewProtocol6Server returns the server Terraform talks to: the framework's server for everything
// (schemas, validation, Configure, docs), except that alicloud_dbs_restore_tasks is read here and its
// state written straight to msgpack.
//
// Why: on 10,000 restore tasks the framework spends most of its time after Read returns, converting the
// state to tftypes and back, rebuilding the 37-attribute object type for every null and walking the tree
// for equality and copies. Writing the bytes directly gives the same state at a fraction of the CPU and
// memory; TestFastRead_matchesFramework (state_writer_test.go) and TestFastRead_protocolEquivalence
// (protocol_server_test.go) hold the two byte for byte, and on an encoding problem the framework writes
// the state instead.
func NewProtocol6Server(version string) func() tfprotov6.ProviderServer {
	return func() tfprotov6.ProviderServer {
		return newProtocol6Server(&alicloudProvider{version: version, getenv: os.Getenv})
	}
}

// newProtocol6Server serves p; tests hand in a provider of their own.
func newProtocol6Server(p *alicloudProvider) *protocol6Server {
	return &protocol6Server{ProviderServer: providerserver.NewProtocol6(p)(), provider: p, encodeState: encodeRestoreTasksState}
}

type protocol6Server struct {
	tfprotov6.ProviderServer
	provider *alicloudProvider
	// encodeState is encodeRestoreTasksState; tests replace it to exercise the fallback to the framework.
	encodeState func(cfg tftypes.Value, objType tftypes.Object, r *restoreTasksResult) ([]byte, error)
}

// restoreTasksSchema is built once: the fast path needs its tftypes shape and attribute order on every read.
var restoreTasksSchema = sync.OnceValues(func() (schema.Schema, tftypes.Object) {
	s := dbsRestoreTasksSchema()
	return s, s.Type().TerraformType(context.Background()).(tftypes.Object)
})

func (s *protocol6Server) ReadDataSource(ctx context.Context, req *tfprotov6.ReadDataSourceRequest) (*tfprotov6.ReadDataSourceResponse, error) {
	data := s.provider.configured.Load()
	if req.TypeName != dbsRestoreTasksTypeName || data == nil || req.Config == nil {
		// The framework knows how to report an unconfigured provider or a missing config.
		return s.ProviderServer.ReadDataSource(ctx, req)
	}
	sch, objType := restoreTasksSchema()

	raw, err := req.Config.Unmarshal(objType)
	if err != nil {
		return s.ProviderServer.ReadDataSource(ctx, req)
	}
	var cfg dbsRestoreTasksDataSourceModel
	diags := tfsdk.Config{Raw: raw, Schema: sch}.Get(ctx, &cfg)
	// failed answers as the framework does when Read reports an error: the diagnostics, and the
	// configuration as the state.
	failed := func() (*tfprotov6.ReadDataSourceResponse, error) {
		resp := &tfprotov6.ReadDataSourceResponse{Diagnostics: toProtoDiagnostics(diags)}
		if dv, err := tfprotov6.NewDynamicValue(objType, raw); err == nil {
			resp.State = &dv
		}
		return resp, nil
	}
	if diags.HasError() {
		return failed()
	}
	result, readDiags := readRestoreTasks(ctx, data, cfg)
	diags.Append(readDiags...)
	if diags.HasError() {
		return failed()
	}
	state, err := s.encodeState(raw, objType, result)
	if err != nil {
		// The fast path is an optimisation, never a different behaviour: what it cannot write (an argument
		// of a kind it does not know yet, say), the framework writes.
		tflog.Debug(ctx, "fast state path failed; writing the state through the framework instead", map[string]any{"error": err.Error()})
		var setDiags diag.Diagnostics
		state, setDiags = frameworkState(ctx, sch, objType, cfg, result)
		diags.Append(setDiags...)
		if diags.HasError() {
			return failed()
		}
	}
	return &tfprotov6.ReadDataSourceResponse{
		State:       &tfprotov6.DynamicValue{MsgPack: state},
		Diagnostics: toProtoDiagnostics(diags),
	}, nil
}

// frameworkState writes the state as the framework's own Read does (State.Set), as msgpack.
func frameworkState(ctx context.Context, sch schema.Schema, objType tftypes.Object, cfg dbsRestoreTasksDataSourceModel, r *restoreTasksResult) ([]byte, diag.Diagnostics) {
	cfg.IDs, cfg.Names, cfg.Tasks = r.frameworkLists()
	cfg.TotalCount = types.Int64Value(r.totalCount)
	state := tfsdk.State{Schema: sch}
	diags := state.Set(ctx, &cfg)
	if diags.HasError() {
		return nil, diags
	}
	dv, err := tfprotov6.NewDynamicValue(objType, state.Raw)
	if err != nil {
		diags.AddError("Unable to write the state of DBS restore tasks", err.Error())
		return nil, diags
	}
	return dv.MsgPack, diags
}

// toProtoDiagnostics converts framework diagnostics, keeping each one's attribute path.
func toProtoDiagnostics(diags diag.Diagnostics) []*tfprotov6.Diagnostic {
	out := make([]*tfprotov6.Diagnostic, 0, len(diags))
	for _, d := range diags {
		pd := &tfprotov6.Diagnostic{
			Severity: tfprotov6.DiagnosticSeverityWarning,
			Summary:  d.Summary(),
			Detail:   d.Detail(),
		}
		if d.Severity() == diag.SeverityError {
			pd.Severity = tfprotov6.DiagnosticSeverityError
		}
		if wp, ok := d.(diag.DiagnosticWithPath); ok {
			pd.Attribute = toAttributePath(wp.Path())
		}
		out = append(out, pd)
	}
	return out
}

func toAttributePath(p path.Path) *tftypes.AttributePath {
	ap := tftypes.NewAttributePath()
	for _, step := range p.Steps() {
		switch s := step.(type) {
		case path.PathStepAttributeName:
			ap = ap.WithAttributeName(string(s))
		case path.PathStepElementKeyInt:
			ap = ap.WithElementKeyInt(int(s))
		case path.PathStepElementKeyString:
			ap = ap.WithElementKeyString(string(s))
		}
	}
	return ap
}
