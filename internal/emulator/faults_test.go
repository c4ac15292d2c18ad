package emulator

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestThrottle(t *testing.T) {
	s, base := newTestServer(t, Generate(5, 1))
	s.SetFaults(Faults{Throttle: Pick{Every: 2}, RetryAfter: "3"})
	for i := 1; i <= 4; i++ {
		r := send(t, base, req{})
		if i%2 == 1 {
			if r.status != 200 || r.header.Get("Retry-After") != "" {
				t.Errorf("request %d: %d %s", i, r.status, r.raw)
			}
			continue
		}
		if r.status != 400 || r.str("Code") != "Throttling.User" || r.header.Get("Retry-After") != "3" || r.str("RequestId") == "" {
			t.Errorf("request %d: %d %v %s", i, r.status, r.header, r.raw)
		}
	}
	s.SetFaults(Faults{Throttle: Always, ThrottleCode: "Throttling.Api", ThrottleStatus: 429})
	if r := send(t, base, req{}); r.status != 429 || r.str("Code") != "Throttling.Api" || r.header.Get("Retry-After") != "" {
		t.Errorf("Throttling.Api: %d %s", r.status, r.raw)
	}
	if log := s.Requests(); !slices.Equal(log[len(log)-1].Faults, []string{"Throttle"}) || log[len(log)-1].Code != "Throttling.Api" {
		t.Errorf("log: %+v", log[len(log)-1])
	}
	s.SetFaults(Faults{})
	if r := send(t, base, req{}); r.status != 200 {
		t.Errorf("after clearing faults: %d %s", r.status, r.raw)
	}
}

func TestFaultsCountOnlyAuthenticatedRequests(t *testing.T) {
	s, base := newTestServer(t, nil)
	s.SetFaults(Faults{ServerError: Pick{First: 2}})
	send(t, base, req{secret: "wrong", ak: testAK}) // refused before faults: does not use one up
	for i, want := range []int{503, 503, 200} {
		if r := send(t, base, req{}); r.status != want {
			t.Errorf("request %d: %d %s", i+1, r.status, r.raw)
		}
	}
	s.SetFaults(Faults{ServerError: Always, ServerErrorCode: CodeInternalError})
	if r := send(t, base, req{}); r.status != 500 || r.str("Code") != CodeInternalError {
		t.Errorf("InternalError: %d %s", r.status, r.raw)
	}
	s.SetFaults(Faults{Forbidden: Always, ServerError: Always})
	if r := send(t, base, req{}); r.status != 403 || r.str("Code") != CodeForbidden {
		t.Errorf("Forbidden comes first: %d %s", r.status, r.raw)
	}
}

func TestFractionIsReproducible(t *testing.T) {
	s, base := newTestServer(t, nil)
	pattern := func() string {
		s.SetFaults(Faults{Throttle: Pick{Fraction: 0.5, Seed: 3}, DBSError: Pick{Fraction: 0.3, Seed: 3}})
		var b strings.Builder
		for range 40 {
			r := send(t, base, req{})
			switch {
			case r.status == 400:
				b.WriteByte('T')
			case r.body["Success"] == false:
				b.WriteByte('E')
			default:
				b.WriteByte('.')
			}
		}
		return b.String()
	}
	first, second := pattern(), pattern()
	if first != second {
		t.Fatalf("same seeds, different runs:\n%s\n%s", first, second)
	}
	if n := strings.Count(first, "T"); n < 10 || n > 30 {
		t.Errorf("%d of 40 throttled at fraction 0.5: %s", n, first)
	}
	if !strings.Contains(first, "E") || !strings.Contains(first, ".") {
		t.Errorf("pattern %s", first)
	}
}

