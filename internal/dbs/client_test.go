package dbs

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestNewClientValidates(t *testing.T) {
	creds := &staticCreds{}
	for name, cfg := range map[string]Config{
		"no endpoint":      {Credentials: creds},
		"no scheme":        {Endpoint: "dbs-api.cn-hangzhou.aliyuncs.com", Credentials: creds},
		"ftp":              {Endpoint: "ftp://dbs-api.cn-hangzhou.aliyuncs.com", Credentials: creds},
		"no host":          {Endpoint: "https://", Credentials: creds},
		"user info":        {Endpoint: "https://ak:hunter2@dbs-api.cn-hangzhou.aliyuncs.com", Credentials: creds},
		"path":             {Endpoint: "https://dbs-api.cn-hangzhou.aliyuncs.com/api", Credentials: creds},
		"query":            {Endpoint: "https://dbs-api.cn-hangzhou.aliyuncs.com/?a=b", Credentials: creds},
		"no credentials":   {Endpoint: "https://dbs-api.cn-hangzhou.aliyuncs.com"},
		"concurrency 33":   {Endpoint: "https://h", Credentials: creds, MaxConcurrentRequests: 33},
		"concurrency -1":   {Endpoint: "https://h", Credentials: creds, MaxConcurrentRequests: -1},
		"negative timeout": {Endpoint: "https://h", Credentials: creds, MaxRetryTimeout: -1},
		"negative connect": {Endpoint: "https://h", Credentials: creds, ConnectTimeout: -1},
		"negative read":    {Endpoint: "https://h", Credentials: creds, ReadTimeout: -1},
		"unparsable":       {Endpoint: "https://[::1", Credentials: creds},
		"opaque":           {Endpoint: "https:dbs-api", Credentials: creds},
	} {
		_, err := NewClient(cfg)
		if err == nil {
			t.Errorf("%s: no error", name)
			continue
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("%s: the error repeats the password: %v", name, err)
		}
	}
	c, err := NewClient(Config{Endpoint: "https://dbs-api.cn-hangzhou.aliyuncs.com/", Credentials: creds})
	if err != nil {
		t.Fatal(err)
	}
	// MaxRetryTimeout's zero is no retry, not a default: the caller decides (the provider passes its own).
	if c.concurrency != 8 || c.maxRetry != 0 || c.userAgent == "" || c.connect != DefaultConnectTimeout || c.read != DefaultReadTimeout {
		t.Errorf("defaults: %d %s %q %s %s", c.concurrency, c.maxRetry, c.userAgent, c.connect, c.read)
	}
	if tr, ok := c.http.Transport.(*http.Transport); !ok || tr.MaxIdleConnsPerHost < 32 {
		t.Errorf("transport keeps too few idle connections")
	}
}

func TestEndpointForRegion(t *testing.T) {
	for region, want := range map[string]struct {
		host string
		ok   bool
	}{
		"cn-hangzhou":           {"dbs-api.cn-hangzhou.aliyuncs.com", true},
		"cn-beijing":            {"dbs-api.cn-hangzhou.aliyuncs.com", true},
		"us-east-1":             {"dbs-api.cn-hangzhou.aliyuncs.com", true},
		"cn-shanghai-finance-1": {"dbs-api.cn-hangzhou.aliyuncs.com", true},
		"cn-chengdu":            {"dbs-api.cn-chengdu.aliyuncs.com", true},
		"ap-southeast-5":        {"dbs-api.ap-southeast-5.aliyuncs.com", true},
		"me-east-1":             {"dbs-api.me-east-1.aliyuncs.com", true},
		"cn-wulanchabu":         {"dbs-api.cn-wulanchabu.aliyuncs.com", false},
		"":                      {"", false},
		"CN-HANGZHOU":           {"", false},
		"evil.com/x":            {"", false},
	} {
		host, ok := EndpointForRegion(region)
		if host != want.host || ok != want.ok {
			t.Errorf("%q: got %q %v, want %q %v", region, host, ok, want.host, want.ok)
		}
	}
}

