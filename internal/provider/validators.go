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

// rfc3339Validator refuses a time that does not parse as RFC 3339, at plan time.
type rfc3339Validator struct{}

func (rfc3339Validator) Description(context.Context) string               { return "value must be an RFC 3339 time" }
func (v rfc3339Validator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (rfc3339Validator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if _, err := time.Parse(time.RFC3339, req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid RFC 3339 time",
			fmt.Sprintf("%q is not an RFC 3339 time such as 2026-01-02T15:04:05Z: %v", req.ConfigValue.ValueString(), err))
	}
}
