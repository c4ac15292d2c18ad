package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"math"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/seed-00b4a2d9/terraform-provider-alicloud/internal/emulator"
)

// config is what the command line asks for.
type config struct {
	addr        string
	allowRemote bool
	caFile      string
	verbose     bool

	tasks     int
	seed      int64
	data      string
	plans     int  // with -plans: -tasks jobs in each of this many backup plans
	listPlans bool // print the generated backup plan ids and exit

	qps float64 // the gateway's quota on DBS calls, calls a second; 0 for none

	accessKey, secretKey, securityToken string
	roles                               roleList
	instanceRole                        string
	credentialsURIs                     nameList
	cloudSSOTokens                      cloudSSOList

	latency time.Duration
	faults  emulator.Faults
}

// faultFlags names the flag of each Pick of emulator.Faults (by its field name) and says what it does.
// A test holds it equal to Faults.PicksByName, so that a fault added to the emulator gets a flag.
var faultFlags = []struct{ field, name, usage string }{
	{"Foreign", "foreign", "answer in DBS's place, as a proxy, a captive portal or a server that is not DBS would, without a request id (see -foreign-status, -foreign-content-type, -foreign-body)"},
	{"Redirect", "redirect", "answer a redirect to -redirect-to (see -redirect-status), as a proxy or a wrong endpoint might"},
	{"Forbidden", "forbidden", "answer 403 Request.Forbidden, as a RAM policy that denies the call does"},
	{"Throttle", "throttle", "answer Throttling.User (HTTP 400) in the gateway's form, as the API's flow control does (see -throttle-code, -throttle-status, -throttle-retry-after)"},
	{"ServerError", "server-error", "answer 503 ServiceUnavailable (see -server-error-code)"},
	{"DBSError", "dbs-error", "answer the way DBS itself refuses: Success:false with ErrCode and ErrMessage, under HTTP 200 (see -dbs-error-code, -dbs-error-message, -dbs-error-status)"},
	{"TruncateBody", "truncate-body", "send a complete HTTP response whose JSON body is cut in half"},
	{"DropConnection", "drop-connection", "send the headers and half the body, then close the connection"},
	{"ShiftList", "shift-list", "after serving a page, insert a new restore job at the front of the list, as when a job is created while a client pages: later pages repeat an item and TotalElements grows"},
	{"AbsurdTotals", "absurd-totals", fmt.Sprintf("claim TotalPages %d and TotalElements %d", int64(emulator.AbsurdTotalPages), int64(emulator.AbsurdTotalElements))},
	{"OversizePage", "oversize-page", "serve PageSize+1 items"},
	{"RepeatPrevious", "repeat-previous-page", "serve page n-1's items again as page n"},
	{"EmptyPage", "empty-page", "serve no items on a page before the last, the totals unchanged"},
	{"RepeatTask", "repeat-task", "list the last restore job of page n-1 again at the top of page n, the totals unchanged: one job is listed twice and another not at all"},
	{"WrongType", "wrong-type", "replace a value with one of the wrong JSON type (see -wrong-type-field, -wrong-type-value)"},
}

// faultOptions are the flags that only shape a fault, by the fault flag they need.
var faultOptions = map[string]string{
	"foreign-status":       "foreign",
	"foreign-content-type": "foreign",
	"foreign-body":         "foreign",
	"redirect-status":      "redirect",
	"redirect-to":          "redirect",
	"throttle-code":        "throttle",
	"throttle-status":      "throttle",
	"throttle-retry-after": "throttle",
	"server-error-code":    "server-error",
	"dbs-error-code":       "dbs-error",
	"dbs-error-message":    "dbs-error",
	"dbs-error-status":     "dbs-error",
	"wrong-type-field":     "wrong-type",
	"wrong-type-value":     "wrong-type",
}

const usageHeader = `Usage: dbs-emulator [flags]

dbs-emulator serves a stand-in for Alibaba Cloud's API gateway in front of Database Backup Service
(DescribeRestoreTaskList), STS (AssumeRole, AssumeRoleWithOIDC), the ECS metadata service and
credentials URIs, on one loopback address. It checks signatures like the gateway (ACS3-HMAC-SHA256 and
RPC signature 1.0), pages like the API, and misbehaves on request. It prints its base URL on the first
line of standard output once it accepts connections, and serves until SIGINT or SIGTERM.
`

