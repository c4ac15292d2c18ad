package emulator

import (
	"slices"
	"sync"
	"testing"
	"time"
)

// The quota lets Burst calls through at once, then PerSecond a second, refusing the rest as the gateway
// does; only authenticated DBS calls spend it, and a refused call reaches neither the action nor a fault.
func TestQuota(t *testing.T) {
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	s := New(Options{Keys: map[string]Key{testAK: {Secret: testSecret}}, Tasks: Generate(5, 1), Clock: clock,
		Quota: Quota{PerSecond: 10, Burst: 3}})
	base := s.Start()
	defer s.Close()
	s.SetFaults(Faults{ServerError: Pick{First: 1}}) // the first call that reaches the action fails

	send(t, base, req{secret: "wrong", ak: testAK}) // refused before the quota: spends nothing
	var got []int
	for range 4 {
		got = append(got, send(t, base, req{}).status)
	}
	if !slices.Equal(got, []int{503, 200, 200, 400}) {
		t.Fatalf("statuses %v: want the burst of 3 (the first hit by the fault), then a refusal", got)
	}
	r := send(t, base, req{})
	if r.status != 400 || r.str("Code") != CodeThrottlingUser || r.str("Message") != "Request was denied due to user flow control." ||
		r.str("RequestId") == "" || r.str("Recommend") == "" || r.header.Get("Retry-After") != "" {
		t.Errorf("over the quota: %d %v %s", r.status, r.header, r.raw)
	}
	log := s.Requests()
	if last := log[len(log)-1]; !slices.Equal(last.Faults, []string{"Quota"}) || last.Params != nil {
		t.Errorf("logged as %+v", last)
	}
	advance(100 * time.Millisecond) // one more call's worth
	if r := send(t, base, req{}); r.status != 200 {
		t.Errorf("100ms later at 10 a second: %d %s", r.status, r.raw)
	}
	if r := send(t, base, req{}); r.status != 400 {
		t.Errorf("and then: %d %s", r.status, r.raw)
	}
	if st := s.Stats(); st.OverQuota != 3 || st.ByCode[CodeThrottlingUser] != 3 {
		t.Errorf("stats %+v", st)
	}

	s.SetQuota(Quota{PerSecond: 2}) // Burst defaults to one second's worth, and the bucket starts full
	got = nil
	for range 3 {
		got = append(got, send(t, base, req{}).status)
	}
	if !slices.Equal(got, []int{200, 200, 400}) || s.Quota().Burst != 2 {
		t.Errorf("quota of 2 a second: %v, burst %v", got, s.Quota().Burst)
	}
	s.SetQuota(Quota{})
	for range 5 {
		if r := send(t, base, req{}); r.status != 200 {
			t.Fatalf("without a quota: %d %s", r.status, r.raw)
		}
	}
}
