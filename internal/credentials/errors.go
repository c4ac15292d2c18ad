package credentials

import (
	"errors"
	"fmt"
)

// ErrNoCredentials is wrapped by Resolve's error when no source had credentials.
var ErrNoCredentials = errors.New("no Alibaba Cloud credentials found")

// ConflictError is returned by Resolve when the provider block names two sources of credentials.
type ConflictError struct {
	First, Second string // the arguments, e.g. "access_key" and "profile"
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("the provider block sets both %s and %s, which name different sources of credentials; set only one of "+
		"access_key (with secret_key), profile, credentials_uri, ecs_role_name and assume_role_with_oidc", e.First, e.Second)
}

// ServiceError is a refusal by a service that hands out credentials: STS, the ECS metadata service or a
// credentials URI. It carries what the service said and never what was sent.
type ServiceError struct {
	// Service says what was asked, e.g. "STS AssumeRole for acs:ram::123:role/reader at sts.cn-hangzhou.aliyuncs.com".
	Service   string
	Code      string
	Message   string
	RequestID string
}

func (e *ServiceError) Error() string {
	msg := fmt.Sprintf("%s refused: %s", e.Service, e.Code)
	if e.Message != "" {
		msg += ": " + e.Message
	}
	if e.RequestID != "" {
		msg += " (request id " + e.RequestID + ")"
	}
	return msg
}

// requestError is a request to a service that failed short of the service's refusal (a ServiceError):
// it could not be sent, it was redirected, or the answer is not what was asked for and not the service's
// error form either. detail never holds a secret: they are removed where it is made.
type requestError struct {
	service string
	detail  string
}

func (e *requestError) Error() string { return e.service + " failed: " + e.detail }
