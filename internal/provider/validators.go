package provider

import (
	"context"
	"fmt"
	"regexp"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// regexValidator refuses a regular expression Go's RE2 engine cannot compile, at plan time.
type regexValidator struct{}

func (regexValidator) Description(context.Context) string {
	return "value must be a valid RE2 regular expression"
}
func (v regexValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (regexValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if _, err := regexp.Compile(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid regular expression",
			fmt.Sprintf("%q is not a valid RE2 regular expression: %v", req.ConfigValue.ValueString(), err))
	}
}

// rfc3339Validator refuses, at plan time and in one diagnostic, a time that is not RFC 3339 or that
// comes before 1970: DBS takes UNIX milliseconds, and a time before 1970 would be a negative timestamp.
type rfc3339Validator struct{}

func (rfc3339Validator) Description(context.Context) string {
	return "value must be an RFC 3339 time from 1970 on, such as 2026-01-02T15:04:05Z"
}
func (v rfc3339Validator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (rfc3339Validator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	value := req.ConfigValue.ValueString()
	t, err := time.Parse(time.RFC3339, value)
	switch {
	case err != nil:
		// Go's own message ("parsing time ... as 2006-01-02T15:04:05Z07:00") speaks of its layout, not of
		// what to write.
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid RFC 3339 time",
			fmt.Sprintf("%q is not an RFC 3339 time. Write a date, \"T\", a time and a UTC offset, such as "+
				"2026-01-02T15:04:05Z or 2026-01-02T23:04:05+08:00 (what timestamp() and plantimestamp() return).", value))
	case t.Before(time.Unix(0, 0)):
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid RFC 3339 time",
			fmt.Sprintf("%q is before 1970-01-01T00:00:00Z. DBS takes times as UNIX milliseconds, which start there.", value))
	}
}
