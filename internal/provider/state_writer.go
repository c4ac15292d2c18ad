package provider

import (
	"bytes"
	"fmt"
	"maps"
	"math/big"
	"slices"
	"sync"

	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/vmihailenco/msgpack/v5"

	"github.com/seed-00b4a2d9/terraform-provider-alicloud/internal/dbs"
)

// encodeRestoreTasksState writes the data source's state as msgpack, exactly as tftypes would: an object
// is a map with its keys sorted, numbers are the smallest msgpack integer, null is nil. The arguments are
// copied from the configuration; ids, names, tasks and total_count come from the result.
func encodeRestoreTasksState(cfg tftypes.Value, objType tftypes.Object, r *restoreTasksResult) ([]byte, error) {
	var attrs map[string]tftypes.Value
	if err := cfg.As(&attrs); err != nil {
		return nil, err
	}
	keys := slices.Sorted(maps.Keys(objType.AttributeTypes))
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
	names := slices.Sorted(maps.Keys(taskType.AttributeTypes))
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
			if n := c.field.IntOf(t); n.Valid {
				err = enc.EncodeInt(n.Value)
			} else {
				err = enc.EncodeNil()
			}
		default:
			err = encodeString(enc, c.field.StringOf(t))
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