const faultsHeader = `Each fault flag takes the requests it hits, counted 1, 2, ... over the signed requests that reach
DescribeRestoreTaskList: every=N (every Nth), first=N (the first N), fraction=F (each with
probability F; seed=S repeats the same draw), joined by commas to hit a request when any says so, or
all. Refusals are tried in the order -forbidden, -throttle, -server-error, -dbs-error; the first that
hits answers. The other faults change the answer sent and may combine.`

// parseFlags reads the command line. Usage and errors go to stderr; the error returned is flag.ErrHelp
// for -h, or errUsage when the message is already written.
func parseFlags(args []string, stderr io.Writer) (*config, error) {
	c := &config{}
	u := defineFlags(c)
	fs := u.fs
	fs.SetOutput(stderr)
	// flag prints the usage after every error; the whole of it would bury the error, so -h alone gets it.
	fs.Usage = func() {}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			u.print()
			return nil, err
		}
		fmt.Fprintln(stderr, "Run dbs-emulator -h for the flags.")
		return nil, errUsage
	}
	if err := c.check(fs); err != nil {
		fmt.Fprintf(stderr, "%v\nRun dbs-emulator -h for the flags.\n", err)
		return nil, errUsage
	}
	return c, nil
}

// defineFlags defines every flag, setting c, in groups for the usage.
func defineFlags(c *config) *usage {
	fs := flag.NewFlagSet("dbs-emulator", flag.ContinueOnError)
	u := &usage{fs: fs}

	u.group("Serving", "")
	fs.StringVar(&c.addr, "addr", "127.0.0.1:0", "`host:port` to listen on; port 0 picks a free one")
	fs.BoolVar(&c.allowRemote, "allow-non-loopback", false,
		"allow -addr to name a host other than loopback (the emulator accepts well-known demo keys: do not expose it)")
	fs.StringVar(&c.caFile, "tls-ca-file", "",
		"serve HTTPS, with a certificate made at start (valid a day, for 127.0.0.1, ::1, localhost and the -addr host name), and write it as a CA, after the roots the system trusts, to this `file`: point SSL_CERT_FILE at it. STS is only reached over HTTPS")
	fs.BoolVar(&c.verbose, "v", false, "log one line per request to stderr (never a secret)")

	u.group("Restore jobs", "")
	fs.IntVar(&c.tasks, "tasks", 250, "`number` of generated restore jobs (ignored with -data)")
	fs.Int64Var(&c.seed, "seed", 1, "seed of the generated restore jobs")
	fs.StringVar(&c.data, "data", "", "JSON `file` holding an array of RestoreTaskDetail objects, served as they are instead of generated jobs, in the file's order")
	fs.IntVar(&c.plans, "plans", 0, "generate -tasks restore jobs in each of this `number` of backup plans, instead of -tasks jobs over five plans: a fleet for a for_each over plans (ignored with -data)")
	fs.BoolVar(&c.listPlans, "list-plans", false, "print the ids of the generated backup plans, one a line, and exit")

	u.group("Credentials", "Every key the emulator issues (STS, ECS metadata, credentials URIs) is then accepted on every call.")
	fs.StringVar(&c.accessKey, "access-key", "demo-access-key", "AccessKey id the emulator accepts")
	fs.StringVar(&c.secretKey, "secret-key", "demo-secret-key", "AccessKey secret the emulator accepts")
	fs.StringVar(&c.securityToken, "security-token", "", "security token the key requires, making it a temporary (STS) key")
	fs.Var(&c.roles, "role",
		"a RAM role `ARN[,option=value...]` that AssumeRole, signed by any key the emulator accepts, lets callers assume; repeatable. Options: external-id=ID (AssumeRole must send it), max-session-duration=D (1h to 12h, default 1h), key-lifetime=D (issued keys live D whatever was asked, to make a client refresh), oidc-provider=ARN and oidc-token-file=FILE (AssumeRoleWithOIDC assumes it with exactly the token the file holds when the emulator starts)")
	fs.StringVar(&c.instanceRole, "instance-role", "",
		"RAM role `name` attached to the emulated ECS instance: http://100.100.100.200/latest/meta-data/... serves its keys to callers holding a metadata token (IMDSv2). Clients reach that address through the emulator: set HTTP_PROXY to its URL")
	fs.Var(&c.credentialsURIs, "credentials-uri",
		"serve a fresh temporary key, living an hour, at <URL>/credentials-uri/`name`, the form ALIBABA_CLOUD_CREDENTIALS_URI reads; repeatable")

	fs.Var(&c.cloudSSOTokens, "cloud-sso-token",
		"the CloudSSO portal (a profile's cloud_sso_sign_in_url, set to the emulator's URL) gives temporary keys for the access `TOKEN,account=ID,access-configuration=ID[,key-lifetime=D]` to a user holding the token (a profile's access_token); repeatable, and a token given again gains that access too. Keys live key-lifetime, default 1h")

	u.group("Faults", faultsHeader)
	fs.DurationVar(&c.latency, "latency", 0, "`delay` before each signed API request (DescribeRestoreTaskList, AssumeRole) is answered")
	fs.Float64Var(&c.qps, "qps", 0, "the gateway's flow control: DescribeRestoreTaskList calls a `second`, one second's worth at once; a call beyond is refused with Throttling.User (HTTP 400), as the real gateway does")
	picks := c.faults.PicksByName()
	for _, ff := range faultFlags {
		p := picks[ff.field]
		if p == nil {
			panic("emulator.Faults has no Pick " + ff.field)
		}
		fs.Var(pickFlag{p}, ff.name, "on the `requests` given, "+ff.usage)
	}
	fs.IntVar(&c.faults.ForeignStatus, "foreign-status", 200, "HTTP `status` -foreign answers with (200 to 599)")
	fs.StringVar(&c.faults.ForeignContentType, "foreign-content-type", "text/html", "Content-Type `type` -foreign answers with; empty sends none")
	fs.StringVar(&c.faults.ForeignBody, "foreign-body", "<html><head><title>Sign in to the network</title></head></html>", "`body` -foreign answers")
	fs.IntVar(&c.faults.RedirectStatus, "redirect-status", 307, "HTTP `status` -redirect answers with (300 to 399)")
	fs.StringVar(&c.faults.RedirectTo, "redirect-to", "", "the `URL` -redirect sends clients to (its Location); required with -redirect")
	c.faults.ThrottleCode = emulator.CodeThrottlingUser
	fs.Var(oneOf{&c.faults.ThrottleCode, []string{"Throttling", emulator.CodeThrottlingUser, "Throttling.Api"}}, "throttle-code",
		"`code` -throttle answers: Throttling, Throttling.User or Throttling.Api")
	fs.IntVar(&c.faults.ThrottleStatus, "throttle-status", 400, "HTTP `status` -throttle answers with (400 to 599)")
	fs.StringVar(&c.faults.RetryAfter, "throttle-retry-after", "", "Retry-After header `value` -throttle sends, e.g. 2 (seconds)")
	c.faults.ServerErrorCode = emulator.CodeServiceUnavailable
	fs.Var(oneOf{&c.faults.ServerErrorCode, []string{emulator.CodeServiceUnavailable, emulator.CodeInternalError}}, "server-error-code",
		"`code` -server-error answers: ServiceUnavailable (HTTP 503) or InternalError (HTTP 500)")
	fs.StringVar(&c.faults.ErrCode, "dbs-error-code", "InternalError", "ErrCode -dbs-error answers")
	fs.StringVar(&c.faults.ErrMessage, "dbs-error-message", "The request processing has failed due to some unknown error.",
		"ErrMessage -dbs-error answers")
	fs.IntVar(&c.faults.DBSErrStatus, "dbs-error-status", 200, "HTTP `status` -dbs-error answers with (200 to 599)")
	fs.StringVar(&c.faults.WrongTypeField, "wrong-type-field", "RestoreTaskCreateTime",
		"`field` -wrong-type replaces: an envelope member (TotalElements, PageNum, Items, ...) or a field of the page's first restore job")
	fs.Var(jsonValue{&c.faults.WrongTypeValue}, "wrong-type-value",
		"`JSON` -wrong-type serves (default: an array in place of a string, else the string \"wrong type\")")
	fs.BoolVar(&c.faults.OmitEmptyItems, "omit-empty-items", false, "leave Items out of a page with no items, which the API reference allows")

	return u
}

