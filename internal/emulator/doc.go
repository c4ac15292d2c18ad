// Package emulator is a local stand-in for Alibaba Cloud's API gateway and Database Backup Service (DBS),
// for tests and demos. It answers DescribeRestoreTaskList (version 2019-03-06) like the real service,
// checks signatures with its own verifier (ACS3-HMAC-SHA256 and RPC signature 1.0, written from the
// algorithm, never importing the client's signer, so that it catches the client's mistakes), and can be
// told to misbehave in the ways real services do.
//
// # Serving
//
//	s := emulator.New(emulator.Options{
//		Keys:  map[string]emulator.Key{"ak": {Secret: "secret"}},
//		Tasks: emulator.Generate(250, 1),
//	})
//	url := s.Start() // http://127.0.0.1:port, loopback only
//	defer s.Close()
//
// A Server is an http.Handler, so httptest.NewServer(s) or httptest.NewTLSServer(s) serve it as well.
// Every exported method is safe for concurrent use and takes effect from the next request on.
//
// # Authentication
//
// A request signed with ACS3-HMAC-SHA256 carries an Authorization header; any other request is read as
// RPC signature 1.0 (parameters in the query string or a form body). The checks, in order, and what a
// failure answers (gateway form, {"RequestId","HostId","Code","Message","Recommend"}):
//   - malformed Authorization, an x-acs-* header left out of SignedHeaders, no host in SignedHeaders, no
//     x-acs-content-sha256: 400 IncompleteSignature; a body not matching x-acs-content-sha256: 400
//     SignatureDoesNotMatch; a parameter given twice: 400 InvalidParameter;
//   - no or unknown AccessKeyId: 404 InvalidAccessKeyId.NotFound; a temporary key past Key.Expires:
//     400 InvalidSecurityToken.Expired;
//   - timestamp missing or malformed: 400 InvalidTimeStamp.Format; more than 15 minutes from
//     Options.Clock: 400 InvalidTimeStamp.Expired;
//   - no nonce: 400 MissingSignatureNonce; wrong signature: 400 SignatureDoesNotMatch (the message never
//     holds the secret; Request.StringToSign holds the server's string to sign); nonce already spent by
//     this AccessKeyId: 400 SignatureNonceUsed;
//   - a temporary key (Key.SecurityToken set) without its token: 400 InvalidSecurityToken.Missing; with
//     another token, or a permanent key with any token: 400 InvalidSecurityToken.Mismatch;
//   - unknown action: 404 InvalidAction.NotFound; version not the action's: 400 InvalidVersion.
//
// # DescribeRestoreTaskList
//
// Parameters BackupPlanId, RestoreTaskId (comma-separated), PageSize (1–100, default 30), PageNum (0 to
// 2^31-1, default 0), ClientToken, StartTimestamp and EndTimestamp (UNIX ms, inclusive, on
// RestoreTaskCreateTime); an empty value counts as absent. Every action also accepts the common
// parameters: the RPC signature's own, RegionId, and the caller parameters OwnerId, OwnerAccount,
// ResourceOwnerId and ResourceOwnerAccount that the official SDKs' request models carry; any other
// parameter is a 400 InvalidParameter gateway error. A bad value answers
// HTTP 400 {"HttpStatusCode":400,"RequestId",...,"Success":false,"ErrCode":"Param.NotValid","ErrMessage":
// "The specified parameter PageSize value is not valid."}; BackupPlanId with RestoreTaskId answers the
// same with ErrCode Param.Conflict. Success is
//
//	{"HttpStatusCode":200,"PageNum":n,"RequestId":"…","Success":true,"TotalPages":p,"TotalElements":e,
//	 "PageSize":s,"Items":{"RestoreTaskDetail":[…]}}
//
// with the tasks in the data set's order; a page past the end has "RestoreTaskDetail":[]. Every answer has
// a fresh RequestId, also in the x-acs-request-id header.
//
// # Data
//
// A Task is a RestoreTaskDetail object kept byte for byte (field order, absent fields, big integers, wrong
// types). Generate makes a realistic, seeded data set; ParseTasks, MustParseTasks and LoadTasksFile read
// JSON; SetTasks replaces the data set at run time. GeneratePlans makes the tasks of a fleet of backup
// plans, the same number in each.
//
// # Quota
//
// SetQuota (or Options.Quota) sets the gateway's flow control for DBS calls: a token bucket of
// Quota.PerSecond calls a second holding at most Quota.Burst (default one second's worth), full when set.
// An authenticated DBS call that finds it empty is refused before the action, as the gateway refuses
// one: HTTP 400 {"Code":"Throttling.User","Message":"Request was denied due to user flow control."}, with
// no Retry-After. Stats.OverQuota counts these refusals, and the request log marks them with the fault
// "Quota".
//
// # Faults and observation
//
// SetLatency delays every request; SetFaults sets misbehaviours (answers that are not DBS's, redirects,
// throttling, 5xx, DBS Success:false, truncated bodies, dropped connections, shifting lists, absurd
// totals, oversized, repeated, empty pages, a job listed twice, wrong JSON types), each on the requests a
// Pick chooses: every Nth, the first N, or a seeded fraction.
// Stats counts requests (by action, by error code, the most in flight at once) and Requests returns the
// log of what was asked and answered; Reset zeroes both. A request is logged before its answer is
// written, so a client holding an answer finds its request in both.
//
// # Sign-in services
//
// The aliyun CLI's CloudSSO portal (CloudSSOPath) and OAuth service (OAuthTokenPath, OAuthExchangePath)
// are served as credentials-go's providers call them: AddCloudSSOToken and AddOAuthSignIn say which
// tokens they accept, the temporary keys they hand out are then accepted like STS's and listed by Issued,
// OAuth refresh tokens are spent when used, and OAuthTokens tells whether a token is live. Their
// refusals have their own forms: {"ErrorCode","ErrorMessage","RequestId"} and
// {"error","error_description","requestId"}.
//
// # Adding actions
//
// Further actions (STS AssumeRole and AssumeRoleWithOIDC, ECS metadata, a credentials URI) belong in their
// own files: an API action registers in Server.actions with its version and a func(*call), and a non-API
// path registers on Server.mux in New, its handler opening with s.begin and deferring call.finish so that
// it is counted and logged like the rest.
package emulator
