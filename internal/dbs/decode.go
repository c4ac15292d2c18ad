package dbs

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// pageBody is a DescribeRestoreTaskList answer, success or error: gateway errors carry Code/Message/
// Recommend, DBS errors Success:false with ErrCode/ErrMessage, pages the counts and Items.
type pageBody struct {
	RequestID      String   `json:"RequestId"`
	Success        flag     `json:"Success"`
	Code           String   `json:"Code"`
	Message        String   `json:"Message"`
	ErrCode        String   `json:"ErrCode"`
	ErrMessage     String   `json:"ErrMessage"`
	Recommend      String   `json:"Recommend"`
	HTTPStatusCode Int      `json:"HttpStatusCode"`
	PageNum        Int      `json:"PageNum"`
	PageSize       Int      `json:"PageSize"`
	TotalPages     Int      `json:"TotalPages"`
	TotalElements  Int      `json:"TotalElements"`
	Items          *itemsOf `json:"Items"`
}

// flag is a boolean the API may send as true or "true"; Set is false when it was absent or null.
type flag struct {
	Value, Set bool
}

func (f *flag) UnmarshalJSON(b []byte) error {
	switch string(bytes.TrimSpace(b)) {
	case "null":
		*f = flag{}
	case "true", `"true"`:
		*f = flag{Value: true, Set: true}
	case "false", `"false"`:
		*f = flag{Value: false, Set: true}
	default:
		return fmt.Errorf("Success: expected a boolean, got %.40s", b)
	}
	return nil
}

// itemsOf is the Items element. An empty page may send it as {}, {"RestoreTaskDetail":[]}, null, "" or
// [], and a single task may come as an object rather than a one-element array (an XML-to-JSON habit).
type itemsOf struct {
	tasks []RestoreTask
}

func (it *itemsOf) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return errors.New("Items: empty value")
	}
	switch b[0] {
	case 'n':
		if string(b) == "null" {
			it.tasks = nil
			return nil
		}
	case '"':
		if string(b) == `""` {
			it.tasks = nil
			return nil
		}
		return errors.New("Items: expected an object, got a non-empty string")
	case '[':
		return decodeTasks(b, &it.tasks)
	case '{':
		var wrapper struct {
			RestoreTaskDetail json.RawMessage `json:"RestoreTaskDetail"`
		}
		if err := json.Unmarshal(b, &wrapper); err != nil {
			return err
		}
		detail := bytes.TrimSpace(wrapper.RestoreTaskDetail)
		switch {
		case len(detail) == 0, string(detail) == "null", string(detail) == `""`:
			it.tasks = nil
			return nil
		case detail[0] == '{':
			var one RestoreTask
			if err := json.Unmarshal(detail, &one); err != nil {
				return fmt.Errorf("Items.RestoreTaskDetail: %w", err)
			}
			it.tasks = []RestoreTask{one}
			return nil
		case detail[0] == '[':
			return decodeTasks(detail, &it.tasks)
		}
		return errors.New("Items.RestoreTaskDetail: expected an array of objects")
	}
	return fmt.Errorf("Items: expected an object, got %s", kindOfJSON(b))
}

func decodeTasks(b []byte, out *[]RestoreTask) error {
	var tasks []RestoreTask
	if err := json.Unmarshal(b, &tasks); err != nil {
		return fmt.Errorf("Items.RestoreTaskDetail: %w", err)
	}
	*out = tasks
	return nil
}

var errBodyTooLarge = fmt.Errorf("the response body is larger than %d MiB", maxBodyBytes>>20)

// bodyReader bounds a response body and remembers whether reading it failed, so that a connection
// dropped mid-body (worth retrying) is told apart from JSON that is malformed as sent (not worth it).
type bodyReader struct {
	r       io.Reader
	left    int64
	readErr error
}