func TestDBSError(t *testing.T) {
	s, base := newTestServer(t, Generate(5, 1))
	s.SetFaults(Faults{DBSError: Always, ErrCode: "Param.NotFound", ErrMessage: "The specified parameter %s value is not valid."})
	r := send(t, base, req{})
	if r.status != 200 || r.body["Success"] != false || r.str("ErrCode") != "Param.NotFound" ||
		r.str("ErrMessage") != "The specified parameter %s value is not valid." || r.num("HttpStatusCode") != 200 || r.str("RequestId") == "" {
		t.Errorf("%d %s", r.status, r.raw)
	}
	if _, ok := r.body["Items"]; ok {
		t.Errorf("an error carries items: %s", r.raw)
	}
	s.SetFaults(Faults{DBSError: Always, DBSErrStatus: 400})
	if r := send(t, base, req{}); r.status != 400 || r.str("ErrCode") != "InternalError" || r.body["Success"] != false {
		t.Errorf("with status 400: %d %s", r.status, r.raw)
	}
}

func TestTruncateBody(t *testing.T) {
	s, base := newTestServer(t, Generate(5, 1))
	s.SetFaults(Faults{TruncateBody: Always})
	res, err := http.DefaultClient.Do(build(t, base, req{}))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("the HTTP response should be complete: %v", err)
	}
	if res.StatusCode != 200 || json.Valid(body) || !strings.HasPrefix(string(body), `{"HttpStatusCode":200`) ||
		res.ContentLength != int64(len(body)) {
		t.Errorf("%d, %d bytes (Content-Length %d): %s", res.StatusCode, len(body), res.ContentLength, body)
	}
}

func TestDropConnection(t *testing.T) {
	s, base := newTestServer(t, Generate(5, 1))
	s.SetFaults(Faults{DropConnection: Pick{First: 1}})
	res, err := http.DefaultClient.Do(build(t, base, req{}))
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	if !errors.Is(err, io.ErrUnexpectedEOF) || res.StatusCode != 200 || len(body) == 0 || int64(len(body)) >= res.ContentLength {
		t.Errorf("got %d bytes of %d and %v, want a body cut short", len(body), res.ContentLength, err)
	}
	if r := send(t, base, req{}); r.status != 200 {
		t.Errorf("next request: %d %s", r.status, r.raw)
	}
	if log := s.Requests(); log[0].Code != "" || !slices.Equal(log[0].Faults, []string{"DropConnection"}) || log[0].Status != 200 {
		t.Errorf("log: %+v", log[0])
	}
}

func TestShiftList(t *testing.T) {
	data := Generate(25, 1)
	s, base := newTestServer(t, data)
	s.SetFaults(Faults{ShiftList: Pick{First: 1}})
	page0 := send(t, base, req{params: vals("PageSize", "10")})
	page1 := send(t, base, req{params: vals("PageSize", "10", "PageNum", "1")})
	if page0.num("TotalElements") != 25 || page1.num("TotalElements") != 26 {
		t.Errorf("TotalElements %d then %d, want 25 then 26", page0.num("TotalElements"), page1.num("TotalElements"))
	}
	if last, first := page0.items(t)[9], page1.items(t)[0]; last != first {
		t.Errorf("page 1 should start with page 0's last task %s, starts with %s", last, first)
	}
	if got := s.Tasks(); len(got) != 26 || got[0].ID() != "rshift1" || got[1].ID() != data[0].ID() {
		t.Errorf("data set after the shift starts %v", ids(got[:2]))
	}
	// The inserted task joins a BackupPlanId query.
	plan := PlanIDs(1)[0]
	s.SetFaults(Faults{ShiftList: Always})
	before := send(t, base, req{params: vals("BackupPlanId", plan)}).num("TotalElements")
	if after := send(t, base, req{params: vals("BackupPlanId", plan)}).num("TotalElements"); after != before+1 {
		t.Errorf("plan query: %d then %d", before, after)
	}
	s.SetTasks(data)
	if len(s.Tasks()) != 25 {
		t.Error("SetTasks did not restore the data set")
	}
}

