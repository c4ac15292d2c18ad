package dbs

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/seed-00b4a2d9/terraform-provider-alicloud/internal/httpclient"
)

const (
	apiAction  = "DescribeRestoreTaskList"
	apiVersion = "2019-03-06"

	defaultConcurrency = 8
	maxConcurrency     = 32
	defaultPageSize    = 100
	maxPageSize        = 100
	defaultUserAgent   = "terraform-provider-alicloud-dbs"

	// A page of at most 100 tasks is a few hundred KiB; anything near this is not a DBS answer.
	maxBodyBytes = 64 << 20
	// Error bodies are read whole to find their code; they are small when they come from the gateway.
	maxErrorBodyBytes = 64 << 10
)

// The timeouts a Config left at zero gets.
const (
	DefaultConnectTimeout = 10 * time.Second
	DefaultReadTimeout    = 30 * time.Second
)

// Client calls DescribeRestoreTaskList. It is safe for concurrent use; make one per provider configuration
// so that its connections are reused.
type Client struct {
	base        *url.URL // scheme and host only
	creds       CredentialsSource
	http        *http.Client
	userAgent   string
	maxRetry    time.Duration
	connect     time.Duration // bounds opening a connection, as its HTTP client's dialer and TLS handshake do
	read        time.Duration // bounds reading one answer, from the connection being ready (see attempt)
	concurrency int
	log         LogFunc
	// sched is the one gate of every request this client sends: the provider configuration's rate and
	// concurrency, shared by every listing.
	sched *scheduler
	// shared lets identical reads share one listing.
	shared sharedReads

	// Seams for tests, so that retries and backoff can be checked without waiting for real time.
	sleep func(ctx context.Context, d time.Duration) error
	// pace waits for the scheduler's next token; a test's clock may count it apart from retry waits.
	pace   func(ctx context.Context, d time.Duration) error
	now    func() time.Time
	jitter func(limit time.Duration) time.Duration
}

// NewClient checks cfg and returns a client. The endpoint must be an http or https URL with a host and
// nothing else: user information in it would be a credential in the wrong place, and a path or query
// would change what is signed.
func NewClient(cfg Config) (*Client, error) {
	base, err := parseEndpoint(cfg.Endpoint)
	if err != nil {
		return nil, err
	}
	if cfg.Credentials == nil {
		return nil, errors.New("dbs: no credentials source")
	}
	for _, d := range []struct {
		name  string
		value time.Duration
	}{{"MaxRetryTimeout", cfg.MaxRetryTimeout}, {"ConnectTimeout", cfg.ConnectTimeout}, {"ReadTimeout", cfg.ReadTimeout}} {
		if d.value < 0 { // in this order, so that the same Config gets the same error every time
			return nil, fmt.Errorf("dbs: %s must not be negative, got %s", d.name, d.value)
		}
	}
	if cfg.MaxConcurrentRequests < 0 || cfg.MaxConcurrentRequests > maxConcurrency {
		return nil, fmt.Errorf("dbs: MaxConcurrentRequests must be between 1 and %d, got %d",
			maxConcurrency, cfg.MaxConcurrentRequests)
	}
	if cfg.MaxRequestsPerSecond < 0 || math.IsNaN(cfg.MaxRequestsPerSecond) || math.IsInf(cfg.MaxRequestsPerSecond, 0) {
		return nil, fmt.Errorf("dbs: MaxRequestsPerSecond must be a positive number, or 0 to learn it, got %v", cfg.MaxRequestsPerSecond)
	}
	c := &Client{
		base:        base,
		creds:       cfg.Credentials,
		userAgent:   cfg.UserAgent,
		maxRetry:    cfg.MaxRetryTimeout,
		connect:     cmp.Or(cfg.ConnectTimeout, DefaultConnectTimeout),
		read:        cmp.Or(cfg.ReadTimeout, DefaultReadTimeout),
		concurrency: cfg.MaxConcurrentRequests,
		log:         cfg.Log,
		sleep:       sleepContext,
		pace:        sleepContext,
		now:         time.Now,
		jitter:      fullJitter,
	}
	// connect bounds resolving and connecting, then the TLS handshake; the read timeout is kept per
	// attempt (see attempt), since a transport has no bound on reading a body. A listing reads up to 32
	// pages at once from one host, and Go's default of 2 idle connections per host would make most of
	// them open a new TLS connection. A redirect is returned, not followed, and attempt refuses it: it
	// would resend the signed headers, and the security token, to a host that was not signed for.
	c.http = httpclient.New(httpclient.Options{ConnectTimeout: c.connect, MaxIdleConnsPerHost: maxConcurrency})
	if c.userAgent == "" {
		c.userAgent = defaultUserAgent
	}
	if c.concurrency == 0 {
		c.concurrency = defaultConcurrency
	}
	// The scheduler reads the client's clock and waits through it on every call, so that tests may
	// replace them after NewClient.
	c.sched = newScheduler(c.concurrency, cfg.MaxRequestsPerSecond, c.maxRetry,
		func() time.Time { return c.now() },
		func(ctx context.Context, d time.Duration) error { return c.pace(ctx, d) },
		c.log)
	return c, nil
}

// CheckEndpoint says whether NewClient would take endpoint, and if not why, in words that never repeat
// the endpoint (it may hold a password).
func CheckEndpoint(endpoint string) error {
	_, err := parseEndpoint(endpoint)
	return err
}

