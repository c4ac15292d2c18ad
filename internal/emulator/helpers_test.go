package emulator

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// The signer below is written apart from the server's verifier, the way SDKs do it, so that a shared
// mistake would have to be made twice.

const (
	testAK     = "test-ak"
	testSecret = "test-secret-DO-NOT-ECHO"
	stsAK      = "STS.test-ak"
	stsSecret  = "sts-secret-DO-NOT-ECHO"
	stsToken   = "sts-token-value"
)

var nonceCounter atomic.Int64

func freshNonce() string {
	return fmt.Sprintf("nonce-%d-%d", time.Now().UnixNano(), nonceCounter.Add(1))
}

func sdkEncode(s string) string {
	s = url.QueryEscape(s)
	s = strings.ReplaceAll(s, "+", "%20")
	s = strings.ReplaceAll(s, "*", "%2A")
	return strings.ReplaceAll(s, "%7E", "~")
}

func sdkQuery(v url.Values) string {
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, sdkEncode(k)+"="+sdkEncode(v.Get(k)))
	}
	return strings.Join(parts, "&")
}

// req describes one request the test client sends; zero fields take working defaults.
type req struct {
	method  string
	rpc     bool // sign with RPC 1.0 instead of ACS3
	params  url.Values
	form    bool // POST the params as a form body instead of the query string
	ak      string
	secret  string
	token   string
	action  string
	version string
	nonce   string
	date    time.Time
	// tamper changes the request after it is signed.
	tamper func(*http.Request)
}

type resp struct {
	status int
	header http.Header
	raw    []byte
	body   map[string]any
}

func (r resp) str(k string) string { s, _ := r.body[k].(string); return s }
func (r resp) num(k string) int64 {
	n, _ := r.body[k].(json.Number).Int64()
	return n
}

// items returns the RestoreTaskIds of a page.
func (r resp) items(t *testing.T) []string {
	t.Helper()
	items, ok := r.body["Items"].(map[string]any)
	if !ok {
		t.Fatalf("no Items in %s", r.raw)
	}
	list, ok := items["RestoreTaskDetail"].([]any)
	if !ok {
		t.Fatalf("no Items.RestoreTaskDetail array in %s", r.raw)
	}
	ids := []string{}
	for _, it := range list {
		ids = append(ids, it.(map[string]any)["RestoreTaskId"].(string))
	}
	return ids
}

func send(t *testing.T, base string, q req) resp {
	t.Helper()
	r := build(t, base, q)
	res, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatalf("request: %v", err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	out := resp{status: res.StatusCode, header: res.Header, raw: raw}
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.UseNumber()
	if err := dec.Decode(&out.body); err != nil {
		t.Fatalf("body is not JSON (%v): %q", err, raw)
	}
	return out
}

func build(t *testing.T, base string, q req) *http.Request {
	t.Helper()
	if q.method == "" {
		q.method = http.MethodGet
	}
	if q.ak == "" {
		q.ak, q.secret = testAK, testSecret
	}
	if q.action == "" {
		q.action = "DescribeRestoreTaskList"
	}
	if q.version == "" {
		q.version = "2019-03-06"
	}
	if q.nonce == "" {
		q.nonce = freshNonce()
	}
	if q.date.IsZero() {
		q.date = time.Now()
	}
	params := url.Values{}
	for k, v := range q.params {
		params[k] = append([]string(nil), v...)
	}
	date := q.date.UTC().Format("2006-01-02T15:04:05Z")

	if q.rpc {
		params.Set("AccessKeyId", q.ak)
		params.Set("Action", q.action)
		params.Set("Format", "JSON")
		params.Set("SignatureMethod", "HMAC-SHA1")
		params.Set("SignatureNonce", q.nonce)
		params.Set("SignatureVersion", "1.0")
		params.Set("Timestamp", date)
		params.Set("Version", q.version)
		if q.token != "" {
			params.Set("SecurityToken", q.token)
		}
		sts := q.method + "&%2F&" + sdkEncode(sdkQuery(params))
		mac := hmac.New(sha1.New, []byte(q.secret+"&"))
		mac.Write([]byte(sts))
		params.Set("Signature", base64.StdEncoding.EncodeToString(mac.Sum(nil)))
	}

	var body string
	query := sdkQuery(params)
	if q.form {
		body, query = query, ""
	}
	r, err := http.NewRequest(q.method, base+"/?"+query, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if q.form {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if !q.rpc {
		sum := sha256.Sum256([]byte(body))
		h := map[string]string{
			"host":                  r.URL.Host,
			"x-acs-action":          q.action,
			"x-acs-version":         q.version,
			"x-acs-date":            date,
			"x-acs-signature-nonce": q.nonce,
			"x-acs-content-sha256":  hex.EncodeToString(sum[:]),
		}
		if q.token != "" {
			h["x-acs-security-token"] = q.token
		}
		names := make([]string, 0, len(h))
		for k, v := range h {
			names = append(names, k)
			if k != "host" {
				r.Header.Set(k, v)
			}
		}
		sort.Strings(names)
		var canon strings.Builder
		for _, k := range names {
			canon.WriteString(k + ":" + h[k] + "\n")
		}
		canonQuery := query
		if q.form {
			canonQuery = ""
		}
		cr := strings.Join([]string{q.method, "/", canonQuery, canon.String(), strings.Join(names, ";"), h["x-acs-content-sha256"]}, "\n")
		crSum := sha256.Sum256([]byte(cr))
		mac := hmac.New(sha256.New, []byte(q.secret))
		mac.Write([]byte("ACS3-HMAC-SHA256\n" + hex.EncodeToString(crSum[:])))
		r.Header.Set("Authorization", "ACS3-HMAC-SHA256 Credential="+q.ak+",SignedHeaders="+strings.Join(names, ";")+
			",Signature="+hex.EncodeToString(mac.Sum(nil)))
	}
	if q.tamper != nil {
		q.tamper(r)
	}
	return r
}

// newTestServer starts an emulator with a permanent and a temporary key and the given tasks.
func newTestServer(t *testing.T, tasks []Task) (*Server, string) {
	t.Helper()
	s := New(Options{
		Keys: map[string]Key{
			testAK: {Secret: testSecret},
			stsAK:  {Secret: stsSecret, SecurityToken: stsToken},
		},
		Tasks: tasks,
	})
	url := s.Start()
	t.Cleanup(s.Close)
	return s, url
}

func vals(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v
}