// errUsage is a command line error whose message parseFlags has written already.
var errUsage = errors.New("usage")

// check refuses what the flags cannot each refuse alone.
func (c *config) check(fs *flag.FlagSet) error {
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q: every setting is a flag", fs.Args())
	}
	if err := checkLoopback(c.addr, c.allowRemote); err != nil {
		return err
	}
	if c.tasks < 0 {
		return fmt.Errorf("-tasks %d: the number of restore jobs cannot be negative", c.tasks)
	}
	if c.plans < 0 {
		return fmt.Errorf("-plans %d: the number of backup plans cannot be negative", c.plans)
	}
	if c.qps < 0 || math.IsNaN(c.qps) || math.IsInf(c.qps, 0) {
		return fmt.Errorf("-qps %v: calls a second are a number, 0 or more", c.qps)
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	for _, name := range slices.Sorted(maps.Keys(faultOptions)) {
		if set[name] && !set[faultOptions[name]] {
			return fmt.Errorf("-%s shapes the -%s fault, which is not set: add -%s with the requests it hits", name, faultOptions[name], faultOptions[name])
		}
	}
	if s := c.faults.ForeignStatus; s < 200 || s > 599 {
		return fmt.Errorf("-foreign-status %d: a status is 200 to 599", s)
	}
	if s := c.faults.RedirectStatus; s < 300 || s > 399 {
		return fmt.Errorf("-redirect-status %d: a redirect's status is 300 to 399", s)
	}
	if set["redirect"] && c.faults.RedirectTo == "" {
		return errors.New("-redirect needs -redirect-to, the URL it sends clients to")
	}
	if s := c.faults.ThrottleStatus; s < 400 || s > 599 {
		return fmt.Errorf("-throttle-status %d: a refusal's status is 400 to 599", s)
	}
	if s := c.faults.DBSErrStatus; s < 200 || s > 599 {
		return fmt.Errorf("-dbs-error-status %d: a status is 200 to 599", s)
	}
	return nil
}

