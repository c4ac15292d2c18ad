package bench

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/seed-00b4a2d9/terraform-provider-alicloud/internal/dbs"
	"github.com/seed-00b4a2d9/terraform-provider-alicloud/internal/emulator"
)

type staticCredentials dbs.Credentials

func (c staticCredentials) Credentials(context.Context) (dbs.Credentials, error) {
	return dbs.Credentials(c), nil
}

// BenchmarkFetch reads every page of a listing from the emulator answering each request after 30 ms,
// one request at a time (the serial pager other providers use) and with the default concurrency, and
// reports both times, their ratio and the requests made. Each sub-benchmark runs both in the same
// iteration, so the ratio is measured side by side.
func BenchmarkFetch(b *testing.B) {
	for _, n := range Sizes() {
		b.Run(fmt.Sprintf("tasks=%d/latency=30ms", n), func(b *testing.B) {
			srv := emulator.New(emulator.Options{
				Keys:  map[string]emulator.Key{"bench-key": {Secret: "bench-secret"}},
				Tasks: emulator.Generate(n, 1),
			})
			srv.SetLatency(30 * time.Millisecond)
			url := srv.Start()
			defer srv.Close()
			client := func(concurrency int) *dbs.Client {
				c, err := dbs.NewClient(dbs.Config{
					Endpoint:              url,
					Credentials:           staticCredentials{AccessKeyID: "bench-key", AccessKeySecret: "bench-secret"},
					MaxConcurrentRequests: concurrency,
				})
				if err != nil {
					b.Fatal(err)
				}
				return c
			}
			serial, concurrent := client(1), client(0)
			ctx := context.Background()
			var serialTime, concurrentTime time.Duration
			var requests, maxInFlight int
			reads := 0
			for b.Loop() {
				// A ClientToken of its own for each read: the same query again would share a listing.
				reads++
				q := dbs.Query{ClientToken: strconv.Itoa(reads)}
				start := time.Now()
				ls, err := serial.ListRestoreTasks(ctx, q)
				if err != nil {
					b.Fatal(err)
				}
				serialTime += time.Since(start)

				srv.Reset()
				start = time.Now()
				lc, err := concurrent.ListRestoreTasks(ctx, q)
				if err != nil {
					b.Fatal(err)
				}
				concurrentTime += time.Since(start)
				if len(ls.Tasks) != n || len(lc.Tasks) != n {
					b.Fatalf("read %d and %d tasks, want %d", len(ls.Tasks), len(lc.Tasks), n)
				}
				requests = lc.Requests
				maxInFlight = srv.Stats().MaxInFlight
			}
			pages := (n + 99) / 100
			if requests != pages {
				b.Fatalf("%d requests for %d pages", requests, pages)
			}
			b.ReportMetric(float64(serialTime.Milliseconds())/float64(b.N), "serial-ms")
			b.ReportMetric(float64(concurrentTime.Milliseconds())/float64(b.N), "concurrent-ms")
			b.ReportMetric(float64(concurrentTime)/float64(serialTime), "concurrent/serial")
			b.ReportMetric(float64(requests), "requests")
			b.ReportMetric(float64(maxInFlight), "max-in-flight")
		})
	}
}
