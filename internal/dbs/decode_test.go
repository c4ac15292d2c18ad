package dbs

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"testing/iotest"
)

// The reference's own example body, Success:true beside an ErrCode.
const referenceBody = `{"HttpStatusCode":200,"PageNum":1,"RequestId":"9C397502-B4F2-4E22-AD97-C81F0049F3F3","ErrCode":"Param.NotFound",
 "Success":true,"ErrMessage":"The specified parameter %s value is not valid. ","TotalPages":1,"TotalElements":1,
 "PageSize":30,"Items":{"RestoreTaskDetail":[{"RestoreStatus":"running","FullStruAfterRestoreProgress":100,
 "CrossRoleName":"test123","RestoreDir":"100.X.X.10:33204","CrossAliyunId":"2xxx7778xxxxxxxxxx",
 "RestoreObjects":"[ { \\\"DBName\\\":\\\"test\\\" } ]","BackupPlanId":"dbs1hvb0wXXXX",
 "DestinationEndpointRegion":"cn-hangzhou","RestoreTaskCreateTime":1554560477000,
 "DestinationEndpointUserName":"test","RestoreTaskFinishTime":1554560477000,
 "DestinationEndpointIpPort":"100.X.X.10:33204","DestinationEndpointDatabaseName":"test",
 "DestinationEndpointInstanceType":"RDS","DestinationEndpointOracleSID":"test","FullStruforeRestoreProgress":0,
 "ErrMessage":"NULL","RestoreTaskId":"s1XXXXXX","FullDataRestoreProgress":100,"ContinuousRestoreProgress":100,
 "DestinationEndpointInstanceID":"rm-bp1p8c2947XXX","BackupSetId":"1ibh2f5uXXX","BackupGatewayId":324234332,
 "RestoreTaskName":"test","RestoreTime":1554560477000,"DestinationEndpointHost":"127.0.0.1",
 "DestinationEndpointPort":"3306","DestinationEndpointEnableSsl":"true","BackupGatewayIdentifier":"TESTGATEWAY",
 "BackupSourceOssRegion":"cn-beijing","RestoreDestinationMode":"EXIST_INSTANCE",
 "PhysicalFullBackupRecoverProgress":0,"PhysicalFullAndIncrementBackupRecoverProgress":0,
 "PhysicalIncrementBackupRecoverProgress":0,"PhysicalDatabaseOnlineProgress":0,"PhysicalBackupRecoverProgress":0}]}}`

func decodeAnswer(t *testing.T, body string) (*answer, error) {
	t.Helper()
	b, err := decodePage(strings.NewReader(body), maxBodyBytes)
	if err != nil {
		return nil, err
	}
	a, apiErr := interpret(b, 200, 0, "HDR", nil)
	if apiErr != nil {
		return nil, apiErr
	}
	return a, nil
}

func TestDecodeReferenceExample(t *testing.T) {
	a, err := decodeAnswer(t, referenceBody)
	if err != nil {
		t.Fatalf("Success:true beside an ErrCode must be a page: %v", err)
	}
	if a.requestID != "9C397502-B4F2-4E22-AD97-C81F0049F3F3" || a.totalElements != (Int{1, true}) || a.totalPages != (Int{1, true}) {
		t.Errorf("counts: %+v", a)
	}
	if len(a.tasks) != 1 {
		t.Fatalf("%d tasks", len(a.tasks))
	}
	task := a.tasks[0]
	for _, f := range Fields {
		switch f.Kind {
		case KindString:
			if !f.StringOf(&task).Valid {
				t.Errorf("%s not decoded", f.Name)
			}
		case KindInteger:
			if !f.IntOf(&task).Valid {
				t.Errorf("%s not decoded", f.Name)
			}
		}
	}
	if task.BackupGatewayID.Value != 324234332 || task.DestinationEndpointPort.Value != "3306" ||
		task.RestoreObjects.Value != `[ { \"DBName\":\"test\" } ]` || task.RestoreTaskCreateTime.Value != 1554560477000 {
		t.Errorf("values: %+v", task)
	}
}

