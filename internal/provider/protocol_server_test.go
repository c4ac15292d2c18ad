package provider

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-log/tflogtest"
	"github.com/vmihailenco/msgpack/v5"

	"github.com/seed-00b4a2d9/terraform-provider-alicloud/internal/emulator"
)

// equivalenceTasks is a data set whose strings stress the encoding: unicode, quotes, control
// characters, and a name that repeats another task's.
func equivalenceTasks() []emulator.Task {
	tasks := emulator.Generate(130, 77)
	odd := []string{"名前-復元 🚀", "quote \" back\\slash", "tab\tnew\nline\u0001\u007f", "", "NULL", "<>&'"}
	for i := range tasks {
		if i%7 == 0 {
			tasks[i] = tasks[i].With("RestoreTaskName", odd[(i/7)%len(odd)])
		}
		if i%11 == 0 {
			tasks[i] = tasks[i].With("ErrMessage", odd[(i/11)%len(odd)])
		}
	}
	return tasks
}

// argumentSamples gives every argument of the data source the values it is read with. The test fails on
// an argument of the schema this table does not know, so that a new argument cannot be left out.
func argumentSamples(tasks []emulator.Task, dir string) map[string][]tftypes.Value {
	str := func(s string) tftypes.Value { return tftypes.NewValue(tftypes.String, s) }
	num := func(n int64) tftypes.Value { return tftypes.NewValue(tftypes.Number, n) }
	list := func(ids ...string) tftypes.Value {
		vals := make([]tftypes.Value, len(ids))
		for i, id := range ids {
			vals[i] = str(id)
		}
		return tftypes.NewValue(tftypes.List{ElementType: tftypes.String}, vals)
	}
	plan, _ := tasks[5].String("BackupPlanId")
	created, _ := tasks[40].Int("RestoreTaskCreateTime")
	return map[string][]tftypes.Value{
		"backup_plan_id":  {str(plan), str("dbs-no-such-plan-ü")},
		"ids":             {list(), list(tasks[9].ID(), tasks[2].ID(), tasks[9].ID()), list(tasks[3].ID(), "rdoesnotexist")},
		"start_timestamp": {num(created), num(0)},
		"end_timestamp":   {num(created), num(1 << 50)},
		"start_time":      {str("2020-01-02T03:04:05Z"), str("2999-01-01T00:00:00+08:00")},
		"end_time":        {str("2999-01-01T00:00:00.123456789-07:00")},
		"client_token":    {str("token-ü-\t-1")},
		"page_size":       {num(1), num(7), num(100)},
		"page_number":     {num(0), num(3), num(1000)},
		"status":          {str("running"), str("STOP")},
		"name_regex":      {str("[0-9]$"), str("^名前"), str("no match at all ^$")},
		"output_file":     {str(filepath.Join(dir, "tasks.json"))},
	}
}

// The production server (the state written straight to msgpack) and the plain framework server, fed the
// same ReadDataSource requests against the same emulator, answer the same state, byte for byte, and the
// same diagnostics: for every argument alone, for combinations, and for every way a read can fail.
func TestFastRead_protocolEquivalence(t *testing.T) {
	t.Parallel()
	tasks := equivalenceTasks()
	e := startEmulator(t, tasks)
	fast := newProtocol6Server(e.env.provider())
	framework := providerserver.NewProtocol6(e.env.provider())()

	sch, objType := restoreTasksSchema()
	samples := argumentSamples(tasks, t.TempDir())
	for _, name := range schemaArguments(sch) {
		if len(samples[name]) == 0 {
			t.Fatalf("the data source has the argument %q, which argumentSamples does not cover: add values for it", name)
		}
	}

	type readCase struct {
		name    string
		args    map[string]tftypes.Value
		faults  emulator.Faults
		failing bool // a fault is set: the read must fail
	}
	cases := []readCase{{name: "no arguments"}}
	for _, name := range slices.Sorted(maps.Keys(samples)) {
		for i, v := range samples[name] {
			cases = append(cases, readCase{name: fmt.Sprintf("%s#%d", name, i), args: map[string]tftypes.Value{name: v}})
		}
	}
	cases = append(cases,
		readCase{name: "every filter", args: map[string]tftypes.Value{
			"backup_plan_id": samples["backup_plan_id"][0], "start_timestamp": samples["start_timestamp"][1],
			"end_time": samples["end_time"][0], "client_token": samples["client_token"][0], "page_size": samples["page_size"][1],
			"status": samples["status"][0], "name_regex": samples["name_regex"][0], "output_file": samples["output_file"][0],
		}},
		readCase{name: "one page of ids", args: map[string]tftypes.Value{"ids": samples["ids"][1], "page_number": samples["page_number"][0]}},
	)
	errorShapes := map[string]emulator.Faults{
		"forbidden":        {Forbidden: emulator.Always},
		"success false":    {DBSError: emulator.Always, ErrCode: "Param.NotFound", ErrMessage: "The specified parameter %s value is not valid."},
		"truncated body":   {TruncateBody: emulator.Always},
		"wrong type":       {WrongType: emulator.Always},
		"oversized page":   {OversizePage: emulator.Always},
		"absurd totals":    {AbsurdTotals: emulator.Always},
		"wrong envelope":   {WrongType: emulator.Always, WrongTypeField: "TotalElements"},
		"repeated page":    {RepeatPrevious: emulator.Always},
		"empty page early": {EmptyPage: emulator.Always},
	}
	for _, name := range slices.Sorted(maps.Keys(errorShapes)) {
		cases = append(cases, readCase{name: "fault " + name, args: map[string]tftypes.Value{"page_size": samples["page_size"][1]}, faults: errorShapes[name], failing: true})
	}

	ctx := context.Background()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// A provider configured for each case, as for each Terraform command: a configured provider
			// reads a query once, and the cases read the same query with and without faults.
			configuredServer(t, fast, e.url)
			configuredServer(t, framework, e.url)
			e.SetFaults(c.faults)
			dv, err := tfprotov6.NewDynamicValue(objType, objectValue(objType, c.args))
			if err != nil {
				t.Fatal(err)
			}
			req := &tfprotov6.ReadDataSourceRequest{TypeName: dbsRestoreTasksTypeName, Config: &dv}
			want, err := framework.ReadDataSource(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			got, err := fast.ReadDataSource(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			if w, g := diagnosticsText(want.Diagnostics), diagnosticsText(got.Diagnostics); w != g {
				t.Errorf("diagnostics differ:\nframework: %s\nfast:      %s", w, g)
			}
			if !bytes.Equal(stateBytes(want.State), stateBytes(got.State)) {
				t.Errorf("the states differ: framework %d bytes, fast %d bytes", len(stateBytes(want.State)), len(stateBytes(got.State)))
			}
			if !c.failing && (got.State == nil || hasError(got.Diagnostics)) {
				t.Errorf("a read without faults failed: %s", diagnosticsText(got.Diagnostics))
			}
			if c.failing && !hasError(got.Diagnostics) {
				t.Errorf("the fault was not reported as an error")
			}
		})
	}
}

