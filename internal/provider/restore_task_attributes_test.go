package provider

import (
	"strings"
	"testing"
	"unicode"

	"github.com/seed-00b4a2d9/terraform-provider-alicloud/internal/dbs"
)

// snakeCase turns an API field name into the attribute name users expect: words split at each
// upper-case letter that starts a word, acronyms (ID, SID) kept together.
func snakeCase(name string) string {
	var b strings.Builder
	runes := []rune(name)
	for i, r := range runes {
		if unicode.IsUpper(r) && i > 0 {
			prevLower := unicode.IsLower(runes[i-1])
			nextLower := i+1 < len(runes) && unicode.IsLower(runes[i+1])
			if prevLower || (unicode.IsUpper(runes[i-1]) && nextLower) {
				b.WriteByte('_')
			}
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

func TestRestoreTaskAttributes_namesFollowTheAPI(t *testing.T) {
	t.Parallel()
	if len(restoreTaskAttributes) != 36 || len(dbs.Fields) != 36 {
		t.Fatalf("want the 36 RestoreTaskDetail fields, have %d attributes and %d fields", len(restoreTaskAttributes), len(dbs.Fields))
	}
	seen := map[string]bool{}
	for i, a := range restoreTaskAttributes {
		if want := snakeCase(a.field.Name); a.name != want {
			t.Errorf("attribute %d is %q but carries the API field %s (want %q)", i, a.name, a.field.Name, want)
		}
		if seen[a.name] {
			t.Errorf("attribute %q twice", a.name)
		}
		seen[a.name] = true
		if !strings.HasSuffix(a.description, ".") {
			t.Errorf("attribute %q: the description should be a full sentence", a.name)
		}
	}
}
