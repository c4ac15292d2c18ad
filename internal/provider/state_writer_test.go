package provider

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/seed-00b4a2d9/terraform-provider-alicloud/internal/bench"
	"github.com/seed-00b4a2d9/terraform-provider-alicloud/internal/dbs"
)

// generatedTasks builds tasks that stress the encoding: absent fields, unicode, quotes, control
// characters, long strings, integers above 32 and 53 bits, negative numbers and zero.
func generatedTasks(n int, seed uint64) []dbs.RestoreTask {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	texts := []string{"", "plain", "名前-復元", "quote \" and \\ backslash", "tab\tnew\nline", "emoji 🚀", "NULL",
		string(bytes.Repeat([]byte("x"), 300)), "<>&'"}
	ints := []int64{0, 1, -1, 100, math.MaxInt32 + 1, 1 << 53, 1<<53 + 1, math.MaxInt64, math.MinInt64, 1554560477000}
	tasks := make([]dbs.RestoreTask, n)
	for i := range tasks {
		t := &tasks[i]
		for _, f := range dbs.Fields {
			if rng.IntN(4) == 0 {
				continue // absent
			}
			if f.Kind == dbs.KindInteger {
				f.SetInt(t, dbs.Int{Value: ints[rng.IntN(len(ints))], Valid: true})
			} else {
				f.SetString(t, dbs.String{Value: texts[rng.IntN(len(texts))], Valid: true})
			}
		}
		if i%5 != 0 {
			t.RestoreTaskID = dbs.String{Value: fmt.Sprintf("r%05d", i), Valid: true}
		}
	}
	return tasks
}

// frameworkStateBytes is the reference: the msgpack of the state the framework builds with State.Set.
func frameworkStateBytes(t testing.TB, cfg dbsRestoreTasksDataSourceModel, r *restoreTasksResult) []byte {
	t.Helper()
	ctx := context.Background()
	sch, objType := restoreTasksSchema()
	cfg.IDs, cfg.Names, cfg.Tasks = r.frameworkLists()
	cfg.TotalCount = types.Int64Value(r.totalCount)
	state := tfsdk.State{Schema: sch}
	if diags := state.Set(ctx, &cfg); diags.HasError() {
		t.Fatalf("State.Set: %v", diags)
	}
	dv, err := tfprotov6.NewDynamicValue(objType, state.Raw)
	if err != nil {
		t.Fatal(err)
	}
	return dv.MsgPack
}

// configRaw turns a model holding only arguments into the raw configuration Terraform would send.
func configRaw(t testing.TB, cfg dbsRestoreTasksDataSourceModel) tfsdk.Config {
	t.Helper()
	sch, _ := restoreTasksSchema()
	if cfg.IDs.IsNull() { // the zero List has no element type
		cfg.IDs = types.ListNull(types.StringType)
	}
	cfg.Names = types.ListNull(types.StringType)
	cfg.Tasks = types.ListNull(taskObjectType)
	cfg.TotalCount = types.Int64Null()
	state := tfsdk.State{Schema: sch}
	if diags := state.Set(context.Background(), &cfg); diags.HasError() {
		t.Fatalf("State.Set: %v", diags)
	}
	return tfsdk.Config{Raw: state.Raw, Schema: sch}
}

func TestFastRead_matchesFramework(t *testing.T) {
	t.Parallel()
	nullArgs := dbsRestoreTasksDataSourceModel{
		BackupPlanID: types.StringNull(), StartTimestamp: types.Int64Null(), EndTimestamp: types.Int64Null(),
		StartTime: types.StringNull(), EndTime: types.StringNull(), ClientToken: types.StringNull(),
		PageSize: types.Int64Null(), PageNumber: types.Int64Null(), Status: types.StringNull(),
		NameRegex: types.StringNull(), OutputFile: types.StringNull(),
	}
	allArgs := nullArgs
	allArgs.BackupPlanID = types.StringValue("dbs1plan\"ü")
	allArgs.StartTimestamp = types.Int64Value(1 << 40)
	allArgs.EndTimestamp = types.Int64Value(math.MaxInt64)
	allArgs.ClientToken = types.StringValue("token")
	allArgs.PageSize = types.Int64Value(7)
	allArgs.PageNumber = types.Int64Value(0)
	allArgs.Status = types.StringValue("running")
	allArgs.NameRegex = types.StringValue("^a.*$")
	allArgs.OutputFile = types.StringValue("/tmp/x.json")
	allArgs.StartTime = types.StringValue("2026-01-02T15:04:05Z")

	withIDs := nullArgs
	withIDs.IDs = types.ListValueMust(types.StringType, []attr.Value{types.StringValue("r00001"), types.StringValue("other")})

	cases := []struct {
		name  string
		args  dbsRestoreTasksDataSourceModel
		tasks []dbs.RestoreTask
		total int64
	}{
		{"no tasks", nullArgs, []dbs.RestoreTask{}, 0},
		{"one task with no fields", nullArgs, make([]dbs.RestoreTask, 1), 1},
		{"generated", nullArgs, generatedTasks(500, 1), 1 << 40},
		{"generated with every argument", allArgs, generatedTasks(50, 2), 3},
		{"ids configured", withIDs, generatedTasks(3, 3), 3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := &restoreTasksResult{tasks: c.tasks, totalCount: c.total}
			want := frameworkStateBytes(t, c.args, r)
			cfg := configRaw(t, c.args)
			_, objType := restoreTasksSchema()
			got, err := encodeRestoreTasksState(cfg.Raw, objType, r)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				i := 0
				for i < len(got) && i < len(want) && got[i] == want[i] {
					i++
				}
				t.Fatalf("the fast path's state differs from the framework's at byte %d of %d/%d", i, len(got), len(want))
			}
		})
	}
}

func BenchmarkReadPath(b *testing.B) {
	for _, n := range bench.Sizes() {
		tasks := generatedTasks(n, 7)
		r := &restoreTasksResult{tasks: tasks, totalCount: int64(n)}
		args := dbsRestoreTasksDataSourceModel{
			BackupPlanID: types.StringNull(), StartTimestamp: types.Int64Null(), EndTimestamp: types.Int64Null(),
			StartTime: types.StringNull(), EndTime: types.StringNull(), ClientToken: types.StringNull(),
			PageSize: types.Int64Null(), PageNumber: types.Int64Null(), Status: types.StringNull(),
			NameRegex: types.StringNull(), OutputFile: types.StringNull(),
		}
		cfg := configRaw(b, args)
		_, objType := restoreTasksSchema()
		b.Run(fmt.Sprintf("fast/tasks=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := encodeRestoreTasksState(cfg.Raw, objType, r); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/task")
		})
		b.Run(fmt.Sprintf("framework/tasks=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				frameworkStateBytes(b, args, r)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/task")
		})
	}
}