// usage prints the flags by group, in the order they were defined, instead of flag's one sorted list.
type usage struct {
	fs     *flag.FlagSet
	groups []flagGroup
}

type flagGroup struct {
	title, text string
	before      map[string]bool // the flags defined before the group began
}

// group begins a group: the flags defined from now on, until the next group, belong to it.
func (u *usage) group(title, text string) {
	before := map[string]bool{}
	u.fs.VisitAll(func(f *flag.Flag) { before[f.Name] = true })
	u.groups = append(u.groups, flagGroup{title, text, before})
}

func (u *usage) print() {
	w := u.fs.Output()
	fmt.Fprint(w, usageHeader)
	for i, g := range u.groups {
		fmt.Fprintf(w, "\n%s:\n", g.title)
		if g.text != "" {
			fmt.Fprintf(w, "%s\n\n", strings.Join(wrap(g.text, usageWidth+6), "\n"))
		}
		u.fs.VisitAll(func(f *flag.Flag) {
			if g.before[f.Name] || i+1 < len(u.groups) && !u.groups[i+1].before[f.Name] {
				return // another group's
			}
			// The same layout as flag.PrintDefaults; within a group, flag's sorted order.
			name, text := flag.UnquoteUsage(f)
			fmt.Fprintf(w, "  -%s", f.Name)
			if name != "" {
				fmt.Fprintf(w, " %s", name)
			}
			switch def := f.DefValue; {
			case def == "" || def == "0" || def == "0s" || def == "false":
			case strings.Contains(def, " "):
				text += fmt.Sprintf(" (default %q)", def)
			default:
				text += fmt.Sprintf(" (default %s)", def)
			}
			fmt.Fprintf(w, "\n    \t%s\n", strings.Join(wrap(text, usageWidth), "\n    \t"))
		})
	}
}

// usageWidth is where a flag's description is wrapped, after its indent.
const usageWidth = 96

