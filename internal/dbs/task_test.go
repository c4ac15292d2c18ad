package dbs

import (
	"encoding/json"
	"testing"
)

// unquote's fast path must agree with encoding/json on every input, escapes and invalid UTF-8 included.
func FuzzUnquote(f *testing.F) {
	for _, s := range []string{`""`, `"plain"`, `"名前"`, `"a\"b"`, `"tab\tx"`, `"\u00e9"`, `"\ud83d\ude80"`, "\"\xff\"", `"x`, `"\"`, "\"\x01\""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var want string
		wantErr := json.Unmarshal(b, &want)
		got, err := unquote(b)
		if (err != nil) != (wantErr != nil) {
			t.Fatalf("unquote(%q): error %v, encoding/json: %v", b, err, wantErr)
		}
		if err == nil && got != want {
			t.Fatalf("unquote(%q) = %q, encoding/json: %q", b, got, want)
		}
	})
}
