package emulator

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func ids(tasks []Task) []string {
	out := make([]string, len(tasks))
	for i, t := range tasks {
		out[i] = t.ID()
	}
	return out
}

func TestPagingWalksTheWholeDataSet(t *testing.T) {
	data := Generate(250, 42)
	_, base := newTestServer(t, data)
	var seen []string
	for page := 0; page <= 9; page++ {
		r := send(t, base, req{params: vals("PageSize", "30", "PageNum", strconv.Itoa(page))})
		if r.status != 200 || r.body["Success"] != true {
			t.Fatalf("page %d: %d %s", page, r.status, r.raw)
		}
		if r.num("TotalElements") != 250 || r.num("TotalPages") != 9 || r.num("PageNum") != int64(page) || r.num("PageSize") != 30 {
			t.Errorf("page %d envelope: %s", page, r.raw[:200])
		}
		want := []int{30, 30, 30, 30, 30, 30, 30, 30, 10, 0}[page]
		got := r.items(t)
		if len(got) != want {
			t.Errorf("page %d has %d items, want %d", page, len(got), want)
		}
		seen = append(seen, got...)
	}
	if !slices.Equal(seen, ids(data)) {
		t.Errorf("pages do not list the data set in order")
	}
}

func TestDefaultsAndEnvelope(t *testing.T) {
	_, base := newTestServer(t, Generate(31, 1))
	r := send(t, base, req{})
	if r.num("PageSize") != 30 || r.num("PageNum") != 0 || r.num("TotalPages") != 2 || len(r.items(t)) != 30 {
		t.Errorf("defaults: %s", r.raw[:200])
	}
	if r.num("HttpStatusCode") != 200 || r.str("RequestId") == "" || r.str("RequestId") != r.header.Get("x-acs-request-id") {
		t.Errorf("envelope: RequestId %q header %q", r.str("RequestId"), r.header.Get("x-acs-request-id"))
	}
	wantPrefix := `{"HttpStatusCode":200,"PageNum":0,"RequestId":"` + r.str("RequestId") + `","Success":true,"TotalPages":2,"TotalElements":31,"PageSize":30,"Items":{"RestoreTaskDetail":[{`
	if !strings.HasPrefix(string(r.raw), wantPrefix) {
		t.Errorf("body starts %s\nwant %s", r.raw[:180], wantPrefix)
	}
	if r2 := send(t, base, req{}); r2.str("RequestId") == r.str("RequestId") {
		t.Errorf("RequestId repeated: %s", r.str("RequestId"))
	}
	if r := send(t, base, req{params: vals("PageNum", "7")}); r.str("Items") != "" || len(r.items(t)) != 0 {
		t.Errorf("page past the end: %s", r.raw)
	}
}

func TestParameterErrors(t *testing.T) {
	_, base := newTestServer(t, Generate(3, 1))
	for _, tc := range []struct {
		params   []string
		code, in string
	}{
		{[]string{"PageSize", "0"}, CodeParamNotValid, "PageSize"},
		{[]string{"PageSize", "101"}, CodeParamNotValid, "PageSize"},
		{[]string{"PageSize", "ten"}, CodeParamNotValid, "PageSize"},
		{[]string{"PageNum", "-1"}, CodeParamNotValid, "PageNum"},
		{[]string{"PageNum", "1.5"}, CodeParamNotValid, "PageNum"},
		{[]string{"PageNum", "2147483648"}, CodeParamNotValid, "PageNum"},
		{[]string{"StartTimestamp", "2024-01-01"}, CodeParamNotValid, "StartTimestamp"},
		{[]string{"EndTimestamp", "1e12"}, CodeParamNotValid, "EndTimestamp"},
		{[]string{"BackupPlanId", "dbsx", "RestoreTaskId", "r1"}, CodeParamConflict, "BackupPlanId"},
	} {
		r := send(t, base, req{params: vals(tc.params...)})
		if r.body["Success"] != false || r.str("ErrCode") != tc.code || !strings.Contains(r.str("ErrMessage"), tc.in) ||
			r.str("RequestId") == "" || r.num("HttpStatusCode") != int64(r.status) {
			t.Errorf("%v: %d %s", tc.params, r.status, r.raw)
		}
	}
	// Up to the limits is fine.
	for _, p := range [][]string{{"PageSize", "1"}, {"PageSize", "100"}, {"PageNum", "2147483647"}, {"ClientToken", "abc"}, {"BackupPlanId", ""}} {
		if r := send(t, base, req{params: vals(p...)}); r.body["Success"] != true {
			t.Errorf("%v: %s", p, r.raw)
		}
	}
}