func TestQueryParams(t *testing.T) {
	v, size, err := Query{
		BackupPlanID: "dbs1", RestoreTaskIDs: []string{" a ", "b", "", "a"}, ClientToken: "tok",
		StartTimestamp: Int{1570701361528, true}, EndTimestamp: Int{0, true},
	}.params()
	if err != nil {
		t.Fatal(err)
	}
	want := url.Values{"BackupPlanId": {"dbs1"}, "RestoreTaskId": {"a,b"}, "ClientToken": {"tok"},
		"StartTimestamp": {"1570701361528"}, "EndTimestamp": {"0"}, "PageSize": {"100"}}
	if size != 100 || v.Encode() != want.Encode() {
		t.Errorf("got %s (size %d), want %s", v.Encode(), size, want.Encode())
	}
	for _, q := range []Query{{PageSize: 101}, {PageSize: -1}, {RestoreTaskIDs: []string{"a,b"}}} {
		if _, _, err := q.params(); err == nil {
			t.Errorf("%+v: no error", q)
		}
	}
}

func TestRequestShape(t *testing.T) {
	var got *http.Request
	c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Clone(context.Background())
		writePage(w, 2, 10, 0, 0, nil)
	}), func(cfg *Config) {
		cfg.Credentials = &staticCreds{creds: Credentials{AccessKeyID: testAccessKeyID, AccessKeySecret: testSecret, SecurityToken: testToken}}
	})
	l, err := c.ListRestoreTasksPage(context.Background(), Query{BackupPlanID: "dbs1 x*", PageSize: 10}, 2)
	if err != nil {
		t.Fatal(err)
	}
	if l.Requests != 1 || len(l.Tasks) != 0 || l.Tasks == nil {
		t.Errorf("listing %+v", l)
	}
	if got.Method != http.MethodPost || got.URL.Path != "/" {
		t.Errorf("%s %s", got.Method, got.URL.Path)
	}
	if q := got.URL.RawQuery; q != "BackupPlanId=dbs1%20x%2A&PageNum=2&PageSize=10" {
		t.Errorf("query %q", q)
	}
	for name, want := range map[string]string{
		"x-acs-action":         "DescribeRestoreTaskList",
		"x-acs-version":        "2019-03-06",
		"x-acs-security-token": testToken,
		"User-Agent":           "dbs-test/1.0",
		"x-acs-content-sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	} {
		if v := got.Header.Get(name); v != want {
			t.Errorf("%s = %q, want %q", name, v, want)
		}
	}
	auth := got.Header.Get("Authorization")
	if !strings.HasPrefix(auth, "ACS3-HMAC-SHA256 Credential="+testAccessKeyID+",SignedHeaders=") ||
		!strings.Contains(auth, "x-acs-security-token") {
		t.Errorf("Authorization %q", auth)
	}
	if len(got.Header.Get("x-acs-signature-nonce")) != 32 || got.Header.Get("x-acs-date") == "" {
		t.Error("nonce or date missing")
	}
}

func TestListRestoreTasksPageRejectsNegativePage(t *testing.T) {
	c, _ := newTestClient(t, newFakeDBS(t, 1), nil)
	if _, err := c.ListRestoreTasksPage(context.Background(), Query{}, -1); err == nil {
		t.Error("no error")
	}
}

