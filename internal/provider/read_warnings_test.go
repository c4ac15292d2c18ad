package provider

import (
	"fmt"
	"strings"
	"testing"

	"github.com/seed-00b4a2d9/terraform-provider-alicloud/internal/dbs"
)

// A warning lists at most maxListed ids or statuses, and says how many it left out.
func TestReadWarnings_listAtMostMaxListed(t *testing.T) {
	var ids []string
	var tasks []dbs.RestoreTask
	for i := range maxListed + 5 {
		ids = append(ids, fmt.Sprintf("id-%02d", i))
		for range i + 1 { // status s-i is seen i+1 times: the most frequent is listed first
			tasks = append(tasks, dbs.RestoreTask{RestoreStatus: dbs.String{Value: fmt.Sprintf("s-%02d", i), Valid: true}})
		}
	}
	got := listed(ids)
	if !strings.HasPrefix(got, `"id-00", "id-01", `) || !strings.HasSuffix(got, `"id-19" and 5 more`) || strings.Contains(got, "id-20") {
		t.Errorf("listed = %s", got)
	}
	got = statusesSeen(tasks)
	if !strings.HasPrefix(got, `The statuses read were "s-24" (25), "s-23" (24), `) || !strings.HasSuffix(got, `"s-05" (6) and 5 more`) || strings.Contains(got, `"s-04"`) {
		t.Errorf("statusesSeen = %s", got)
	}
	if got := listed([]string{"a"}); got != `"a"` {
		t.Errorf("listed of one = %s", got)
	}
}
