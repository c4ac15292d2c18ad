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

// failure is a service that could not be asked, or did not answer in its error form. detail never holds
// a secret: its secrets are removed where it is made.
type failure struct {
	service string
	detail  string
}

func (f *failure) Error() string { return f.service + " failed: " + f.detail }
