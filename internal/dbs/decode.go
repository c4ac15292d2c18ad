package dbs

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"

	"github.com/seed-00b4a2d9/terraform-provider-alicloud/internal/redact"
)

// pageBody is a DescribeRestoreTaskList answer, success or error: gateway errors carry Code/Message/
// Recommend, DBS errors Success:false with ErrCode/ErrMessage, pages the counts and Items.
type pageBody struct {
	RequestID      String
	Success        boolean
	Code           String
	Message        String
	ErrCode        String
	ErrMessage     String
	Recommend      String
	HTTPStatusCode Int
	PageNum        Int
	PageSize       Int
	TotalPages     Int
	TotalElements  Int
	// HasItems is true when Items was sent and not null, even if empty.
	HasItems bool
	Tasks    []RestoreTask
}

// boolean is a boolean field as the API sent it, true or "true" alike; Set is false when it was absent
// or null.
type boolean struct {
	Value, Set bool
}

func (f *boolean) UnmarshalJSON(b []byte) error {
	switch string(bytes.TrimSpace(b)) {
	case "null":
		*f = boolean{}
	case "true", `"true"`:
		*f = boolean{Value: true, Set: true}
	case "false", `"false"`:
		*f = boolean{Value: false, Set: true}
	default:
		return typeError(kindOfJSON(bytes.TrimSpace(b)), reflect.TypeFor[bool]())
	}
	return nil
}

// decodeBody walks the answer token by token, so that the tasks are decoded straight from the stream
// (no second pass over a copy of Items) and every error knows the field it is about.
func decodeBody(dec *json.Decoder) (*pageBody, error) {
	if err := expectDelim(dec, '{', "the answer"); err != nil {
		return nil, err
	}
	var b pageBody
	for dec.More() {
		key, err := objectKey(dec)
		if err != nil {
			return nil, err
		}
		var target any
		switch key {
		case "RequestId":
			target = &b.RequestID
		case "Success":
			target = &b.Success
		case "Code":
			target = &b.Code
		case "Message":
			target = &b.Message
		case "ErrCode":
			target = &b.ErrCode
		case "ErrMessage":
			target = &b.ErrMessage
		case "Recommend":
			target = &b.Recommend
		case "HttpStatusCode":
			target = &b.HTTPStatusCode
		case "PageNum":
			target = &b.PageNum
		case "PageSize":
			target = &b.PageSize
		case "TotalPages":
			target = &b.TotalPages
		case "TotalElements":
			target = &b.TotalElements
		case "Items":
			if err := decodeItems(dec, &b); err != nil {
				return nil, err
			}
			continue
		default:
			target = &json.RawMessage{} // HostId and whatever the API adds later
		}
		if err := dec.Decode(target); err != nil {
			return nil, inField(key, err)
		}
	}
	if err := expectDelim(dec, '}', "the answer"); err != nil {
		return nil, err
	}
	return &b, nil
}

// decodeItems reads Items. An empty page may send it as {}, {"RestoreTaskDetail":[]}, null, "" or [],
// and RestoreTaskDetail itself as null or "".
func decodeItems(dec *json.Decoder, b *pageBody) error {
	tok, err := dec.Token()
	if err != nil {
		return inField("Items", err)
	}
	switch tok := tok.(type) {
	case nil:
		return nil
	case string:
		if tok != "" {
			return errors.New("expected an object for Items, got a non-empty string")
		}
		b.HasItems = true
		return nil
	case json.Delim:
		b.HasItems = true
		if tok == '[' {
			return decodeTaskArray(dec, b, "Items")
		}
		if tok != '{' {
			break
		}
		for dec.More() {
			key, err := objectKey(dec)
			if err != nil {
				return inField("Items", err)
			}
			if key != "RestoreTaskDetail" {
				if err := dec.Decode(&json.RawMessage{}); err != nil {
					return inField("Items."+key, err)
				}
				continue
			}
			tok, err := dec.Token()
			if err != nil {
				return inField("Items.RestoreTaskDetail", err)
			}
			switch tok {
			case nil, "":
				continue
			case json.Delim('['):
				if err := decodeTaskArray(dec, b, "Items.RestoreTaskDetail"); err != nil {
					return err
				}
				continue
			}
			return fmt.Errorf("Items.RestoreTaskDetail: expected an array, got %s", tokenKind(tok))
		}
		return expectDelim(dec, '}', "Items")
	}
	return fmt.Errorf("expected an object for Items, got %s", tokenKind(tok))
}

// decodeTaskArray reads the elements of an array whose '[' has been read, and its ']'.
func decodeTaskArray(dec *json.Decoder, b *pageBody, path string) error {
	for i := 0; dec.More(); i++ {
		var t RestoreTask
		if err := dec.Decode(&t); err != nil {
			return inField(fmt.Sprintf("%s[%d]", path, i), err)
		}
		b.Tasks = append(b.Tasks, t)
	}
	return expectDelim(dec, ']', path)
}

func objectKey(dec *json.Decoder) (string, error) {
	tok, err := dec.Token()
	if err != nil {
		return "", err
	}
	key, ok := tok.(string)
	if !ok {
		return "", fmt.Errorf("expected an object key, got %s", tokenKind(tok))
	}
	return key, nil
}

func expectDelim(dec *json.Decoder, want json.Delim, what string) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok != want {
		if want == '{' {
			return fmt.Errorf("%s: expected a JSON object, got %s", what, tokenKind(tok))
		}
		return fmt.Errorf("%s: expected %q, got %s", what, want, tokenKind(tok))
	}
	return nil
}