func parseEndpoint(endpoint string) (*url.URL, error) {
	if endpoint == "" {
		return nil, errors.New("dbs: no endpoint")
	}
	u, err := url.Parse(endpoint)
	// The parse error would repeat the endpoint, which may hold a password: say what is wrong instead.
	if err != nil {
		return nil, errors.New("dbs: the endpoint is not a valid URL")
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return nil, errors.New("dbs: the endpoint must start with https:// or http://")
	}
	if u.User != nil {
		return nil, errors.New("dbs: the endpoint must not contain user information (credentials)")
	}
	if u.Host == "" || u.Hostname() == "" {
		return nil, errors.New("dbs: the endpoint has no host")
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return nil, fmt.Errorf("dbs: the endpoint must be only a scheme and host, like %s://%s", u.Scheme, u.Host)
	}
	return &url.URL{Scheme: u.Scheme, Host: u.Host, Path: "/"}, nil
}

// EndpointForRegion returns the DBS API host for a region, after the official SDK's endpoint table: the
// central regions share dbs-api.cn-hangzhou.aliyuncs.com, the others have their own host. For a region
// the table does not know, it returns the regional pattern dbs-api.<region>.aliyuncs.com with ok false,
// so that a new region works without a release while callers can still warn; a region that is not a
// plausible region id (empty, or not lower-case letters, digits and hyphens) yields "" and false.
func EndpointForRegion(region string) (host string, ok bool) {
	if !plausibleRegion(region) {
		return "", false
	}
	if own, known := regionEndpoints[region]; known {
		if own {
			return "dbs-api." + region + ".aliyuncs.com", true
		}
		return centralEndpoint, true
	}
	return "dbs-api." + region + ".aliyuncs.com", false
}

const centralEndpoint = "dbs-api.cn-hangzhou.aliyuncs.com"

// KnownRegions lists the regions of the endpoint table, sorted.
func KnownRegions() []string {
	return slices.Sorted(maps.Keys(regionEndpoints))
}

// regionEndpoints: true when the region has its own host, false when it is served by the central one.
var regionEndpoints = map[string]bool{
	"cn-hangzhou":           false,
	"cn-shanghai":           false,
	"cn-beijing":            false,
	"cn-shenzhen":           false,
	"cn-qingdao":            false,
	"cn-zhangjiakou":        false,
	"cn-hongkong":           false,
	"us-west-1":             false,
	"us-east-1":             false,
	"cn-hangzhou-finance":   false,
	"cn-shanghai-finance-1": false,
	"cn-shenzhen-finance-1": false,
	"cn-chengdu":            true,
	"cn-huhehaote":          true,
	"ap-southeast-1":        true,
	"ap-southeast-2":        true,
	"ap-southeast-3":        true,
	"ap-southeast-5":        true,
	"ap-northeast-1":        true,
	"ap-south-1":            true,
	"eu-central-1":          true,
	"eu-west-1":             true,
	"me-east-1":             true,
}

func plausibleRegion(r string) bool {
	if r == "" || len(r) > 64 || r[0] == '-' || r[len(r)-1] == '-' {
		return false
	}
	for i := 0; i < len(r); i++ {
		c := r[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
			return false
		}
	}
	return true
}

// params turns q into the query parameters every page shares; PageNum is added per page.
func (q Query) params() (url.Values, int, error) {
	size := q.PageSize
	if size == 0 {
		size = defaultPageSize
	}
	if size < 1 || size > maxPageSize {
		return nil, 0, fmt.Errorf("dbs: PageSize must be between 1 and %d, got %d", maxPageSize, q.PageSize)
	}
	ids, err := cleanIDs(q.RestoreTaskIDs)
	if err != nil {
		return nil, 0, err
	}
	v := url.Values{}
	if q.BackupPlanID != "" {
		v.Set("BackupPlanId", q.BackupPlanID)
	}
	if len(ids) > 0 {
		v.Set("RestoreTaskId", strings.Join(ids, ","))
	}
	if q.StartTimestamp.Valid {
		v.Set("StartTimestamp", strconv.FormatInt(q.StartTimestamp.Value, 10))
	}
	if q.EndTimestamp.Valid {
		v.Set("EndTimestamp", strconv.FormatInt(q.EndTimestamp.Value, 10))
	}
	if q.ClientToken != "" {
		v.Set("ClientToken", q.ClientToken)
	}
	v.Set("PageSize", strconv.Itoa(size))
	return v, size, nil
}

// cleanIDs drops blanks and repeats, keeping the first occurrence's place. A comma inside an id would
// split it on the server, so it is refused rather than sent.
func cleanIDs(ids []string) ([]string, error) {
	out := make([]string, 0, len(ids))
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		id = strings.TrimSpace(id)
		if id == "" || seen[id] {
			continue
		}
		if strings.Contains(id, ",") {
			return nil, fmt.Errorf("dbs: restore task id %q contains a comma", id)
		}
		seen[id] = true
		out = append(out, id)
	}
	return out, nil
}

func withPage(base url.Values, page int) url.Values {
	v := make(url.Values, len(base)+1)
	for k, vs := range base {
		v[k] = vs
	}
	v.Set("PageNum", strconv.Itoa(page))
	return v
}

func sleepContext(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func fullJitter(limit time.Duration) time.Duration {
	if limit <= 0 {
		return 0
	}
	return time.Duration(rand.Int64N(int64(limit) + 1))
}
