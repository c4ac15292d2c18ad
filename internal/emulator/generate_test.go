package emulator

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
)

func writeFile(path string, data []byte) error { return os.WriteFile(path, data, 0o600) }

func TestGenerate(t *testing.T) {
	a, b := Generate(100, 9), Generate(100, 9)
	if string(rawJSON(a)) != string(rawJSON(b)) {
		t.Fatal("same seed, different tasks")
	}
	if string(rawJSON(Generate(100, 10))) == string(rawJSON(a)) {
		t.Fatal("another seed, same tasks")
	}
	seen := map[string]bool{}
	var lastCreated int64
	plans := map[string]bool{}
	var big, weird int
	for i, task := range a {
		id := task.ID()
		if len(id) != 10 || id[0] != 'r' || seen[id] {
			t.Errorf("task %d: id %q", i, id)
		}
		seen[id] = true
		created, _ := task.intField("RestoreTaskCreateTime")
		if created <= lastCreated {
			t.Errorf("task %d: create time %d not after %d", i, created, lastCreated)
		}
		lastCreated = created
		p, _ := task.stringField("BackupPlanId")
		plans[p] = true

		names := task.Names()
		switch {
		case i%7 == 6:
			if len(names) != LegacyFieldCount-boolInt(i%5 == 3) || slices.Contains(names, "DestinationEndpointHost") {
				t.Errorf("task %d should lack the last eleven fields: %v", i, names)
			}
		case i%5 == 3:
			if len(names) != 35 || slices.Contains(names, "ErrMessage") {
				t.Errorf("task %d should lack ErrMessage: %v", i, names)
			}
		default:
			if !slices.Equal(names, FieldNames) {
				t.Errorf("task %d fields: %v", i, names)
			}
		}
		gw, _ := task.Get("BackupGatewayId")
		var n json.Number
		if json.Unmarshal(gw, &n) != nil {
			t.Fatalf("task %d: BackupGatewayId %s", i, gw)
		}
		if v, err := n.Int64(); err != nil || v <= 1<<32 {
			t.Errorf("task %d: BackupGatewayId %s not above 2^32", i, gw)
		}
		if v := mustInt(n); int64(float64(v)) != v {
			big++
		}
		if port, ok := task.Get("DestinationEndpointPort"); ok && port[0] != '"' {
			t.Errorf("task %d: port %s not a string", i, port)
		}
		name, _ := task.stringField("RestoreTaskName")
		if strings.ContainsAny(name, "\"\\恢") {
			weird++
		}
	}
	if len(plans) != 5 || big < 5 || weird < 30 {
		t.Errorf("%d plans, %d gateway ids a float64 cannot hold, %d names with quotes, backslashes or CJK", len(plans), big, weird)
	}
	if !slices.Contains(PlanIDs(9), mustString(a[0], "BackupPlanId")) {
		t.Errorf("PlanIDs(9) lacks the first task's plan")
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func mustInt(n json.Number) int64 {
	v, _ := n.Int64()
	return v
}

func mustString(t Task, name string) string {
	s, _ := t.stringField(name)
	return s
}

func TestTaskWithAndWithout(t *testing.T) {
	orig := MustParseTasks(`[{"RestoreTaskId":"r1","RestoreStatus":"init"}]`)[0]
	changed := orig.With("RestoreStatus", "running").With("BackupGatewayId", json.RawMessage(`9007199254740993`)).Without("RestoreTaskId")
	if got := string(rawJSON(changed)); got != `{"RestoreStatus":"running","BackupGatewayId":9007199254740993}` {
		t.Errorf("changed: %s", got)
	}
	if got := string(rawJSON(orig)); got != `{"RestoreTaskId":"r1","RestoreStatus":"init"}` {
		t.Errorf("the original changed too: %s", got)
	}
}

func TestGeneratePlans(t *testing.T) {
	tasks, ids := GeneratePlans(7, 3, 4)
	if len(tasks) != 21 || len(ids) != 7 || !slices.Equal(ids[:5], PlanIDs(4)) {
		t.Fatalf("%d tasks, plans %v", len(tasks), ids)
	}
	if len(slices.Compact(slices.Sorted(slices.Values(ids)))) != 7 {
		t.Errorf("plan ids repeat: %v", ids)
	}
	for i, task := range tasks {
		plan, _ := task.stringField("BackupPlanId")
		if plan != ids[i/3] {
			t.Errorf("task %d in plan %q, want %q", i, plan, ids[i/3])
		}
		if task.ID() != Generate(21, 4)[i].ID() {
			t.Errorf("task %d is not Generate's", i)
		}
	}
}
