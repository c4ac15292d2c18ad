package provider

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/seed-00b4a2d9/terraform-provider-alicloud/internal/dbs"
)

// The warnings of this file are what a read that succeeded must not keep silent: a read that checked
// nothing, taken by a policy check for "no restore job failed", is worse than no check. They come from the
// read, not from validation, so that Terraform shows each once (it validates a data source twice in a plan).

// minPlausibleMilliseconds is 1973-03-03T09:46:40Z in milliseconds. A timestamp below it (and above 0) is
// more likely in seconds, where it would be the year 5138: a time range in seconds reads nothing.
const minPlausibleMilliseconds = 100_000_000_000

// maxListed bounds how many ids or statuses a warning lists.
const maxListed = 20

// timestampWarnings warns about a start_timestamp or end_timestamp that looks like seconds.
func timestampWarnings(cfg dbsRestoreTasksDataSourceModel) diag.Diagnostics {
	var diags diag.Diagnostics
	for _, bound := range []struct {
		name  string
		value int64
		set   bool
	}{
		{"start_timestamp", cfg.StartTimestamp.ValueInt64(), !cfg.StartTimestamp.IsNull() && !cfg.StartTimestamp.IsUnknown()},
		{"end_timestamp", cfg.EndTimestamp.ValueInt64(), !cfg.EndTimestamp.IsNull() && !cfg.EndTimestamp.IsUnknown()},
	} {
		if !bound.set || bound.value <= 0 || bound.value >= minPlausibleMilliseconds {
			continue
		}
		diags.AddAttributeWarning(path.Root(bound.name), "Timestamp looks like seconds",
			fmt.Sprintf("%s is %d, which as milliseconds is %s. If you meant seconds (%s), write %d: DBS takes UNIX time in milliseconds.",
				bound.name, bound.value, time.UnixMilli(bound.value).UTC().Format(time.RFC3339Nano),
				time.Unix(bound.value, 0).UTC().Format(time.RFC3339), bound.value*1000))
	}
	return diags
}

// listingWarnings warns when what was read and what was kept disagree with what the configuration asked.
func listingWarnings(cfg dbsRestoreTasksDataSourceModel, q dbs.Query, listing *dbs.Listing, f filteredTasks) diag.Diagnostics {
	var diags diag.Diagnostics
	read := len(listing.Tasks)
	switch {
	case read == 0:
	case !cfg.Status.IsNull() && len(f.byStatus) == 0:
		status := cfg.Status.ValueString()
		detail := fmt.Sprintf("status = %q kept none of the %s read. %s. Statuses are compared exactly, "+
			"as the API writes them (lower-case, e.g. \"running\", \"stop\"), and the set is open.",
			status, plural(read, "restore job"), statusesSeen(listing.Tasks))
		if similar := similarStatus(listing.Tasks, status); similar != "" {
			detail += fmt.Sprintf(" Did you mean %q?", similar)
		}
		diags.AddAttributeWarning(path.Root("status"), "No restore job has this status", detail)
	case !cfg.NameRegex.IsNull() && len(f.kept) == 0:
		diags.AddAttributeWarning(path.Root("name_regex"), "No restore job name matches name_regex",
			fmt.Sprintf("name_regex = %q matched the name of none of the %s read%s. It is an RE2 expression matched anywhere in "+
				"restore_task_name, case-sensitively (add (?i) to ignore case, ^ and $ to anchor it); jobs without a name never match.",
				cfg.NameRegex.ValueString(), plural(len(f.byStatus), "restore job"), afterStatus(cfg)))
	}

	if cfg.PageNumber.IsNull() && len(q.RestoreTaskIDs) > 0 {
		asked := q.AskedIDs()
		if missing := missingIDs(asked, listing.Tasks); len(missing) > 0 {
			diags.AddAttributeWarning(path.Root("ids"), "Restore jobs not found",
				fmt.Sprintf("The API has no restore job with %s of the %s in ids: %s. They are not in tasks.",
					pluralWord(len(missing), "this id", "these ids"), plural(len(asked), "id"), listed(missing)))
		}
	}

	if !cfg.PageNumber.IsNull() && read == 0 {
		page := cfg.PageNumber.ValueInt64()
		size := int64Or(cfg.PageSize, defaultPageSize)
		pages := (listing.TotalElements + size - 1) / size
		if page > 0 && page >= pages {
			last := "so there is no page to read"
			if pages > 0 {
				last = fmt.Sprintf("numbered 0 to %d", pages-1)
			}
			diags.AddAttributeWarning(path.Root("page_number"), "Page past the last page",
				fmt.Sprintf("page_number = %d is past the last page: the API counts %s for this query, which at page_size %d make %s, %s.",
					page, plural64(listing.TotalElements, "restore job"), size, plural64(pages, "page"), last))
		}
	}
	return diags
}

func afterStatus(cfg dbsRestoreTasksDataSourceModel) string {
	if cfg.Status.IsNull() {
		return ""
	}
	return fmt.Sprintf(" with status %q", cfg.Status.ValueString())
}

// statusesSeen describes the statuses of tasks, with their counts, most frequent first.
func statusesSeen(tasks []dbs.RestoreTask) string {
	counts := map[string]int{}
	for i := range tasks {
		s := "(no status)"
		if tasks[i].RestoreStatus.Valid {
			s = fmt.Sprintf("%q", tasks[i].RestoreStatus.Value)
		}
		counts[s]++
	}
	names := make([]string, 0, len(counts))
	for s := range counts {
		names = append(names, s)
	}
	slices.SortFunc(names, func(a, b string) int {
		if counts[a] != counts[b] {
			return counts[b] - counts[a]
		}
		return strings.Compare(a, b)
	})
	return "The statuses read were " + joinAtMost(names, func(s string) string { return fmt.Sprintf("%s (%d)", s, counts[s]) })
}

// similarStatus is a status of tasks that differs from want only in case, if any.
func similarStatus(tasks []dbs.RestoreTask, want string) string {
	for i := range tasks {
		if s := tasks[i].RestoreStatus; s.Valid && s.Value != want && strings.EqualFold(s.Value, want) {
			return s.Value
		}
	}
	return ""
}

// missingIDs are the ids asked for (dbs.Query.AskedIDs), in the order asked, that no task has.
func missingIDs(asked []string, tasks []dbs.RestoreTask) []string {
	found := make(map[string]bool, len(tasks))
	for i := range tasks {
		if tasks[i].RestoreTaskID.Valid {
			found[tasks[i].RestoreTaskID.Value] = true
		}
	}
	var missing []string
	for _, id := range asked {
		if !found[id] {
			missing = append(missing, id)
		}
	}
	return missing
}

// listed quotes values, at most maxListed of them.
func listed(values []string) string {
	return joinAtMost(values, func(v string) string { return fmt.Sprintf("%q", v) })
}

// joinAtMost writes the first maxListed of values, each as format writes it, and how many more there are.
func joinAtMost(values []string, format func(string) string) string {
	parts := make([]string, 0, min(len(values), maxListed))
	for _, v := range values[:min(len(values), maxListed)] {
		parts = append(parts, format(v))
	}
	out := strings.Join(parts, ", ")
	if len(values) > maxListed {
		out += fmt.Sprintf(" and %d more", len(values)-maxListed)
	}
	return out
}

func plural(n int, noun string) string { return plural64(int64(n), noun) }

func plural64(n int64, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func pluralWord(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return fmt.Sprintf("%s (%d)", many, n)
}