func TestPageShapeFaults(t *testing.T) {
	data := Generate(25, 1)
	s, base := newTestServer(t, data)
	page := func(n int) resp {
		return send(t, base, req{params: vals("PageSize", "10", "PageNum", strconv.Itoa(n))})
	}

	s.SetFaults(Faults{AbsurdTotals: Always})
	if r := page(0); r.num("TotalPages") != 1_000_000_000 || r.num("TotalElements") != AbsurdTotalElements || len(r.items(t)) != 10 {
		t.Errorf("AbsurdTotals: %s", r.raw[:150])
	}

	s.SetFaults(Faults{OversizePage: Always})
	if got := page(0).items(t); !slices.Equal(got, ids(data[:11])) {
		t.Errorf("OversizePage page 0: %v", got)
	}
	if got := page(2).items(t); len(got) != 11 || !slices.Equal(got[:5], ids(data[20:])) {
		t.Errorf("OversizePage last page: %v", got)
	}

	s.SetFaults(Faults{RepeatPrevious: Always})
	if got := page(1).items(t); !slices.Equal(got, ids(data[:10])) {
		t.Errorf("RepeatPrevious page 1: %v", got)
	}
	if got := page(0).items(t); !slices.Equal(got, ids(data[:10])) {
		t.Errorf("RepeatPrevious has no effect on page 0: %v", got)
	}

	s.SetFaults(Faults{RepeatTask: Always})
	if r := page(1); !slices.Equal(r.items(t), append(ids(data[9:10]), ids(data[11:20])...)) || r.num("TotalElements") != 25 {
		t.Errorf("RepeatTask page 1: %v", r.items(t))
	}
	if got := page(0).items(t); !slices.Equal(got, ids(data[:10])) {
		t.Errorf("RepeatTask has no effect on page 0: %v", got)
	}

	s.SetFaults(Faults{EmptyPage: Always})
	if r := page(1); len(r.items(t)) != 0 || r.num("TotalElements") != 25 || r.num("TotalPages") != 3 {
		t.Errorf("EmptyPage page 1: %s", r.raw)
	}
	if got := page(2).items(t); !slices.Equal(got, ids(data[20:])) {
		t.Errorf("EmptyPage leaves the last page: %v", got)
	}

	s.SetFaults(Faults{OmitEmptyItems: true})
	if r := page(3); r.body["Items"] != nil || r.body["Success"] != true {
		t.Errorf("OmitEmptyItems: %s", r.raw)
	}
	if r := page(0); len(r.items(t)) != 10 {
		t.Errorf("OmitEmptyItems on a full page: %s", r.raw[:100])
	}
}

func TestWrongType(t *testing.T) {
	data := Generate(3, 1)
	s, base := newTestServer(t, data)
	item := func(r resp, i int) map[string]any {
		return r.body["Items"].(map[string]any)["RestoreTaskDetail"].([]any)[i].(map[string]any)
	}

	s.SetFaults(Faults{WrongType: Always})
	r := send(t, base, req{})
	if got := item(r, 0)["RestoreTaskCreateTime"]; got != "wrong type" {
		t.Errorf("default: RestoreTaskCreateTime %v", got)
	}
	if _, ok := item(r, 1)["RestoreTaskCreateTime"].(json.Number); !ok {
		t.Errorf("the second item should be intact: %v", item(r, 1))
	}

	s.SetFaults(Faults{WrongType: Always, WrongTypeField: "RestoreTaskId"})
	if got, ok := item(send(t, base, req{}), 0)["RestoreTaskId"].([]any); !ok || len(got) != 2 {
		t.Errorf("a string field gets an array: %v", got)
	}

	s.SetFaults(Faults{WrongType: Always, WrongTypeField: "TotalElements", WrongTypeValue: json.RawMessage(`"3"`)})
	if r := send(t, base, req{}); r.body["TotalElements"] != "3" || len(r.items(t)) != 3 {
		t.Errorf("envelope field: %s", r.raw[:120])
	}
	if got := s.Requests(); !slices.Equal(got[len(got)-1].Faults, []string{"WrongType"}) {
		t.Errorf("log: %+v", got[len(got)-1])
	}
}

