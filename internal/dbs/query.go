package dbs

import (
	"context"
	"time"
)

// Query is what DescribeRestoreTaskList is asked. Zero values are not sent.
type Query struct {
	BackupPlanID string // BackupPlanId
	// RestoreTaskIDs asks for these restore tasks only (RestoreTaskId, comma-separated, split into batches
	// when long). nil asks for no particular tasks. A list that is not nil but empty (or only blanks) asks
	// about no task at all and is answered with none, without a request: sent as no RestoreTaskId, it
	// would ask for every task of the account.
	RestoreTaskIDs []string
	StartTimestamp Int    // StartTimestamp, UNIX ms
	EndTimestamp   Int    // EndTimestamp, UNIX ms
	ClientToken    string // ClientToken
	PageSize       int    // PageSize, 1–100; 0 means 100
}

// AskedIDs are the restore task ids q asks for, as they are sent: blanks and repeats dropped, in the
// order first given. A query whose ids the client refuses (one holds a comma) asks for none.
func (q Query) AskedIDs() []string {
	ids, err := cleanIDs(q.RestoreTaskIDs)
	if err != nil {
		return nil
	}
	return ids
}

// asksForNoTasks reports whether q names restore tasks and none of them is a real id.
func (q Query) asksForNoTasks(ids []string) bool { return q.RestoreTaskIDs != nil && len(ids) == 0 }

// Listing is the result of reading a query.
type Listing struct {
	// Tasks in the API's order, or in the order of RestoreTaskIDs when the query has them; each restore
	// task id once. An identical read of the same client gets the same slice: it must not be changed.
	Tasks []RestoreTask
	// TotalElements is the API's count for the server-side query (before any client-side filter).
	TotalElements int64
	// Requests is how many HTTP requests the listing took, retries included (the same number for every
	// read that shared it).
	Requests int
}

// Credentials sign a request. SecurityToken is set for temporary (STS) credentials.
type Credentials struct {
	AccessKeyID     string
	AccessKeySecret string
	SecurityToken   string
	// Origin says where the credentials came from, in the user's words (e.g. "the environment
	// (ALICLOUD_ACCESS_KEY, ALICLOUD_SECRET_KEY, ALICLOUD_SECURITY_TOKEN)"), so that a refusal of the key,
	// secret or token points at what to fix. It never holds a secret; "" when unknown.
	Origin string
}

// CredentialsSource hands out the credentials to sign the next request with. It is called for every
// attempt, so that temporary credentials refreshed in between are used; it must be safe for concurrent use.
type CredentialsSource interface {
	Credentials(ctx context.Context) (Credentials, error)
}

// LogFunc receives one debug line (a message and its fields). It must never be handed a secret.
type LogFunc func(ctx context.Context, msg string, fields map[string]any)

// Config configures a Client.
type Config struct {
	// Endpoint is the base URL with its scheme, e.g. "https://dbs-api.cn-hangzhou.aliyuncs.com".
	Endpoint    string
	Credentials CredentialsSource
	UserAgent   string
	// MaxRetryTimeout bounds how long one request is retried: no retry starts later than this after the
	// request's first attempt, and the last wait is cut to what is left. 0 means no retry.
	MaxRetryTimeout time.Duration
	// ConnectTimeout bounds opening a connection: resolving the host and connecting, then the TLS
	// handshake, each. 0 means DefaultConnectTimeout.
	ConnectTimeout time.Duration
	// ReadTimeout bounds reading one answer, from the moment the connection for the request is ready to
	// the answer's last byte. 0 means DefaultReadTimeout.
	ReadTimeout time.Duration
	// MaxConcurrentRequests bounds the requests in flight of the whole client, every listing together,
	// 1–32; 0 means 8.
	MaxConcurrentRequests int
	// MaxRequestsPerSecond caps the client's request rate, every listing together; 0 means no cap. Either
	// way the rate is lowered while the API throttles, and recovers when it stops.
	MaxRequestsPerSecond float64
	Log                  LogFunc
}
