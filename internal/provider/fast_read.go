package provider

import (
	"bytes"
	"context"
	"fmt"
	"math/big"
	"os"
	"sort"
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
	"github.com/vmihailenco/msgpack/v5"

	"github.com/seed-00b4a2d9/terraform-provider-alicloud/internal/dbs"
)

// NewProtocol6Server returns the server Terraform talks to: the framework's server for everything
// (schemas, validation, Configure, docs), except that alicloud_dbs_restore_tasks is read here and its
// state written straight to msgpack.
//
// Why: on 10,000 restore tasks the framework spends most of its time after Read returns, converting the
// state to tftypes and back, rebuilding the 37-attribute object type for every null and walking the tree
// for equality and copies. Writing the bytes directly gives the same state at a fraction of the CPU and
// memory; TestFastRead_matchesFramework holds the two byte for byte.
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

const dbsRestoreTasksTypeName = "alicloud_dbs_restore_tasks"

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

// encodeRestoreTasksState writes the data source's state as msgpack, exactly as tftypes would: an object
// is a map with its keys sorted, numbers are the smallest msgpack integer, null is nil. The arguments are
// copied from the configuration; ids, names, tasks and total_count come from the result.
func encodeRestoreTasksState(cfg tftypes.Value, objType tftypes.Object, r *restoreTasksResult) ([]byte, error) {
	var attrs map[string]tftypes.Value
	if err := cfg.As(&attrs); err != nil {
		return nil, err
	}
	keys := sortedKeys(objType.AttributeTypes)
	columns, err := taskColumns()
	if err != nil {
		return nil, err
	}

	// Sized once for the whole state: every task repeats its 37 keys, so keys plus a typical value
	// length per attribute is close to the final size and the buffer rarely grows.
	buf := bytes.NewBuffer(make([]byte, 0, 1024+len(r.tasks)*taskKeysSize(columns)*2))
	w := &stateWriter{enc: msgpack.NewEncoder(buf)}
	w.do(w.enc.EncodeMapLen(len(keys)))
	for _, k := range keys {
		w.do(w.enc.EncodeString(k))
		switch k {
		case "ids":
			w.do(w.enc.EncodeArrayLen(len(r.tasks)))
			for i := range r.tasks {
				w.do(encodeString(w.enc, r.tasks[i].RestoreTaskID))
			}
		case "names":
			w.do(w.enc.EncodeArrayLen(len(r.tasks)))
			for i := range r.tasks {
				w.do(encodeString(w.enc, r.tasks[i].RestoreTaskName))
			}
		case "total_count":
			w.do(w.enc.EncodeInt(r.totalCount))
		case "tasks":
			w.do(w.enc.EncodeArrayLen(len(r.tasks)))
			for i := range r.tasks {
				w.do(encodeTask(w.enc, &r.tasks[i], columns))
			}
		default:
			w.do(encodeConfigValue(w.enc, attrs[k]))
		}
		if w.err != nil {
			return nil, fmt.Errorf("%s: %w", k, w.err)
		}
	}
	return buf.Bytes(), nil
}

// stateWriter keeps the first error of a run of encoder calls, so the encoding reads as a list of writes.
type stateWriter struct {
	enc *msgpack.Encoder
	err error
}

func (w *stateWriter) do(err error) {
	if w.err == nil {
		w.err = err
	}
}

func taskKeysSize(columns []taskColumn) int {
	n := 0
	for _, c := range columns {
		n += len(c.name) + 1
	}
	return n
}

// taskColumn is one attribute of a task object, in the order msgpack writes it, with the API field behind
// it (none for "id", which repeats the restore task id).
type taskColumn struct {
	name  string
	id    bool
	field dbs.Field
}

// taskColumns derives the task attributes' order from the schema once, so that the fast path follows
// the schema and every read does not sort names and look each field up again for every task.
var taskColumns = sync.OnceValues(func() ([]taskColumn, error) {
	_, objType := restoreTasksSchema()
	taskType := objType.AttributeTypes["tasks"].(tftypes.List).ElementType.(tftypes.Object)
	fields := make(map[string]dbs.Field, len(restoreTaskAttributes))
	for _, a := range restoreTaskAttributes {
		fields[a.name] = a.field
	}
	names := sortedKeys(taskType.AttributeTypes)
	columns := make([]taskColumn, len(names))
	for i, name := range names {
		f, ok := fields[name]
		if !ok && name != "id" {
			return nil, fmt.Errorf("tasks: no API field for the attribute %q", name)
		}
		columns[i] = taskColumn{name: name, id: name == "id", field: f}
	}
	return columns, nil
})

func encodeTask(enc *msgpack.Encoder, t *dbs.RestoreTask, columns []taskColumn) error {
	if err := enc.EncodeMapLen(len(columns)); err != nil {
		return err
	}
	for _, c := range columns {
		if err := enc.EncodeString(c.name); err != nil {
			return err
		}
		var err error
		switch {
		case c.id:
			err = encodeString(enc, t.RestoreTaskID)
		case c.field.Kind == dbs.KindInteger:
			if n := c.field.Int(t); n.Valid {
				err = enc.EncodeInt(n.Value)
			} else {
				err = enc.EncodeNil()
			}
		default:
			err = encodeString(enc, c.field.String(t))
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func encodeString(enc *msgpack.Encoder, s dbs.String) error {
	if !s.Valid {
		return enc.EncodeNil()
	}
	return enc.EncodeString(s.Value)
}

// encodeConfigValue writes an argument as the user configured it: a string, a number, a list of
// strings, or null. These are the only kinds this data source's arguments have.
func encodeConfigValue(enc *msgpack.Encoder, v tftypes.Value) error {
	if v.IsNull() {
		return enc.EncodeNil()
	}
	if !v.IsKnown() {
		return fmt.Errorf("an argument is not known yet")
	}
	switch {
	case v.Type().Is(tftypes.String):
		var s string
		if err := v.As(&s); err != nil {
			return err
		}
		return enc.EncodeString(s)
	case v.Type().Is(tftypes.Number):
		var n big.Float
		if err := v.As(&n); err != nil {
			return err
		}
		// The same choice tftypes makes: an exact int64 as an integer, else a float, else text.
		if i, acc := n.Int64(); acc == big.Exact {
			return enc.EncodeInt(i)
		}
		if f, acc := n.Float64(); acc == big.Exact && !n.IsInt() {
			return enc.EncodeFloat64(f)
		}
		return enc.EncodeString(n.Text('f', -1))
	case v.Type().Is(tftypes.List{}):
		var elems []tftypes.Value
		if err := v.As(&elems); err != nil {
			return err
		}
		if err := enc.EncodeArrayLen(len(elems)); err != nil {
			return err
		}
		for _, e := range elems {
			if err := encodeConfigValue(enc, e); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("an argument of type %s cannot be written", v.Type())
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
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