// wrap breaks text into lines of at most width bytes at spaces (a longer word gets a line of its own).
func wrap(text string, width int) []string {
	var lines []string
	line := ""
	for _, word := range strings.Fields(text) {
		if line != "" && len(line)+1+len(word) > width {
			lines = append(lines, line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += word
	}
	return append(lines, line)
}

// pickFlag sets the requests a fault hits.
type pickFlag struct{ p *emulator.Pick }

func (f pickFlag) String() string {
	if f.p == nil || *f.p == (emulator.Pick{}) {
		return ""
	}
	var parts []string
	if f.p.Every > 0 {
		parts = append(parts, "every="+strconv.Itoa(f.p.Every))
	}
	if f.p.First > 0 {
		parts = append(parts, "first="+strconv.Itoa(f.p.First))
	}
	if f.p.Fraction > 0 {
		parts = append(parts, "fraction="+strconv.FormatFloat(f.p.Fraction, 'g', -1, 64), "seed="+strconv.FormatInt(f.p.Seed, 10))
	}
	return strings.Join(parts, ",")
}

func (f pickFlag) Set(s string) error {
	p, err := parsePick(s)
	if err != nil {
		return err
	}
	*f.p = p
	return nil
}

// parsePick reads "all" or comma-separated every=N, first=N, fraction=F and seed=S.
func parsePick(s string) (emulator.Pick, error) {
	if s == "all" {
		return emulator.Always, nil
	}
	var p emulator.Pick
	seen := map[string]bool{}
	for _, part := range strings.Split(s, ",") {
		key, value, ok := strings.Cut(part, "=")
		if !ok {
			return p, fmt.Errorf("%q is not all, nor every=N, first=N, fraction=F or seed=S", part)
		}
		if seen[key] {
			return p, fmt.Errorf("%s is given twice", key)
		}
		seen[key] = true
		var err error
		switch key {
		case "every", "first":
			var n int
			if n, err = strconv.Atoi(value); err != nil || n < 1 {
				return p, fmt.Errorf("%s=%s: want a whole number of at least 1", key, value)
			}
			if key == "every" {
				p.Every = n
			} else {
				p.First = n
			}
		case "fraction":
			if p.Fraction, err = strconv.ParseFloat(value, 64); err != nil || !(p.Fraction > 0 && p.Fraction <= 1) {
				return p, fmt.Errorf("fraction=%s: want a number above 0 and at most 1", value)
			}
		case "seed":
			if p.Seed, err = strconv.ParseInt(value, 10, 64); err != nil {
				return p, fmt.Errorf("seed=%s: want a whole number", value)
			}
		default:
			return p, fmt.Errorf("%q is not all, nor every=N, first=N, fraction=F or seed=S", part)
		}
	}
	if seen["seed"] && !seen["fraction"] {
		return p, fmt.Errorf("seed= only repeats the draw of fraction=, which is not given")
	}
	return p, nil
}

// oneOf is a string flag that takes one of a few values.
type oneOf struct {
	s       *string
	allowed []string
}

func (f oneOf) String() string {
	if f.s == nil {
		return ""
	}
	return *f.s
}

func (f oneOf) Set(s string) error {
	if !slices.Contains(f.allowed, s) {
		return fmt.Errorf("want one of %s", strings.Join(f.allowed, ", "))
	}
	*f.s = s
	return nil
}

// jsonValue is a flag holding one JSON value.
type jsonValue struct{ v *json.RawMessage }

func (f jsonValue) String() string {
	if f.v == nil {
		return ""
	}
	return string(*f.v)
}

func (f jsonValue) Set(s string) error {
	if !json.Valid([]byte(s)) {
		return fmt.Errorf("not a JSON value (a string needs its quotes: '\"text\"')")
	}
	*f.v = json.RawMessage(s)
	return nil
}

// nameList is a repeatable flag of names that are each one URL path segment.
type nameList []string

func (l *nameList) String() string { return strings.Join(*l, ",") }

func (l *nameList) Set(s string) error {
	if s == "" || url.PathEscape(s) != s {
		return fmt.Errorf("want a name that is one URL path segment, such as ci or build-42")
	}
	if slices.Contains(*l, s) {
		return fmt.Errorf("%s is given twice", s)
	}
	*l = append(*l, s)
	return nil
}

// eachOption calls set with the key and value of each comma-separated option=value of s, in order. It
// refuses an option without a value or given twice, naming it as what ("role option", "option").
func eachOption(s, what string, set func(key, value string) error) error {
	seen := map[string]bool{}
	for _, opt := range strings.Split(s, ",") {
		key, value, ok := strings.Cut(opt, "=")
		if !ok || value == "" {
			return fmt.Errorf("%s %q is not option=value", what, opt)
		}
		if seen[key] {
			return fmt.Errorf("%s %s is given twice", what, key)
		}
		seen[key] = true
		if err := set(key, value); err != nil {
			return err
		}
	}
	return nil
}

// roleList is the repeatable -role flag.
type roleList []roleSpec

type roleSpec struct {
	arn  string
	role emulator.Role
}

func (l *roleList) String() string {
	arns := make([]string, len(*l))
	for i, r := range *l {
		arns[i] = r.arn
	}
	return strings.Join(arns, " ")
}

// setOption sets one option=value of a -role flag.
func (spec *roleSpec) setOption(key, value string) error {
	switch key {
	case "external-id":
		spec.role.ExternalID = value
	case "max-session-duration":
		d, err := time.ParseDuration(value)
		if err != nil || d < time.Hour || d > 12*time.Hour {
			return fmt.Errorf("max-session-duration=%s: want a duration from 1h to 12h, as RAM allows", value)
		}
		spec.role.MaxSessionDuration = d
	case "key-lifetime":
		d, err := time.ParseDuration(value)
		if err != nil || d <= 0 {
			return fmt.Errorf("key-lifetime=%s: want a positive duration such as 5m", value)
		}
		spec.role.Lifetime = d
	case "oidc-provider":
		spec.role.OIDCProviderArn = value
	case "oidc-token-file":
		data, err := os.ReadFile(value)
		if err != nil {
			return fmt.Errorf("oidc-token-file: %w", err)
		}
		if spec.role.OIDCToken = strings.TrimSpace(string(data)); spec.role.OIDCToken == "" {
			return fmt.Errorf("oidc-token-file %s is empty", value)
		}
	default:
		return fmt.Errorf("unknown role option %q (external-id, max-session-duration, key-lifetime, oidc-provider, oidc-token-file)", key)
	}
	return nil
}

func (l *roleList) Set(s string) error {
	arn, rest, _ := strings.Cut(s, ",")
	if !emulator.ValidRoleARN(arn) {
		return fmt.Errorf("%q is not a role ARN of the form acs:ram::<account>:role/<name>", arn)
	}
	for _, r := range *l {
		if r.arn == arn {
			return fmt.Errorf("the role %s is given twice", arn)
		}
	}
	spec := roleSpec{arn: arn}
	if rest != "" {
		if err := eachOption(rest, "role option", spec.setOption); err != nil {
			return err
		}
	}
	// oidc-token-file leaves OIDCToken empty only when it is not given.
	if (spec.role.OIDCProviderArn == "") != (spec.role.OIDCToken == "") {
		return fmt.Errorf("oidc-provider and oidc-token-file go together: AssumeRoleWithOIDC needs the provider and its token")
	}
	*l = append(*l, spec)
	return nil
}

// cloudSSOList is the repeatable -cloud-sso-token flag: what each CloudSSO access token may sign in to.
type cloudSSOList []cloudSSOToken

type cloudSSOToken struct {
	token    string
	lifetime time.Duration
	access   []emulator.CloudSSOAccess
}

// String shows no token: flag prints it as the default, and a token is a credential.
func (l *cloudSSOList) String() string { return "" }

func (l *cloudSSOList) Set(s string) error {
	token, rest, _ := strings.Cut(s, ",")
	if token == "" || strings.Contains(token, "=") {
		return fmt.Errorf("want TOKEN,account=ID,access-configuration=ID, starting with the access token")
	}
	var access emulator.CloudSSOAccess
	var lifetime time.Duration
	err := eachOption(rest, "option", func(key, value string) error {
		switch key {
		case "account":
			access.AccountID = value
		case "access-configuration":
			access.AccessConfigurationID = value
		case "key-lifetime":
			d, err := time.ParseDuration(value)
			if err != nil || d <= 0 {
				return fmt.Errorf("key-lifetime=%s: want a positive duration such as 5m", value)
			}
			lifetime = d
		default:
			return fmt.Errorf("unknown option %q (account, access-configuration, key-lifetime)", key)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if access.AccountID == "" || access.AccessConfigurationID == "" {
		return fmt.Errorf("account= and access-configuration= are both needed: the portal signs in to an access configuration of an account")
	}
	for i := range *l {
		if t := &(*l)[i]; t.token == token {
			if lifetime != 0 && t.lifetime != 0 && lifetime != t.lifetime {
				return fmt.Errorf("the token is given twice with different key-lifetimes")
			}
			t.lifetime = max(t.lifetime, lifetime)
			t.access = append(t.access, access)
			return nil
		}
	}
	*l = append(*l, cloudSSOToken{token: token, lifetime: lifetime, access: []emulator.CloudSSOAccess{access}})
	return nil
}
