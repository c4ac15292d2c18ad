package emulator

import (
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"
)

// Key is an AccessKey the emulator knows.
type Key struct {
	Secret string
	// SecurityToken, when set, makes the key temporary (an STS key): every request signed with it must
	// carry this token. A key without one refuses requests that carry a token.
	SecurityToken string
	// Expires, when set, is the moment a temporary key stops working.
	Expires time.Time
}

// Options configure New. Every field may be left zero.
type Options struct {
	Keys  map[string]Key
	Tasks []Task
	// Clock is the server's time for checking signature timestamps; nil means time.Now.
	Clock func() time.Time
	// Quota is the gateway's flow control for DBS calls; the zero Quota has none (see SetQuota).
	Quota Quota
	// Logf, when set, receives one line per request. The line never holds a secret or a token.
	Logf func(format string, args ...any)
}

// Server is the emulated gateway and DBS service. It is an http.Handler and safe for concurrent use;
// every setter takes effect from the next request on.
type Server struct {
	clock   func() time.Time
	logf    func(format string, args ...any)
	mux     *http.ServeMux
	actions map[string]action

	mu           sync.Mutex
	keys         map[string]Key
	tasks        []Task
	latency      time.Duration
	faults       faultState
	quota        quotaState
	shifted      int // tasks inserted by the ShiftList fault, to name the next one
	nonces       map[string]map[string]time.Time
	noncesPruned time.Time
	stats        Stats
	log          []Request
	logged       int // requests logged since New or Reset, to number them
	httptest     *httptest.Server
	// cred is the state of STS, ECS metadata and credentials URIs (sts.go, metadata.go, credentials_uri.go).
	cred *credentialState
}

// action is one API operation the server answers. New registers DBS's; STS's can be registered the same
// way from their own file.
type action struct {
	version string
	serve   func(*call)
}

// call is one API request on its way through the server.
type call struct {
	s         *Server
	w         http.ResponseWriter
	r         *http.Request
	requestID string
	now       time.Time
	rec       *Request
	params    map[string]string // the action's parameters, common signature parameters left out
	// transport is the fault that breaks how the body travels ("" none, "TruncateBody", "DropConnection").
	transport string
	finished  bool
}

// DBSVersion is the API version DBS actions answer to.
const DBSVersion = "2019-03-06"

// maxLog bounds the request log, so that a long-running emulator does not grow without end.
const maxLog = 10000

// New returns a server holding copies of the options' keys and tasks.
func New(opts Options) *Server {
	s := &Server{
		clock:  opts.Clock,
		logf:   opts.Logf,
		keys:   map[string]Key{},
		tasks:  append([]Task(nil), opts.Tasks...),
		nonces: map[string]map[string]time.Time{},
		stats:  Stats{ByAction: map[string]int{}, ByCode: map[string]int{}},
		cred:   newCredentialState(),
	}
	if s.clock == nil {
		s.clock = time.Now
	}
	maps.Copy(s.keys, opts.Keys)
	s.SetQuota(opts.Quota)
	s.actions = map[string]action{
		"DescribeRestoreTaskList": {version: DBSVersion, serve: (*call).describeRestoreTaskList},
		"AssumeRole":              {version: STSVersion, serve: (*call).assumeRole},
	}
	s.mux = http.NewServeMux()
	s.mux.HandleFunc("/", s.serveRoot)
	s.mux.HandleFunc("/latest/", s.serveMetadata)
	s.mux.HandleFunc(CredentialsURIPath, s.serveCredentialsURI)
	s.mux.HandleFunc(CloudSSOPath, s.serveCloudSSO)
	s.mux.HandleFunc(OAuthTokenPath, s.serveOAuthToken)
	s.mux.HandleFunc(OAuthExchangePath, s.serveOAuthExchange)
	return s
}

// Start serves on a fresh loopback port (httptest.NewServer) and returns the base URL, e.g.
// "http://127.0.0.1:34567". Close stops it.
func (s *Server) Start() string {
	ts := httptest.NewServer(s)
	s.mu.Lock()
	s.httptest = ts
	s.mu.Unlock()
	return ts.URL
}

// Close stops what Start started, closing connections in flight.
func (s *Server) Close() {
	s.mu.Lock()
	ts := s.httptest
	s.httptest = nil
	s.mu.Unlock()
	if ts != nil {
		ts.Close()
	}
}

// AddKey registers an AccessKey, or replaces the one with the same id.
func (s *Server) AddKey(accessKeyID string, k Key) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keys[accessKeyID] = k
}

// RemoveKey forgets an AccessKey; requests signed with it are then refused as unknown.
func (s *Server) RemoveKey(accessKeyID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.keys, accessKeyID)
}

// SetTasks replaces the data set, in the order the API will list it.
func (s *Server) SetTasks(tasks []Task) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tasks = append([]Task(nil), tasks...)
}

// Tasks returns the current data set (which the ShiftList fault changes).
func (s *Server) Tasks() []Task {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Task(nil), s.tasks...)
}

// snapshot returns the data set without copying it. SetTasks and the ShiftList fault replace the slice
// and never change it in place, so a request may keep reading the one it got.
func (s *Server) snapshot() []Task {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tasks
}