func TestFilters(t *testing.T) {
	data := Generate(60, 7)
	_, base := newTestServer(t, data)
	list := func(kv ...string) []string {
		t.Helper()
		r := send(t, base, req{params: vals(append(kv, "PageSize", "100")...)})
		if r.body["Success"] != true {
			t.Fatalf("%v: %s", kv, r.raw)
		}
		got := r.items(t)
		if r.num("TotalElements") != int64(len(got)) {
			t.Errorf("%v: TotalElements %d, %d items", kv, r.num("TotalElements"), len(got))
		}
		return got
	}
	plan := PlanIDs(7)[2]
	var want []string
	for _, task := range data {
		if p, _ := task.stringField("BackupPlanId"); p == plan {
			want = append(want, task.ID())
		}
	}
	if got := list("BackupPlanId", plan); len(want) == 0 || !slices.Equal(got, want) {
		t.Errorf("BackupPlanId: got %v, want %v", got, want)
	}

	// Listed in the data set's order, whatever the order asked; unknown ids and blanks ignored.
	asked := data[40].ID() + ", " + data[3].ID() + ",nope,," + data[17].ID()
	if got, want := list("RestoreTaskId", asked), []string{data[3].ID(), data[17].ID(), data[40].ID()}; !slices.Equal(got, want) {
		t.Errorf("RestoreTaskId: got %v, want %v", got, want)
	}

	created := func(i int) string { n, _ := data[i].intField("RestoreTaskCreateTime"); return fmt.Sprint(n) }
	if got := list("StartTimestamp", created(10), "EndTimestamp", created(20)); !slices.Equal(got, ids(data[10:21])) {
		t.Errorf("time range is inclusive at both ends: got %d tasks", len(got))
	}
	if got := list("StartTimestamp", created(55)); !slices.Equal(got, ids(data[55:])) {
		t.Errorf("StartTimestamp alone: got %d tasks", len(got))
	}
	if got := list("EndTimestamp", created(4)); !slices.Equal(got, ids(data[:5])) {
		t.Errorf("EndTimestamp alone: got %d tasks", len(got))
	}
	if got := list("StartTimestamp", created(20), "EndTimestamp", created(10)); len(got) != 0 {
		t.Errorf("an empty range: got %d tasks", len(got))
	}
}