func TestAPIErrorText(t *testing.T) {
	e := &APIError{HTTPStatus: 403, Code: "Request.Forbidden", Message: "Have no Permissions",
		RequestID: "9C397502", Page: 3, Hint: hintFor("Request.Forbidden", "")}
	want := "DescribeRestoreTaskList page 3: HTTP 403 Request.Forbidden: Have no Permissions (RequestId 9C397502). " +
		"Grant the RAM action dbs:DescribeRestoreTaskList to the user or role of these credentials"
	if e.Error() != want {
		t.Errorf("\n got %s\nwant %s", e.Error(), want)
	}
	e = &APIError{HTTPStatus: 502, Message: "Bad Gateway", Page: -1}
	if e.Error() != "DescribeRestoreTaskList: HTTP 502: Bad Gateway" {
		t.Error(e.Error())
	}
	const origin = "the environment (ALICLOUD_ACCESS_KEY, ALICLOUD_SECRET_KEY, ALICLOUD_SECURITY_TOKEN)"
	for code, words := range map[string][]string{
		"SignatureDoesNotMatch":         {"secret", origin},
		"InvalidAccessKeyId.NotFound":   {"access key id", origin},
		"InvalidSecurityToken.Missing":  {"temporary", "set the token where the key is set, the credentials from " + origin, "security_token", "ALICLOUD_SECURITY_TOKEN"},
		"InvalidSecurityToken.Expired":  {"expired", origin},
		"InvalidSecurityToken.Mismatch": {"does not belong", origin},
		"InvalidTimeStamp.Expired":      {"clock"},
		"Forbidden.RAM":                 {"dbs:DescribeRestoreTaskList", origin},
	} {
		hint := hintFor(code, origin)
		for _, w := range words {
			if !strings.Contains(hint, w) {
				t.Errorf("hint for %s lacks %q: %q", code, w, hint)
			}
		}
	}
	if hint := hintFor("InvalidSecurityToken.Missing", origin); strings.Contains(hint, "was refused") {
		t.Errorf("a token that was never sent cannot have been refused: %q", hint)
	}
}

func TestErrorResponses(t *testing.T) {
	for name, tc := range map[string]struct {
		status   int
		body     string
		wantCode string
		wantText []string
	}{
		"gateway forbidden": {403, `{"RequestId":"9C39","HostId":"h","Code":"Request.Forbidden","Message":"Have no Permissions","Recommend":"https://diag/x"}`,
			"Request.Forbidden", []string{"page 0: HTTP 403 Request.Forbidden: Have no Permissions (RequestId 9C39)", "dbs:DescribeRestoreTaskList", "https://diag/x"}},
		"dbs errcode 400": {400, `{"RequestId":"R2","Success":false,"ErrCode":"Param.NotFound","ErrMessage":"bad value","HttpStatusCode":400}`,
			"Param.NotFound", []string{"HTTP 400 Param.NotFound: bad value (RequestId R2)"}},
		"dbs success false 200": {200, `{"RequestId":"R3","Success":false,"ErrCode":"InvalidParameter","ErrMessage":"both given"}`,
			"InvalidParameter", []string{"HTTP 200 InvalidParameter: both given (RequestId R3)"}},
		"html 404": {404, "<html>\n<body>\x00Not   Found</body></html>" + strings.Repeat("z", 500),
			"", []string{"HTTP 404: <html> <body> Not Found</body></html>zz", "(RequestId HDR-REQ)"}},
		"empty 418": {418, ``, "", []string{"HTTP 418: I'm a teapot"}},
	} {
		t.Run(name, func(t *testing.T) {
			fake := newFakeDBS(t, 5)
			fake.hook = func(w http.ResponseWriter, r *http.Request, page, nth int) bool {
				writeError(w, tc.status, tc.body)
				return true
			}
			c, _ := newTestClient(t, fake, nil)
			l, err := c.ListRestoreTasks(context.Background(), Query{})
			if l != nil {
				t.Error("a listing beside an error")
			}
			var apiErr *APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("%T %v", err, err)
			}
			if apiErr.Code != tc.wantCode || apiErr.HTTPStatus != tc.status || apiErr.Page != 0 {
				t.Errorf("%+v", apiErr)
			}
			for _, want := range tc.wantText {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q lacks %q", err, want)
				}
			}
			if len(apiErr.Message) > 200 {
				t.Errorf("message of %d bytes", len(apiErr.Message))
			}
			if n, _ := fake.stats(); n != 1 {
				t.Errorf("%d requests for a permanent error", n)
			}
		})
	}
}
