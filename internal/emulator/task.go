package emulator

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
)

// FieldNames lists the 36 RestoreTaskDetail fields in the API reference's order. Older API versions
// lack the last eleven (LegacyFieldCount tells where they start).
var FieldNames = []string{
	"RestoreStatus",
	"FullStruAfterRestoreProgress",
	"CrossRoleName",
	"RestoreDir",
	"CrossAliyunId",
	"RestoreObjects",
	"BackupPlanId",
	"DestinationEndpointRegion",
	"RestoreTaskCreateTime",
	"DestinationEndpointUserName",
	"RestoreTaskFinishTime",
	"DestinationEndpointIpPort",
	"DestinationEndpointDatabaseName",
	"DestinationEndpointInstanceType",
	"DestinationEndpointOracleSID",
	"FullStruforeRestoreProgress",
	"ErrMessage",
	"RestoreTaskId",
	"FullDataRestoreProgress",
	"ContinuousRestoreProgress",
	"DestinationEndpointInstanceID",
	"BackupSetId",
	"BackupGatewayId",
	"RestoreTaskName",
	"RestoreTime",
	"DestinationEndpointHost",
	"DestinationEndpointPort",
	"DestinationEndpointEnableSsl",
	"BackupGatewayIdentifier",
	"BackupSourceOssRegion",
	"RestoreDestinationMode",
	"PhysicalFullBackupRecoverProgress",
	"PhysicalFullAndIncrementBackupRecoverProgress",
	"PhysicalIncrementBackupRecoverProgress",
	"PhysicalDatabaseOnlineProgress",
	"PhysicalBackupRecoverProgress",
}

// LegacyFieldCount is how many of FieldNames older API versions (and older SDK models) know.
const LegacyFieldCount = 25

// Task is one restore task as the API serves it: a RestoreTaskDetail JSON object kept exactly as given.
// Fields keep their order and their bytes; a field that is absent stays absent; a value of the wrong JSON
// type is served as it is. A Task is immutable: With and Without return changed copies.
type Task struct {
	o object
}

// ParseTasks reads a JSON array of RestoreTaskDetail objects.
func ParseTasks(data []byte) ([]Task, error) {
	var tasks []Task
	if err := json.Unmarshal(data, &tasks); err != nil {
		return nil, fmt.Errorf("emulator: parse tasks: %w", err)
	}
	if tasks == nil {
		return nil, fmt.Errorf("emulator: parse tasks: expected a JSON array")
	}
	return tasks, nil
}

// MustParseTasks is ParseTasks for data written in a test; it panics on an error.
func MustParseTasks(data string) []Task {
	tasks, err := ParseTasks([]byte(data))
	if err != nil {
		panic(err)
	}
	return tasks
}

// LoadTasksFile reads a JSON file holding an array of RestoreTaskDetail objects.
func LoadTasksFile(path string) ([]Task, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("emulator: %w", err)
	}
	return ParseTasks(data)
}

// MarshalJSON writes the object as given.
func (t Task) MarshalJSON() ([]byte, error) { return t.o.MarshalJSON() }

// UnmarshalJSON keeps every member with its raw value and its order. A member named twice is an error.
func (t *Task) UnmarshalJSON(data []byte) error {
	var o object
	if err := o.UnmarshalJSON(data); err != nil {
		return err
	}
	t.o = o
	return nil
}

// Names lists the task's fields in order.
func (t Task) Names() []string {
	names := make([]string, len(t.o))
	for i, f := range t.o {
		names[i] = f.name
	}
	return names
}

// Get returns a field's raw JSON value, and whether the task has the field.
func (t Task) Get(name string) (json.RawMessage, bool) {
	v, ok := t.o.get(name)
	return append(json.RawMessage(nil), v...), ok
}

// With returns a copy of the task with the field set to v, marshalled as JSON; a json.RawMessage is
// taken as the value's JSON text, which is how a test serves a value of the wrong type. A new field goes
// last. It panics if v cannot be marshalled, since that is a mistake in the calling test.
func (t Task) With(name string, v any) Task {
	raw, err := marshal(v)
	if err != nil {
		panic(fmt.Sprintf("emulator: Task.With(%q): %v", name, err))
	}
	return Task{t.o.with(name, raw)}
}

// Without returns a copy of the task lacking the named fields.
func (t Task) Without(names ...string) Task { return Task{t.o.without(names...)} }

// ID returns the RestoreTaskId, or "" when it is absent or not a string.
func (t Task) ID() string {
	s, _ := t.stringField("RestoreTaskId")
	return s
}

// String returns a string field, and false when it is absent or not a JSON string.
func (t Task) String(name string) (string, bool) { return t.stringField(name) }

// Int returns an integer field (a numeric string counts), and false when it is absent or not an integer.
func (t Task) Int(name string) (int64, bool) { return t.intField(name) }

func (t Task) stringField(name string) (string, bool) {
	raw, ok := t.o.get(name)
	if !ok {
		return "", false
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return "", false
	}
	return s, true
}

// intField reads an integer field; a numeric string counts, since the API is loose about such types.
func (t Task) intField(name string) (int64, bool) {
	raw, ok := t.o.get(name)
	if !ok {
		return 0, false
	}
	text := string(raw)
	if s, isString := t.stringField(name); isString {
		text = s
	}
	n, err := strconv.ParseInt(text, 10, 64)
	return n, err == nil
}
