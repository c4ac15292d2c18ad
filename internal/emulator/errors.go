package emulator

import (
	"crypto/rand"
	"fmt"
	"net/url"
)

// apiError is a refusal in the gateway's form: an HTTP 4xx/5xx status with
// {"RequestId","HostId","Code","Message","Recommend"}.
type apiError struct {
	status  int
	code    string
	message string
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s: %s", e.status, e.code, e.message) }

func gatewayError(status int, code, format string, args ...any) *apiError {
	return &apiError{status: status, code: code, message: fmt.Sprintf(format, args...)}
}

// Gateway error codes the emulator sends. The HTTP status of each is in the comment.
const (
	CodeInvalidAccessKeyID     = "InvalidAccessKeyId.NotFound"   // 404
	CodeSignatureDoesNotMatch  = "SignatureDoesNotMatch"         // 400
	CodeIncompleteSignature    = "IncompleteSignature"           // 400: Authorization or a signed header missing or malformed
	CodeSignatureNonceUsed     = "SignatureNonceUsed"            // 400
	CodeMissingSignatureNonce  = "MissingSignatureNonce"         // 400
	CodeTimestampExpired       = "InvalidTimeStamp.Expired"      // 400
	CodeTimestampFormat        = "InvalidTimeStamp.Format"       // 400
	CodeInvalidAction          = "InvalidAction.NotFound"        // 404, as the real gateway
	CodeInvalidVersion         = "InvalidVersion"                // 400
	CodeTokenMissing           = "InvalidSecurityToken.Missing"  // 400: the key is temporary, no token sent
	CodeTokenMismatch          = "InvalidSecurityToken.Mismatch" // 400: a token that is not the key's
	CodeTokenExpired           = "InvalidSecurityToken.Expired"  // 400: the temporary key's Expires passed
	CodeInvalidParameter       = "InvalidParameter"              // 400: unknown, repeated or malformed parameter
	CodeUnsupportedHTTPMethod  = "UnsupportedHTTPMethod"         // 400
	CodeInvalidSignatureMethod = "InvalidSignatureMethod"        // 400
	CodeForbidden              = "Request.Forbidden"             // 403
	CodeThrottlingUser         = "Throttling.User"               // 400
	CodeServiceUnavailable     = "ServiceUnavailable"            // 503
	CodeInternalError          = "InternalError"                 // 500
	CodeParamNotValid          = "Param.NotValid"                // DBS ErrCode, Success:false
	CodeParamConflict          = "Param.Conflict"                // DBS ErrCode, Success:false
	// CodeClientGone is never sent: it marks in Request.Code and Stats.ByCode a request whose client
	// went away before the answer (during SetLatency's delay, or while sending the body).
	CodeClientGone = "ClientGone"
)

// Products as the gateway names them in an error's Recommend link.
const (
	productDBS = "Dbs"
	productSTS = "Sts"
)

// writeGatewayError answers a refusal of the gateway in front of DBS.
func (c *call) writeGatewayError(e *apiError) { c.writeAPIError(e, productDBS) }

// writeAPIError answers a refusal in the gateway's form, {"RequestId","HostId","Code","Message","Recommend"},
// whose Recommend links to the troubleshooting of product.
func (c *call) writeAPIError(e *apiError, product string) {
	c.rec.Status, c.rec.Code, c.rec.Message = e.status, e.code, e.message
	body := rawJSON(struct {
		RequestID string `json:"RequestId"`
		HostID    string `json:"HostId"`
		Code      string `json:"Code"`
		Message   string `json:"Message"`
		Recommend string `json:"Recommend"`
	}{c.requestID, c.r.Host, e.code, e.message,
		"https://api.aliyun.com/troubleshoot?q=" + url.QueryEscape(e.code) + "&product=" + product + "&requestId=" + c.requestID})
	c.writeJSON(e.status, body)
}

// writeDBSError answers the way DBS itself refuses: Success:false with ErrCode and ErrMessage, under an
// HTTP status that may well be 200.
func (c *call) writeDBSError(status int, code, message string) {
	c.rec.Status, c.rec.Code, c.rec.Message = status, code, message
	body := rawJSON(struct {
		HTTPStatusCode int    `json:"HttpStatusCode"`
		RequestID      string `json:"RequestId"`
		Success        bool   `json:"Success"`
		ErrCode        string `json:"ErrCode"`
		ErrMessage     string `json:"ErrMessage"`
	}{status, c.requestID, false, code, message})
	c.writeJSON(status, body)
}

func (c *call) writeJSON(status int, body []byte) {
	if c.transport != "" {
		c.fault(c.transport)
		c.writeBroken(status, body)
		return
	}
	h := c.w.Header()
	h.Set("Content-Type", "application/json;charset=utf-8")
	h.Set("Content-Length", fmt.Sprint(len(body)))
	c.finish()
	c.w.WriteHeader(status)
	c.w.Write(body)
}

// newRequestID returns a fresh id shaped like the gateway's (an upper-case UUID).
func newRequestID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%X-%X-%X-%X-%X", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
