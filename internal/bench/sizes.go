// Package bench holds what the benchmarks that compare this provider with the straightforward way of
// building it share, and the two small commands `make bench` uses (baseline, rusage).
package bench

import (
	"os"
	"strconv"
	"strings"
)

// Sizes are the listing sizes to benchmark: BENCH_TASKS (e.g. "1000 10000 50000"), else 1,000 and 10,000.
func Sizes() []int {
	sizes := []int{1000, 10000}
	if v := os.Getenv("BENCH_TASKS"); v != "" {
		sizes = nil
		for _, f := range strings.FieldsFunc(v, func(r rune) bool { return r == ' ' || r == ',' }) {
			if n, err := strconv.Atoi(f); err == nil && n > 0 {
				sizes = append(sizes, n)
			}
		}
	}
	return sizes
}
