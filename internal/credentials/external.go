package credentials

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/aliyun/credentials-go/credentials/providers"

	"github.com/seed-00b4a2d9/terraform-provider-alicloud/internal/redact"
)

const (
	// externalTimeout bounds one run of a process_command, as credentials-go bounds it.
	externalTimeout = time.Minute
	// maxExternalOutput bounds what is read of the program's output: credentials are a few hundred bytes.
	maxExternalOutput = 1 << 16
)

// externalSource runs a profile's process_command, as the aliyun CLI's External mode does, and signs
// with the credentials the program prints on its standard output:
//
//	{"mode": "StsToken", "access_key_id": "…", "access_key_secret": "…", "sts_token": "…", "expiration": "2006-01-02T15:04:05Z"}
//
// (mode AK without sts_token; expiration optional). Credentials with an expiration are fetched again
// shortly before it; without one they are kept for the provider configuration, as the CLI runs the
// program once per command. It is this package's own rather than credentials-go's External provider
// because that one prints the command and its whole output to standard output when the output is not
// JSON, and a provider's standard output ends up in Terraform's log: a half-written answer holding a
// secret would be logged.
type externalSource struct {
	args    []string
	timeout time.Duration
	secrets []string

	creds   *providers.Credentials
	expires time.Time // zero: no expiration was given
}

func newExternalSource(command string, secrets []string) (*externalSource, error) {
	args, err := splitCommand(command, runtime.GOOS == "windows")
	if err != nil {
		return nil, fmt.Errorf("process_command: %w", err)
	}
	return &externalSource{args: args, timeout: externalTimeout, secrets: secrets}, nil
}

func (e *externalSource) GetProviderName() string { return "external" }

func (e *externalSource) GetCredentials() (*providers.Credentials, error) {
	if e.creds == nil || !e.expires.IsZero() && time.Until(e.expires) <= refreshMargin {
		c, expires, err := e.run()
		if err != nil {
			// The caller names the profile (Source's origin, or the role assumed over it).
			return nil, fmt.Errorf("process_command %q %w", e.args[0], err)
		}
		e.creds, e.expires = c, expires
	}
	c := *e.creds
	return &c, nil
}

// externalOutput is what the program prints; the names are the CLI's profile fields.
type externalOutput struct {
	Mode            string `json:"mode"`
	AccessKeyID     string `json:"access_key_id"`
	AccessKeySecret string `json:"access_key_secret"`
	StsToken        string `json:"sts_token"`
	Expiration      string `json:"expiration"`
}

// run runs the program once. Its standard output is never quoted in an error, whatever it holds; its
// standard error, which says why a program failed, is quoted in part with every known secret removed.
func (e *externalSource) run() (*providers.Credentials, time.Time, error) {
	ctx, cancel := context.WithTimeout(context.Background(), e.timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, e.args[0], e.args[1:]...)
	stdout, stderr := &limitedBuffer{max: maxExternalOutput}, &limitedBuffer{max: maxExternalOutput}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	// A child that keeps the pipes open after the program exits must not hold the provider.
	cmd.WaitDelay = time.Second
	err := cmd.Run()
	switch {
	case ctx.Err() != nil:
		return nil, time.Time{}, fmt.Errorf("did not finish within %s", e.timeout)
	case err != nil:
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return nil, time.Time{}, fmt.Errorf("failed (%s)%s", exit.ProcessState, e.stderrNote(stderr.String()))
		}
		return nil, time.Time{}, fmt.Errorf("cannot be run: %w", err)
	case stdout.overflow:
		return nil, time.Time{}, fmt.Errorf("printed more than %d bytes, which are not credentials", maxExternalOutput)
	}

	var out externalOutput
	if json.Unmarshal(bytes.TrimSpace(stdout.Bytes()), &out) != nil {
		return nil, time.Time{}, fmt.Errorf("printed %d bytes that are not a JSON object of credentials "+
			"({\"mode\": \"AK\" or \"StsToken\", \"access_key_id\", \"access_key_secret\", \"sts_token\", \"expiration\"}); "+
			"what it printed is not shown, as it may hold a secret", stdout.Len())
	}
	e.secrets = append(e.secrets, out.AccessKeyID, out.AccessKeySecret, out.StsToken)
	mode := out.Mode
	if mode == "" {
		mode = "AK"
		if out.StsToken != "" {
			mode = "StsToken"
		}
	}
	var missing []string
	for field, value := range map[string]string{"access_key_id": out.AccessKeyID, "access_key_secret": out.AccessKeySecret} {
		if strings.TrimSpace(value) == "" {
			missing = append(missing, field)
		}
	}
	switch mode {
	case "AK":
	case "StsToken":
		if strings.TrimSpace(out.StsToken) == "" {
			missing = append(missing, "sts_token")
		}
	default:
		return nil, time.Time{}, fmt.Errorf("printed credentials of mode %q; the provider takes mode AK or StsToken from a process_command", out.Mode)
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		return nil, time.Time{}, fmt.Errorf("printed %s credentials without %s", mode, strings.Join(missing, " and "))
	}
	var expires time.Time
	if out.Expiration != "" {
		t, err := time.Parse(time.RFC3339, out.Expiration)
		if err != nil {
			return nil, time.Time{}, fmt.Errorf("printed an expiration %q that is not an RFC 3339 time such as 2006-01-02T15:04:05Z", out.Expiration)
		}
		expires = t
	}
	c := &providers.Credentials{AccessKeyId: out.AccessKeyID, AccessKeySecret: out.AccessKeySecret, ProviderName: e.GetProviderName()}
	if mode == "StsToken" {
		c.SecurityToken = out.StsToken
	}
	return c, expires, nil
}