// When the fast path cannot encode the state, the read still succeeds, with the framework's bytes, and a
// debug line says why.
func TestFastRead_fallsBackToTheFramework(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Generate(40, 3))
	server := newProtocol6Server(e.env.provider())
	server.encodeState = func(tftypes.Value, tftypes.Object, *restoreTasksResult) ([]byte, error) {
		return nil, fmt.Errorf("an argument of type tftypes.Bool cannot be written")
	}
	framework := providerserver.NewProtocol6(e.env.provider())()
	configuredServer(t, server, e.url)
	configuredServer(t, framework, e.url)

	var logs bytes.Buffer
	ctx := tflogtest.RootLogger(context.Background(), &logs)
	req := readRequest(t)
	got, err := server.ReadDataSource(ctx, req)
	if err != nil || len(got.Diagnostics) > 0 {
		t.Fatalf("ReadDataSource: %v %s", err, diagnosticsText(got.Diagnostics))
	}
	want, err := framework.ReadDataSource(context.Background(), req)
	if err != nil || len(want.Diagnostics) > 0 {
		t.Fatalf("ReadDataSource: %v %s", err, diagnosticsText(want.Diagnostics))
	}
	if !bytes.Equal(stateBytes(got.State), stateBytes(want.State)) {
		t.Fatal("the fallback's state differs from the framework's")
	}
	if !strings.Contains(logs.String(), "writing the state through the framework instead") || !strings.Contains(logs.String(), "tftypes.Bool") {
		t.Fatalf("no debug line says the fast path fell back:\n%s", logs.String())
	}
}

// An argument of a kind the fast path does not write is an error, which is what makes it fall back.
func TestFastRead_unknownArgumentKindIsAnError(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	enc := msgpack.NewEncoder(&buf)
	for _, v := range []tftypes.Value{
		tftypes.NewValue(tftypes.Bool, true),
		tftypes.NewValue(tftypes.Object{AttributeTypes: map[string]tftypes.Type{"a": tftypes.String}}, map[string]tftypes.Value{"a": tftypes.NewValue(tftypes.String, "x")}),
		tftypes.NewValue(tftypes.String, tftypes.UnknownValue),
	} {
		if err := encodeConfigValue(enc, v); err == nil {
			t.Errorf("encodeConfigValue(%s) did not fail", v.Type())
		}
	}
}

// schemaArguments lists the data source's arguments (its optional attributes), sorted.
func schemaArguments(s schema.Schema) []string {
	var names []string
	for name, a := range s.Attributes {
		if a.IsOptional() {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names
}

// requestIDs are the emulator's fresh request ids, which differ from one read to the next.
var requestIDs = regexp.MustCompile(`[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}`)

// diagnosticsText renders diagnostics with everything that must be equal: severity, summary, detail
// (request ids aside) and attribute path.
func diagnosticsText(diags []*tfprotov6.Diagnostic) string {
	var b strings.Builder
	for _, d := range diags {
		fmt.Fprintf(&b, "[%s] %s: %s", d.Severity, d.Summary, requestIDs.ReplaceAllString(d.Detail, "<request id>"))
		if d.Attribute != nil {
			fmt.Fprintf(&b, " @%s", d.Attribute.String())
		}
		b.WriteString("; ")
	}
	return b.String()
}

func hasError(diags []*tfprotov6.Diagnostic) bool {
	for _, d := range diags {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			return true
		}
	}
	return false
}

func stateBytes(dv *tfprotov6.DynamicValue) []byte {
	if dv == nil {
		return nil
	}
	return dv.MsgPack
}