func TestDecodeFieldForms(t *testing.T) {
	a, err := decodeAnswer(t, `{"Success":true,"TotalElements":"3","TotalPages":"1","Items":{"RestoreTaskDetail":[
		{"RestoreTaskId":"a","RestoreTime":"1554560477000","BackupGatewayId":9007199254740993,"RestoreTaskName":null,"DestinationEndpointPort":3306},
		{"RestoreTaskId":"b","RestoreTime":null,"BackupGatewayId":"9223372036854775807"},
		{"RestoreTaskId":"c","RestoreTime":""}]}}`)
	if err != nil {
		t.Fatal(err)
	}
	if a.totalElements != (Int{3, true}) || a.totalPages != (Int{1, true}) {
		t.Errorf("numeric-string counts: %+v %+v", a.totalElements, a.totalPages)
	}
	x, y, z := a.tasks[0], a.tasks[1], a.tasks[2]
	if x.RestoreTime != (Int{1554560477000, true}) {
		t.Errorf("numeric string: %+v", x.RestoreTime)
	}
	if x.BackupGatewayID != (Int{9007199254740993, true}) {
		t.Errorf("2^53+1 must stay exact: %+v", x.BackupGatewayID)
	}
	if y.BackupGatewayID != (Int{9223372036854775807, true}) {
		t.Errorf("max int64: %+v", y.BackupGatewayID)
	}
	if x.RestoreTaskName.Valid || y.RestoreTime.Valid || z.RestoreTime.Valid {
		t.Error("null and empty string must be absent")
	}
	if x.DestinationEndpointPort != (String{"3306", true}) {
		t.Errorf("number as string: %+v", x.DestinationEndpointPort)
	}
	if x.PhysicalBackupRecoverProgress.Valid || x.CrossRoleName.Valid {
		t.Error("absent fields must be Valid false")
	}
}

func TestDecodeEmptyItems(t *testing.T) {
	for _, items := range []string{
		``, `,"Items":null`, `,"Items":""`, `,"Items":{}`, `,"Items":[]`,
		`,"Items":{"RestoreTaskDetail":[]}`, `,"Items":{"RestoreTaskDetail":null}`, `,"Items":{"RestoreTaskDetail":""}`,
	} {
		a, err := decodeAnswer(t, `{"Success":true,"TotalElements":0,"TotalPages":0`+items+`}`)
		if err != nil {
			t.Errorf("Items %q: %v", items, err)
			continue
		}
		if len(a.tasks) != 0 {
			t.Errorf("Items %q: %d tasks", items, len(a.tasks))
		}
	}
}

func TestDecodeErrorsNameTheField(t *testing.T) {
	for body, want := range map[string]string{
		`{"Success":true,"Items":{"RestoreTaskDetail":[{"RestoreTaskId":"a"},{"RestoreTaskCreateTime":"wrong type"}]}}`: `Items.RestoreTaskDetail[1].RestoreTaskCreateTime: expected an integer, got "wrong type"`,
		`{"Success":true,"Items":{"RestoreTaskDetail":[{"RestoreTaskName":["x"]}]}}`:                                    `Items.RestoreTaskDetail[0].RestoreTaskName: expected a string, got an array`,
		`{"Success":true,"TotalElements":"wrong type"}`:                                                                 `TotalElements: expected an integer, got "wrong type"`,
		`{"Success":true,"PageNum":{}}`:                                                                                 `PageNum: expected an integer, got an object`,
		`{"Success":"maybe"}`:                                                                                           `Success: expected a boolean, got a string`,
		`{"Success":true,"Items":{"RestoreTaskDetail":{"RestoreTaskId":"only"}}}`:                                       `Items.RestoreTaskDetail: expected an array, got an object`,
		`{"Success":true,"Items":{"RestoreTaskDetail":["a"]}}`:                                                          `Items.RestoreTaskDetail[0]: expected an object, got a string`,
		`{"Success":true,"Items":7}`:                                                                                    `expected an object for Items, got a number`,
		`[]`:                                                                                                            `the answer: expected a JSON object, got an array`,
		``:                                                                                                              `empty body`,
		`{"Success":true,"Items":{"RestoreTaskDetail":[{"RestoreTaskId":"a"`:                                            `truncated JSON`,
	} {
		_, err := decodeAnswer(t, body)
		if err == nil || err.Error() != want {
			t.Errorf("%s:\n got %v\nwant %s", body, err, want)
		}
	}
}

// Every cut of a valid answer is an error, never a shorter list.
func TestDecodeEveryTruncationFails(t *testing.T) {
	body := strings.TrimSpace(referenceBody)
	for i := range len(body) {
		if _, err := decodePage(strings.NewReader(body[:i]), maxBodyBytes); err == nil {
			t.Fatalf("the first %d bytes decoded without error", i)
		}
	}
}

