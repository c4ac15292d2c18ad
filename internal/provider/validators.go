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
// It lets through a time that can be a release's stand-in for plantimestamp() during validation
// (validatingPlanTimestamp); the read refuses that one if it is still there.
type rfc3339Validator struct{}

func (rfc3339Validator) Description(context.Context) string {
	return "value must be an RFC 3339 time from 1970 on, such as 2026-01-02T15:04:05Z"
}
func (v rfc3339Validator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (rfc3339Validator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() || validatingPlanTimestamp(req.ConfigValue.ValueString()) {
		return
	}
	if problem := timeBoundProblem(req.ConfigValue.ValueString()); problem != "" {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid RFC 3339 time", problem)
	}
}

// timeBoundProblem says, in the user's words, why value cannot bound the time range, or is "" when it can.
func timeBoundProblem(value string) string {
	t, err := time.Parse(time.RFC3339, value)
	switch {
	case err != nil:
		// Go's own message ("parsing time ... as 2006-01-02T15:04:05Z07:00") speaks of its layout, not of
		// what to write.
		return fmt.Sprintf("%q is not an RFC 3339 time. Write a date, \"T\", a time and a UTC offset, such as "+
			"2026-01-02T15:04:05Z or 2026-01-02T23:04:05+08:00 (what timestamp() and plantimestamp() return).", value)
	case t.Before(time.Unix(0, 0)):
		return fmt.Sprintf("%q is before 1970-01-01T00:00:00Z. DBS takes times as UNIX milliseconds, which start there.", value)
	}
	return ""
}

// valueCheck is one kind of value (an STS endpoint, a role ARN, ...) and what makes one wrong. It is both
// the schema's validator of the arguments that hold such values and the check of the same values read
// from the environment, so that a wrong value is reported in the same words wherever it was set.
type valueCheck struct {
	kind string // e.g. "STS endpoint"; the diagnostic's summary is "Invalid STS endpoint"
	want string // what a good value is, e.g. "host[:port], without a scheme"
	// sensitive values are never quoted: they are, or may hold, a secret.
	sensitive bool
	// problem says what is wrong with value ("is not ..."), or "" when nothing is. It never quotes value.
	problem func(value string) string
}

func (c valueCheck) Description(context.Context) string             { return "value must be " + c.want }
func (c valueCheck) MarkdownDescription(ctx context.Context) string { return c.Description(ctx) }

func (c valueCheck) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if p := c.problem(req.ConfigValue.ValueString()); p != "" {
		resp.Diagnostics.AddAttributeError(req.Path, c.summary(), c.detail(req.Path.String(), req.ConfigValue.ValueString(), p))
	}
}

func (c valueCheck) summary() string { return "Invalid " + c.kind }

// detail says what is wrong with value, set at where (an argument's path or an environment variable).
func (c valueCheck) detail(where, value, problem string) string {
	if c.sensitive {
		return fmt.Sprintf("The value of %s %s; it must be %s. The value is not shown, as it may hold a secret.", where, problem, c.want)
	}
	return fmt.Sprintf("%s = %q %s; it must be %s.", where, value, problem, c.want)
}

// matching is a problem func for values that must match pattern.
func matching(pattern *regexp.Regexp, problem string) func(string) string {
	return func(v string) string {
		if pattern.MatchString(v) {
			return ""
		}
		return problem
	}
}

// validatingPlanTimestamp reports whether value can be what Terraform before 1.10 and OpenTofu before
// 1.8.11 make of plantimestamp() while they validate a configuration, before the plan has a time: Go's
// zero time, 0001-01-01T00:00:00Z, or what timeadd() makes of it, a time in year 1 or 0, or one before
// year 0 ("-0001-12-31T00:00:00Z", which is not RFC 3339). Refusing it would fail the plan of every
// configuration that sets start_time or end_time from plantimestamp() on those releases. They validate
// the data source again with the plan's time before reading it, and the read refuses such a value if it
// is still there.
func validatingPlanTimestamp(value string) bool {
	if t, err := time.Parse(time.RFC3339, value); err == nil {
		return t.Year() <= 1
	}
	return beforeYearZero.MatchString(value)
}

// beforeYearZero is Go's RFC 3339 layout for a time before year 0, which it writes with a minus sign.
var beforeYearZero = regexp.MustCompile(`^-\d{4,}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$`)