func tokenKind(tok json.Token) string {
	switch tok := tok.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case float64, json.Number:
		return "a number"
	case string:
		return "a string"
	case json.Delim:
		switch tok {
		case '{':
			return "an object"
		case '[':
			return "an array"
		}
		return fmt.Sprintf("%q", tok)
	}
	return fmt.Sprintf("%T", tok)
}

// fieldPathError is a decoding error with the path of the field it is about.
type fieldPathError struct {
	path string
	err  error
}

func (e *fieldPathError) Error() string { return e.path + ": " + e.err.Error() }
func (e *fieldPathError) Unwrap() error { return e.err }

// inField puts err under path, describing it in the API's words; syntax and read errors are about the
// body, not the field, and are passed on as they are.
func inField(path string, err error) error {
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) {
		if typ.Field != "" {
			path += "." + typ.Field
		}
		got := typ.Value
		switch got { // encoding/json's own words for a JSON kind
		case "array", "object":
			got = "an " + got
		case "string", "number":
			got = "a " + got
		case "bool":
			got = "a boolean"
		}
		return &fieldPathError{path: path, err: fmt.Errorf("expected %s, got %s", typeName(typ.Type), got)}
	}
	var syntax *json.SyntaxError
	if errors.As(err, &syntax) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) || errors.Is(err, errBodyTooLarge) {
		return err
	}
	var fe *fieldPathError
	if errors.As(err, &fe) {
		return err
	}
	return &fieldPathError{path: path, err: err}
}

func typeName(t reflect.Type) string {
	switch t {
	case intType:
		return "an integer"
	case stringType:
		return "a string"
	case reflect.TypeFor[bool]():
		return "a boolean"
	case reflect.TypeFor[RestoreTask]():
		return "an object"
	}
	if t == nil {
		return "another type"
	}
	return t.String()
}

var errBodyTooLarge = fmt.Errorf("the response body is larger than %d MiB", maxBodyBytes>>20)

// bodyReader bounds a response body and remembers whether reading it failed, so that a connection
// dropped mid-body (worth retrying) is told apart from JSON that is malformed as sent (not worth it).
type bodyReader struct {
	r       io.Reader
	left    int64
	readErr error
	started bool // some byte was read
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
	b.started = b.started || n > 0
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
	body, err := decodeBody(dec)
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
		return body, nil
	case br.readErr != nil:
		return nil, &bodyReadError{err: br.readErr}
	case errors.Is(err, errBodyTooLarge):
		return nil, errBodyTooLarge
	case errors.Is(err, io.EOF) && !br.started:
		return nil, errors.New("empty body")
	}
	return nil, describeJSONError(err)
}

// describeJSONError words the decoder's errors for a reader who never sees the body.
func describeJSONError(err error) error {
	var syntax *json.SyntaxError
	switch {
	case errors.As(err, &syntax):
		return fmt.Errorf("malformed JSON at byte %d: %s", syntax.Offset, syntax.Error())
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
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

// interpret decides whether a decoded 2xx body is a page, an error of the API (*APIError), or neither
// (another error, saying what is missing). Success decides when present (the API sends Success:true
// beside a stale ErrCode); without it, a body that carries an error code is an error of the API.
//
// A page is what the reference describes: Success:true with the page's own fields, Items or the counts
// (Items may be left out of an empty page, the counts never are in practice, and one of them is enough).
// Anything else that came with a 2xx status, `{}`, `{"RequestId":"…"}`, a proxy's JSON, is no answer to
// the question, and reading it as an empty list would report "no restore jobs" where nothing was read.
// Every restore job must carry its RestoreTaskId: a job without one cannot be told apart from another,
// asked for by id, or checked against a repeated page.
func interpret(body *pageBody, status, page int, headerRequestID string, secrets []string) (*answer, error) {
	rid := body.RequestID.Value
	if rid == "" {
		rid = headerRequestID
	}
	hasCode := body.Code.Value != "" || body.ErrCode.Value != ""
	if body.Success.Set && !body.Success.Value || !body.Success.Set && hasCode {
		return nil, errorFromBody(body, status, page, rid, secrets)
	}
	hasData := body.HasItems || body.TotalElements.Valid || body.TotalPages.Valid
	switch {
	case !body.Success.Set && !hasData:
		return nil, errors.New("it has neither Success nor any of Items, TotalElements and TotalPages")
	case !body.Success.Set:
		return nil, errors.New("it has no Success")
	case !hasData:
		return nil, errors.New("it has Success but none of Items, TotalElements and TotalPages")
	}
	for i := range body.Tasks {
		if id := body.Tasks[i].RestoreTaskID; !id.Valid || id.Value == "" {
			return nil, fmt.Errorf("restore job %d of the page (Items.RestoreTaskDetail[%d]) has no RestoreTaskId", i+1, i)
		}
	}
	return &answer{requestID: rid, tasks: body.Tasks, totalElements: body.TotalElements, totalPages: body.TotalPages}, nil
}

func errorFromBody(body *pageBody, status, page int, rid string, secrets []string) *APIError {
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
		Code:       redact.Values(code, secrets...),
		Message:    redact.Values(msg, secrets...),
		RequestID:  rid,
		Recommend:  redact.Values(body.Recommend.Value, secrets...),
		Page:       page,
	}
}