func TestDecodeRejects(t *testing.T) {
	for name, body := range map[string]string{
		"truncated":          `{"Success":true,"Items":{"RestoreTaskDetail":[{"RestoreTaskId":"a"`,
		"not json":           `<html>oops</html>`,
		"empty":              ``,
		"items number":       `{"Success":true,"Items":5}`,
		"items string":       `{"Success":true,"Items":"x"}`,
		"detail number":      `{"Success":true,"Items":{"RestoreTaskDetail":7}}`,
		"int object":         `{"Success":true,"Items":{"RestoreTaskDetail":[{"RestoreTime":{}}]}}`,
		"int fraction":       `{"Success":true,"Items":{"RestoreTaskDetail":[{"RestoreTime":1.5}]}}`,
		"int overflow":       `{"Success":true,"Items":{"RestoreTaskDetail":[{"RestoreTime":92233720368547758070}]}}`,
		"string array":       `{"Success":true,"Items":{"RestoreTaskDetail":[{"RestoreTaskId":["a"]}]}}`,
		"count text":         `{"Success":true,"TotalElements":"many"}`,
		"success text":       `{"Success":"maybe"}`,
		"top-level array":    `[]`,
		"trailing data":      `{"Success":true} {"Success":false}`,
		"trailing garbage":   `{"Success":true} xyz`,
		"task not an object": `{"Success":true,"Items":{"RestoreTaskDetail":["a"]}}`,
	} {
		if _, err := decodeAnswer(t, body); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestDecodeSuccessFalseIsAnError(t *testing.T) {
	_, err := decodeAnswer(t, `{"RequestId":"R1","Success":false,"ErrCode":"Param.NotFound","ErrMessage":"bad","HttpStatusCode":200}`)
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Code != "Param.NotFound" || apiErr.Message != "bad" || apiErr.RequestID != "R1" {
		t.Fatalf("%#v", err)
	}
	// Without Success, an error code and no page data is still an error.
	_, err = decodeAnswer(t, `{"RequestId":"R2","Code":"Throttling.User","Message":"slow down"}`)
	if !errors.As(err, &apiErr) || apiErr.Code != "Throttling.User" {
		t.Fatalf("%#v", err)
	}
}

func TestDecodeBodyLimits(t *testing.T) {
	body := `{"Success":true,"RequestId":"` + strings.Repeat("x", 100) + `"}`
	if _, err := decodePage(strings.NewReader(body), int64(len(body))); err != nil {
		t.Errorf("exactly the limit: %v", err)
	}
	if _, err := decodePage(strings.NewReader(body), int64(len(body)-1)); !errors.Is(err, errBodyTooLarge) {
		t.Errorf("over the limit: %v", err)
	}
	// A read failure is reported as such, so that it can be retried.
	_, err := decodePage(iotest.TimeoutReader(iotest.OneByteReader(strings.NewReader(body))), maxBodyBytes)
	var readErr *bodyReadError
	if !errors.As(err, &readErr) {
		t.Errorf("read failure: %T %v", err, err)
	}
}

// A malformed body reaches the caller as an error naming the page and the request id.
func TestMalformedBodyErrorNamesPageAndRequestID(t *testing.T) {
	c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("x-acs-request-id", "HDR-7F3A")
		w.Write([]byte(`{"Success":true,"TotalElements":{"x":1}}`))
	}), nil)
	_, err := c.ListRestoreTasksPage(context.Background(), Query{}, 4)
	if err == nil || !strings.Contains(err.Error(), "page 4") || !strings.Contains(err.Error(), "HDR-7F3A") {
		t.Fatalf("error %v", err)
	}
}

func FuzzDecodePage(f *testing.F) {
	f.Add([]byte(referenceBody))
	f.Add([]byte(`{"Success":true,"Items":""}`))
	f.Add([]byte(`{"Success":false,"ErrCode":"Throttling","Items":{"RestoreTaskDetail":{"RestoreTaskId":1}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		body, err := decodePage(bytes.NewReader(data), 1<<20)
		if err != nil {
			if body != nil {
				t.Fatal("a body with an error")
			}
			return
		}
		a, apiErr := interpret(body, 200, 1, "HDR", []string{"secret-value"})
		if (a == nil) == (apiErr == nil) {
			t.Fatal("interpret must return exactly one of a page and an error")
		}
		if apiErr != nil {
			_ = apiErr.Error()
		}
	})
}