// SetLatency delays every request by d before it is looked at; 0 turns the delay off. A client that
// gives up while waiting gets no answer.
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latency = d
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// begin counts a request in and starts its call; finish counts it out.
func (s *Server) begin(w http.ResponseWriter, r *http.Request) *call {
	s.mu.Lock()
	s.stats.Requests++
	s.stats.InFlight++
	s.stats.MaxInFlight = max(s.stats.MaxInFlight, s.stats.InFlight)
	s.mu.Unlock()
	c := &call{s: s, w: w, r: r, requestID: newRequestID(), rec: &Request{Method: r.Method, UserAgent: r.UserAgent(), PageSize: 30}}
	c.rec.RequestID = c.requestID
	w.Header().Set("x-acs-request-id", c.requestID)
	return c
}

// beginAction starts the call of a request that is not an API action signed like DBS's (the ECS metadata
// service, a credentials URI, AssumeRoleWithOIDC): its action is known from the start, and it is answered
// without SetLatency's delay.
func (s *Server) beginAction(w http.ResponseWriter, r *http.Request, action string) *call {
	c := s.begin(w, r)
	c.now = s.clock()
	c.rec.Time = c.now
	c.rec.Action = action
	s.mu.Lock()
	s.stats.ByAction[action]++
	s.mu.Unlock()
	return c
}

// readBody reads the body of an API request, GET or POST, up to one byte past maxBodyBytes. It answers
// another method itself, as the gateway of product refuses it; when the client went away it leaves the
// answer to nobody. Either way it returns false.
func (c *call) readBody(product string) ([]byte, bool) {
	if c.r.Method != http.MethodGet && c.r.Method != http.MethodPost {
		c.writeAPIError(gatewayError(400, CodeUnsupportedHTTPMethod, "The HTTP method %s is not supported; use GET or POST.", c.r.Method), product)
		return nil, false
	}
	body, err := io.ReadAll(io.LimitReader(c.r.Body, maxBodyBytes+1))
	if err != nil {
		c.rec.Code = CodeClientGone
		return nil, false
	}
	return body, true
}

// finish logs the request and counts it out of flight, once. It runs before the answer's first byte is
// written, so that a client which has its answer finds the request in Stats and Requests.
func (c *call) finish() {
	if c.finished {
		return
	}
	c.finished = true
	c.s.record(c.rec)
}

func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	c := s.begin(w, r)
	defer c.finish()

	s.mu.Lock()
	latency := s.latency
	s.mu.Unlock()
	if latency > 0 {
		t := time.NewTimer(latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			c.rec.Code = CodeClientGone
			return
		}
	}
	c.now = s.clock()
	c.rec.Time = c.now

	body, ok := c.readBody(productDBS)
	if !ok {
		return
	}
	if len(body) > maxBodyBytes {
		c.writeGatewayError(gatewayError(400, CodeInvalidParameter, "The request body is larger than %d bytes.", maxBodyBytes))
		return
	}

	sr, aerr := parseSignedRequest(r, body)
	if sr != nil {
		c.rec.Signing, c.rec.AccessKeyID, c.rec.SecurityToken = sr.scheme, sr.accessKeyID, sr.token != ""
		c.rec.Action, c.rec.Version = sr.action, sr.version
	}
	s.mu.Lock()
	s.stats.ByAction[c.rec.Action]++
	s.mu.Unlock()
	if aerr == nil {
		aerr = s.authenticate(sr, c.now, c.rec)
	}
	if aerr != nil {
		c.writeGatewayError(aerr)
		return
	}
	c.rec.Authenticated = true

	act, ok := s.actions[sr.action]
	if !ok {
		c.writeGatewayError(gatewayError(404, CodeInvalidAction, "Specified api is not found, please check your url and method (action %q).", sr.action))
		return
	}
	if sr.version != act.version {
		c.writeGatewayError(gatewayError(400, CodeInvalidVersion, "Specified parameter Version is not valid: %s answers to %s, not %q.", sr.action, act.version, sr.version))
		return
	}
	if act.version == DBSVersion && s.overQuota(c.now) {
		c.fault("Quota")
		c.writeGatewayError(gatewayError(400, CodeThrottlingUser, "Request was denied due to user flow control."))
		return
	}
	c.params = map[string]string{}
	for _, p := range sr.params {
		if !commonParams[p.key] {
			c.params[p.key] = p.value
		}
	}
	c.rec.Params = maps.Clone(c.params)
	act.serve(c)
}

func (s *Server) record(rec *Request) {
	s.mu.Lock()
	s.stats.InFlight--
	if rec.Authenticated {
		s.stats.Authenticated++
	}
	if rec.Code != "" {
		s.stats.ByCode[rec.Code]++
	}
	s.logged++
	rec.Seq = s.logged
	s.log = append(s.log, *rec)
	if len(s.log) >= 2*maxLog {
		s.log = append([]Request(nil), s.log[len(s.log)-maxLog:]...)
	}
	s.mu.Unlock()
	if s.logf != nil {
		s.logf("%s %s signing=%s ak=%q token=%t page=%d size=%d -> %d %s %s",
			rec.Method, rec.Action, rec.Signing, rec.AccessKeyID, rec.SecurityToken, rec.PageNum, rec.PageSize,
			rec.Status, rec.Code, strings.Join(rec.Faults, ","))
	}
}
