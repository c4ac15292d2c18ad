package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// listParams are DescribeRestoreTaskList's parameters; the gateway refuses any other.
var listParams = []string{"BackupPlanId", "ClientToken", "EndTimestamp", "PageNum", "PageSize", "RestoreTaskId", "StartTimestamp"}

// envelopeFields are the members of a DescribeRestoreTaskList answer, which WrongType may target.
var envelopeFields = []string{"HttpStatusCode", "PageNum", "RequestId", "Success", "TotalPages", "TotalElements", "PageSize", "Items"}

type listQuery struct {
	planID           string
	taskIDs          map[string]bool // nil when RestoreTaskId is not given
	start, end       int64
	hasStart, hasEnd bool
	pageSize         int64
	pageNum          int64
}

// dbsError is a refusal DBS itself makes: Success:false with ErrCode and ErrMessage.
type dbsError struct {
	status        int
	code, message string
}

func (e *dbsError) Error() string { return e.code + ": " + e.message }

// parseListQuery reads the parameters as DBS does. An empty value counts as absent.
func parseListQuery(p map[string]string) (listQuery, error) {
	q := listQuery{pageSize: 30}
	for _, k := range slices.Sorted(maps.Keys(p)) {
		if !slices.Contains(listParams, k) {
			return q, gatewayError(400, CodeInvalidParameter, "The parameter %s is not a parameter of DescribeRestoreTaskList.", k)
		}
	}
	notValid := func(name string) error {
		return &dbsError{400, CodeParamNotValid, "The specified parameter " + name + " value is not valid."}
	}
	integer := func(name string, lo, hi int64) (int64, bool, error) {
		v := p[name]
		if v == "" {
			return 0, false, nil
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < lo || n > hi {
			return 0, false, notValid(name)
		}
		return n, true, nil
	}
	var err error
	if n, given, err := integer("PageSize", 1, 100); err != nil {
		return q, err
	} else if given {
		q.pageSize = n
	}
	if q.pageNum, _, err = integer("PageNum", 0, 1<<31-1); err != nil {
		return q, err
	}
	if q.start, q.hasStart, err = integer("StartTimestamp", 0, 1<<63-1); err != nil {
		return q, err
	}
	if q.end, q.hasEnd, err = integer("EndTimestamp", 0, 1<<63-1); err != nil {
		return q, err
	}
	q.planID = p["BackupPlanId"]
	if ids := p["RestoreTaskId"]; ids != "" {
		if q.planID != "" {
			return q, &dbsError{400, CodeParamConflict, "Specify either BackupPlanId or RestoreTaskId, not both."}
		}
		q.taskIDs = map[string]bool{}
		for _, id := range strings.Split(ids, ",") {
			if id = strings.TrimSpace(id); id != "" {
				q.taskIDs[id] = true
			}
		}
	}
	return q, nil
}

// filtered reports whether the query filters the data set at all.
func (q listQuery) filtered() bool {
	return q.planID != "" || q.taskIDs != nil || q.hasStart || q.hasEnd
}

// matches reports whether a task answers the query. A task whose create time is absent or not an
// integer never matches a time range.
func (q listQuery) matches(t Task) bool {
	if q.planID != "" {
		if plan, _ := t.stringField("BackupPlanId"); plan != q.planID {
			return false
		}
	}
	if q.taskIDs != nil && !q.taskIDs[t.ID()] {
		return false
	}
	if q.hasStart || q.hasEnd {
		created, ok := t.intField("RestoreTaskCreateTime")
		if !ok || q.hasStart && created < q.start || q.hasEnd && created > q.end {
			return false
		}
	}
	return true
}

func (c *call) describeRestoreTaskList() {
	q, qerr := parseListQuery(c.params)
	c.rec.PageNum, c.rec.PageSize = q.pageNum, q.pageSize

	f, hit := c.s.drawFaults()
	switch {
	case hit["DropConnection"]:
		c.transport = "DropConnection"
	case hit["TruncateBody"]:
		c.transport = "TruncateBody"
	}
	if c.refusal(f, hit) {
		return
	}
	var gateway *apiError
	var dbsErr *dbsError
	switch {
	case errors.As(qerr, &gateway):
		c.writeGatewayError(gateway)
		return
	case errors.As(qerr, &dbsErr):
		c.writeDBSError(dbsErr.status, dbsErr.code, dbsErr.message)
		return
	}

	// Without a filter every task matches: the data set is paged as it is, not copied for each page,
	// which on 50,000 tasks would cost the emulator more CPU than the client it serves.
	matched := c.s.snapshot()
	if q.filtered() {
		all := matched
		matched = nil
		for _, t := range all {
			if q.matches(t) {
				matched = append(matched, t)
			}
		}
	}
	total := int64(len(matched))
	totalPages := (total + q.pageSize - 1) / q.pageSize
	page := func(n int64) []Task {
		start := min(n*q.pageSize, total)
		return matched[start:min(start+q.pageSize, total)]
	}
	items := page(q.pageNum)

	switch {
	case hit["EmptyPage"] && q.pageNum < totalPages-1:
		c.fault("EmptyPage")
		items = nil
	case hit["RepeatPrevious"] && q.pageNum > 0 && q.pageNum < totalPages:
		c.fault("RepeatPrevious")
		items = page(q.pageNum - 1)
	case hit["RepeatTask"] && q.pageNum > 0 && q.pageNum < totalPages:
		c.fault("RepeatTask")
		prev := page(q.pageNum - 1)
		items = append([]Task{prev[len(prev)-1]}, items[1:]...)
	case hit["OversizePage"] && total > 0:
		c.fault("OversizePage")
		start := min(q.pageNum*q.pageSize, total)
		items = slices.Clone(matched[start:min(start+q.pageSize+1, total)])
		for i := 0; int64(len(items)) <= q.pageSize; i++ {
			items = append(items, matched[i%len(matched)])
		}
	}
	if hit["AbsurdTotals"] {
		c.fault("AbsurdTotals")
		totalPages, total = AbsurdTotalPages, AbsurdTotalElements
	}

	detail := items
	if detail == nil {
		detail = []Task{} // an empty page is "RestoreTaskDetail":[], not null
	}
	env := object{
		{"HttpStatusCode", rawJSON(200)},
		{"PageNum", rawJSON(q.pageNum)},
		{"RequestId", rawJSON(c.requestID)},
		{"Success", rawJSON(true)},
		{"TotalPages", rawJSON(totalPages)},
		{"TotalElements", rawJSON(total)},
		{"PageSize", rawJSON(q.pageSize)},
	}
	if len(detail) > 0 || !f.OmitEmptyItems {
		env = append(env, field{"Items", itemsJSON(detail)})
	}
	if hit["WrongType"] {
		env = c.wrongType(f, env, detail)
	}

	if hit["ShiftList"] {
		// Before the answer leaves, so that the client's next request already sees the new task.
		c.fault("ShiftList")
		c.s.shift(q, matched)
	}
	c.rec.Status = 200
	body, err := env.MarshalJSON()
	if err != nil {
		panic(err) // every value in env is JSON already
	}
	c.writeJSON(200, body)
}

// itemsJSON writes {"RestoreTaskDetail":[...]} by joining each task's own bytes. Going through
// json.Marshal would re-scan and compact every page, which on a 2-core machine costs the benchmarks
// that share it with the provider a good part of their CPU.
func itemsJSON(tasks []Task) json.RawMessage {
	var b bytes.Buffer
	b.WriteString(`{"RestoreTaskDetail":[`)
	for i, t := range tasks {
		if i > 0 {
			b.WriteByte(',')
		}
		t.o.writeTo(&b)
	}
	b.WriteString("]}")
	return b.Bytes()
}

// wrongType applies the WrongType fault to the envelope or to the page's first item.
func (c *call) wrongType(f Faults, env object, items []Task) object {
	name := f.WrongTypeField
	if name == "" {
		name = "RestoreTaskCreateTime"
	}
	wrong := func(old json.RawMessage) json.RawMessage {
		switch {
		case len(f.WrongTypeValue) > 0:
			return f.WrongTypeValue
		case len(old) > 0 && old[0] == '"':
			return json.RawMessage(`["wrong","type"]`)
		default:
			return json.RawMessage(`"wrong type"`)
		}
	}
	if slices.Contains(envelopeFields, name) {
		c.fault("WrongType")
		old, _ := env.get(name)
		return env.with(name, wrong(old))
	}
	if len(items) == 0 {
		return env
	}
	c.fault("WrongType")
	old, _ := items[0].o.get(name)
	changed := append([]Task{{items[0].o.with(name, wrong(old))}}, items[1:]...)
	return env.with("Items", rawJSON(map[string][]Task{"RestoreTaskDetail": changed}))
}

// shift inserts a task at the front of the data set for the ShiftList fault.
func (s *Server) shift(q listQuery, matched []Task) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.shifted++
	var t Task
	switch {
	case len(matched) > 0:
		t = matched[0]
	case len(s.tasks) > 0:
		t = s.tasks[0]
	default:
		t = Generate(1, int64(s.shifted))[0]
	}
	t = t.With("RestoreTaskId", "rshift"+strconv.Itoa(s.shifted))
	if q.planID != "" {
		t = t.With("BackupPlanId", q.planID)
	}
	s.tasks = append([]Task{t}, s.tasks...)
}