func (b *bodyReader) Read(p []byte) (int, error) {
	if b.left < 0 {
		return 0, errBodyTooLarge
	}
	// One byte past the limit tells "exactly the limit" from "more than the limit".
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.r.Read(p)
	b.left -= int64(n)
	if b.left < 0 {
		return n, errBodyTooLarge
	}
	if err != nil && err != io.EOF && b.readErr == nil {
		b.readErr = err
	}
	return n, err
}

// bodyReadError is a body that could not be read to its end; the request may be retried.
type bodyReadError struct{ err error }

func (e *bodyReadError) Error() string { return "reading the response body: " + e.err.Error() }
func (e *bodyReadError) Unwrap() error { return e.err }

// decodePage reads one JSON answer from r, of at most limit bytes. A failure to read r is returned as
// *bodyReadError; anything wrong with what was read is a plain error describing it.
func decodePage(r io.Reader, limit int64) (*pageBody, error) {
	br := &bodyReader{r: r, left: limit}
	dec := json.NewDecoder(br)
	var body pageBody
	err := dec.Decode(&body)
	if err == nil {
		// Only whitespace may follow the answer; more JSON (or anything else) means we did not read
		// what the server meant to send.
		if _, terr := dec.Token(); terr != io.EOF {
			err = errors.New("unexpected data after the JSON answer")
			if terr != nil {
				err = terr
			}
		}
	}
	switch {
	case err == nil:
		return &body, nil
	case br.readErr != nil:
		return nil, &bodyReadError{err: br.readErr}
	case errors.Is(err, errBodyTooLarge):
		return nil, errBodyTooLarge
	case err == io.EOF:
		return nil, errors.New("empty body")
	}
	return nil, describeJSONError(err)
}

// describeJSONError keeps the position and the types, drops the decoder's own wording where it would
// quote the body.
func describeJSONError(err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return fmt.Errorf("malformed JSON at byte %d: %s", syntax.Offset, syntax.Error())
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "the answer"
		}
		return fmt.Errorf("%s: expected %s, got a JSON %s", field, typ.Type, typ.Value)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("truncated JSON")
	}
	return err
}

// answer is a page after its body has been understood.
type answer struct {
	requestID     string
	tasks         []RestoreTask
	totalElements Int
	totalPages    Int
}

// interpret decides whether a decoded 2xx body is a page or an error. Success decides when present
// (the API sends Success:true beside a stale ErrCode); without it, a body that carries an error code
// and no page data is an error.
func interpret(body *pageBody, status, page int, headerRequestID string, r redactor) (*answer, *APIError) {
	rid := body.RequestID.Value
	if rid == "" {
		rid = headerRequestID
	}
	hasCode := body.Code.Value != "" || body.ErrCode.Value != ""
	hasData := body.Items != nil || body.TotalElements.Valid || body.TotalPages.Valid
	failed := body.Success.Set && !body.Success.Value || !body.Success.Set && hasCode && !hasData
	if failed {
		return nil, errorFromBody(body, status, page, rid, r)
	}
	a := &answer{requestID: rid, totalElements: body.TotalElements, totalPages: body.TotalPages}
	if body.Items != nil {
		a.tasks = body.Items.tasks
	}
	return a, nil
}

func errorFromBody(body *pageBody, status, page int, rid string, r redactor) *APIError {
	code, msg := body.Code.Value, body.Message.Value
	// DBS puts its error in ErrCode; Code, when present beside it, is the gateway's and less precise.
	if body.ErrCode.Value != "" && (code == "" || body.Success.Set && !body.Success.Value) {
		code, msg = body.ErrCode.Value, body.ErrMessage.Value
	}
	if msg == "" {
		msg = body.ErrMessage.Value
	}
	return &APIError{
		HTTPStatus: status,
		Code:       r.clean(code),
		Message:    r.clean(msg),
		RequestID:  rid,
		Recommend:  r.clean(body.Recommend.Value),
		Page:       page,
		Hint:       hintFor(code),
	}
}