// stderrNote is the first line of the program's standard error, its secrets removed and cut short, for an error.
func (e *externalSource) stderrNote(stderr string) string {
	line := firstLine([]byte(redact.Credentials(stderr, e.secrets...)))
	if line == "" {
		return ""
	}
	return "; its standard error: " + line
}

// limitedBuffer keeps the first max bytes written to it and notes whether there were more.
type limitedBuffer struct {
	bytes.Buffer
	max      int
	overflow bool
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if room := b.max - b.Len(); len(p) > room {
		b.overflow = true
		b.Buffer.Write(p[:max(room, 0)])
		return len(p), nil
	}
	return b.Buffer.Write(p)
}

// splitCommand splits a process_command into the program and its arguments, without a shell, as the
// aliyun CLI does: white space separates arguments; single quotes keep everything literal; double quotes
// group, and inside them a backslash escapes only " \ $ and `; outside quotes a backslash escapes the next
// character. On Windows a backslash is a path separator, kept as is except for \" inside double quotes.
func splitCommand(command string, windows bool) ([]string, error) {
	var (
		args        []string
		cur         strings.Builder
		inArg       bool // an argument has begun, even an empty quoted one
		quote       rune // 0, '\'' or '"'
		runes       = []rune(strings.TrimSpace(command))
		escapesInDQ = "\"\\$`"
	)
	if windows {
		escapesInDQ = "\""
	}
	for i := 0; i < len(runes); i++ {
		r := runes[i]
		switch {
		case quote == '\'':
			if r == '\'' {
				quote = 0
			} else {
				cur.WriteRune(r)
			}
		case quote == '"':
			switch {
			case r == '"':
				quote = 0
			case r == '\\' && !windows && i+1 < len(runes) && runes[i+1] == '\n':
				i++ // a backslash-newline continues the line
			case r == '\\' && i+1 < len(runes) && strings.ContainsRune(escapesInDQ, runes[i+1]):
				i++
				cur.WriteRune(runes[i])
			default:
				cur.WriteRune(r)
			}
		case r == '\'' || r == '"':
			quote, inArg = r, true
		case r == '\\' && !windows:
			if i+1 == len(runes) {
				return nil, errors.New("it ends in a backslash")
			}
			i++
			if runes[i] != '\n' { // a backslash-newline continues the line
				cur.WriteRune(runes[i])
				inArg = true
			}
		case unicode.IsSpace(r):
			if inArg {
				args = append(args, cur.String())
				cur.Reset()
				inArg = false
			}
		default:
			cur.WriteRune(r)
			inArg = true
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("a %c quote is not closed", quote)
	}
	if inArg {
		args = append(args, cur.String())
	}
	if len(args) == 0 || args[0] == "" {
		return nil, errors.New("it is empty")
	}
	return args, nil
}

// firstLine is the first line of b, at most 200 bytes of it.
func firstLine(b []byte) string {
	s := strings.TrimSpace(string(b))
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}