func TestTasksAreServedAsGiven(t *testing.T) {
	tasks := MustParseTasks(`[
	  {"RestoreTaskId":"rbig","BackupGatewayId":9007199254740993,"RestoreTaskCreateTime":1554560477000,
	   "RestoreTaskName":"名前 \"q\" \\ \u00e9","DestinationEndpointPort":"3306","RestoreTaskFinishTime":18446744073709551615},
	  {"RestoreTaskId":"rsparse"},
	  {"RestoreTaskId":"rwrong","RestoreTaskCreateTime":"not a number","FullDataRestoreProgress":null}
	]`)
	s, base := newTestServer(t, tasks)
	r := send(t, base, req{})
	for _, want := range []string{
		`{"RestoreTaskId":"rbig","BackupGatewayId":9007199254740993,"RestoreTaskCreateTime":1554560477000,"RestoreTaskName":"名前 \"q\" \\ \u00e9","DestinationEndpointPort":"3306","RestoreTaskFinishTime":18446744073709551615}`,
		`{"RestoreTaskId":"rsparse"}`,
		`{"RestoreTaskId":"rwrong","RestoreTaskCreateTime":"not a number","FullDataRestoreProgress":null}`,
	} {
		if !strings.Contains(string(r.raw), want) {
			t.Errorf("body lacks %s:\n%s", want, r.raw)
		}
	}
	// A task whose create time is no integer is outside every time range.
	if r := send(t, base, req{params: vals("StartTimestamp", "0")}); r.num("TotalElements") != 1 {
		t.Errorf("time filter: %s", r.raw)
	}

	s.SetTasks(tasks[1:2])
	if r := send(t, base, req{}); r.num("TotalElements") != 1 || r.items(t)[0] != "rsparse" {
		t.Errorf("after SetTasks: %s", r.raw)
	}
}

func TestStatsAndRequestLog(t *testing.T) {
	s, base := newTestServer(t, Generate(40, 1))
	send(t, base, req{params: vals("PageNum", "1", "PageSize", "10", "ClientToken", "ct")})
	send(t, base, req{rpc: true, ak: stsAK, secret: stsSecret, token: stsToken})
	send(t, base, req{secret: "wrong", ak: testAK})
	send(t, base, req{action: "Nope"})

	st := s.Stats()
	if st.Requests != 4 || st.Authenticated != 3 || st.ByAction["DescribeRestoreTaskList"] != 3 || st.ByAction["Nope"] != 1 ||
		st.ByCode[CodeSignatureDoesNotMatch] != 1 || st.ByCode[CodeInvalidAction] != 1 || st.InFlight != 0 || st.MaxInFlight != 1 {
		t.Errorf("stats: %+v", st)
	}
	log := s.Requests()
	if len(log) != 4 {
		t.Fatalf("log has %d entries", len(log))
	}
	first := log[0]
	if first.Seq != 1 || first.AccessKeyID != testAK || first.Signing != SigningACS3 || first.SecurityToken || !first.Authenticated ||
		first.PageNum != 1 || first.PageSize != 10 || first.Status != 200 || first.Code != "" ||
		first.Params["ClientToken"] != "ct" || len(first.Params) != 3 {
		t.Errorf("first entry: %+v", first)
	}
	if second := log[1]; second.AccessKeyID != stsAK || !second.SecurityToken || second.Signing != SigningRPC || len(second.Params) != 0 {
		t.Errorf("second entry: %+v", second)
	}
	if third := log[2]; third.Authenticated || third.Code != CodeSignatureDoesNotMatch || third.Status != 400 ||
		!strings.HasPrefix(third.StringToSign, "ACS3-HMAC-SHA256\n") || third.Params != nil {
		t.Errorf("third entry: %+v", third)
	}

	s.Reset()
	if st := s.Stats(); st.Requests != 0 || len(st.ByAction) != 0 || len(s.Requests()) != 0 {
		t.Errorf("after Reset: %+v", st)
	}
	send(t, base, req{})
	if log := s.Requests(); len(log) != 1 || log[0].Seq != 1 {
		t.Errorf("after Reset, log %+v", log)
	}
}

func TestLoadTasksFile(t *testing.T) {
	path := t.TempDir() + "/tasks.json"
	data := Generate(8, 3)
	raw := rawJSON(data)
	if err := writeFile(path, raw); err != nil {
		t.Fatal(err)
	}
	got, err := LoadTasksFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(rawJSON(got)) != string(raw) {
		t.Errorf("round trip changed the data")
	}
	for _, bad := range []string{`{}`, `[1]`, `[null]`, `[{"a":1,"a":2}]`, `[{"a":1}`, `null`} {
		if _, err := ParseTasks([]byte(bad)); err == nil {
			t.Errorf("ParseTasks(%s) took it", bad)
		}
	}
}