func TestLatencyAndInFlight(t *testing.T) {
	s, base := newTestServer(t, Generate(5, 1))
	const delay = 150 * time.Millisecond
	s.SetLatency(delay)
	var wg sync.WaitGroup
	start := time.Now()
	for range 6 {
		wg.Go(func() {
			res, err := http.DefaultClient.Do(build(t, base, req{}))
			if err != nil {
				t.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode != 200 {
				t.Errorf("status %d", res.StatusCode)
			}
		})
	}
	wg.Wait()
	if took := time.Since(start); took < delay || took > 10*delay {
		t.Errorf("six concurrent requests took %v with latency %v", took, delay)
	}
	if st := s.Stats(); st.MaxInFlight != 6 || st.InFlight != 0 || st.Requests != 6 {
		t.Errorf("stats %+v", st)
	}

	// A client that gives up during the delay is logged, not answered.
	client := &http.Client{Timeout: delay / 3}
	if res, err := client.Do(build(t, base, req{})); err == nil {
		res.Body.Close()
		t.Fatal("the client should have timed out")
	}
	deadline := time.Now().Add(2 * time.Second)
	for s.Stats().ByCode[CodeClientGone] != 1 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if got := s.Stats().ByCode[CodeClientGone]; got != 1 {
		t.Errorf("ClientGone counted %d times", got)
	}
	s.SetLatency(0)
	if start := time.Now(); send(t, base, req{}).status != 200 || time.Since(start) > delay {
		t.Error("latency not turned off")
	}
}

// Foreign and Redirect answer as something in front of the gateway: what they were given, without the
// gateway's request id, before any refusal.
func TestForeignAnswersAndRedirects(t *testing.T) {
	s, base := newTestServer(t, Generate(5, 1))
	noRedirects := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	// answer is what a response said; do reads it whole and closes it.
	type answer struct {
		StatusCode int
		Header     http.Header
	}
	do := func() (answer, string) {
		t.Helper()
		res, err := noRedirects.Do(build(t, base, req{}))
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		return answer{res.StatusCode, res.Header}, string(body)
	}
	portal := "<html><title>Sign in</title></html>"
	s.SetFaults(Faults{Foreign: Always, ForeignContentType: "text/html", ForeignBody: portal, Forbidden: Always})
	if res, body := do(); res.StatusCode != 200 || body != portal || res.Header.Get("Content-Type") != "text/html" || res.Header.Get("x-acs-request-id") != "" {
		t.Errorf("Foreign: %d %v %q", res.StatusCode, res.Header, body)
	}
	s.SetFaults(Faults{Foreign: Always, ForeignStatus: 204})
	if res, body := do(); res.StatusCode != 204 || body != "" || res.Header.Get("Content-Type") != "" {
		t.Errorf("Foreign without a type: %d %v %q", res.StatusCode, res.Header, body)
	}
	s.SetFaults(Faults{Foreign: Always, ForeignBody: `{}`})
	if res, _ := do(); res.Header.Get("Content-Type") != "" {
		t.Errorf("a Content-Type was sniffed: %v", res.Header)
	}
	s.SetFaults(Faults{Redirect: Always, RedirectTo: "http://elsewhere.example/x?y=z"})
	if res, _ := do(); res.StatusCode != 307 || res.Header.Get("Location") != "http://elsewhere.example/x?y=z" {
		t.Errorf("Redirect: %d %v", res.StatusCode, res.Header)
	}
	s.SetFaults(Faults{Redirect: Always, RedirectStatus: 302, RedirectTo: "/"})
	if res, _ := do(); res.StatusCode != 302 {
		t.Errorf("Redirect 302: %d", res.StatusCode)
	}
	if log := s.Requests(); !slices.Equal(log[len(log)-1].Faults, []string{"Redirect"}) || log[len(log)-1].Status != 302 {
		t.Errorf("log: %+v", log[len(log)-1])
	}
}
