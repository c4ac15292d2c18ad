// Command dbs-emulator serves the DBS emulator (internal/emulator) over HTTP for manual runs and demos.
// It prints one line, the base URL, and serves until SIGINT or SIGTERM.
//
//	dbs-emulator [-addr 127.0.0.1:0] [-tasks 250] [-seed 1] [-data tasks.json] [-latency 0]
//	             [-access-key demo-access-key] [-secret-key demo-secret-key] [-security-token ""] [-v]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/seed-00b4a2d9/terraform-provider-alicloud/internal/emulator"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "dbs-emulator:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("dbs-emulator", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:0", "address to listen on; port 0 picks a free one")
	allowRemote := fs.Bool("allow-non-loopback", false, "allow -addr to name a host other than loopback (the emulator accepts demo keys: do not expose it)")
	n := fs.Int("tasks", 250, "number of generated restore tasks (ignored with -data)")
	seed := fs.Int64("seed", 1, "seed of the generated tasks")
	data := fs.String("data", "", "JSON file holding an array of RestoreTaskDetail objects to serve instead of generated tasks")
	accessKey := fs.String("access-key", "demo-access-key", "AccessKey id the emulator accepts")
	secretKey := fs.String("secret-key", "demo-secret-key", "AccessKey secret the emulator accepts")
	token := fs.String("security-token", "", "security token the key requires, making it a temporary (STS) key")
	latency := fs.Duration("latency", 0, "delay added to every request")
	verbose := fs.Bool("v", false, "log one line per request to stderr")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if err := checkLoopback(*addr, *allowRemote); err != nil {
		return err
	}

	tasks := emulator.Generate(*n, *seed)
	if *data != "" {
		var err error
		if tasks, err = emulator.LoadTasksFile(*data); err != nil {
			return err
		}
	}
	opts := emulator.Options{
		Keys:  map[string]emulator.Key{*accessKey: {Secret: *secretKey, SecurityToken: *token}},
		Tasks: tasks,
	}
	if *verbose {
		opts.Logf = log.New(os.Stderr, "", log.LstdFlags|log.Lmicroseconds).Printf
	}
	srv := emulator.New(opts)
	srv.SetLatency(*latency)

	ln, err := new(net.ListenConfig).Listen(context.Background(), "tcp", *addr)
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	fmt.Printf("http://%s\n", ln.Addr())

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdown); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return nil
}

// checkLoopback refuses an address reachable from other machines: the emulator takes well-known demo
// keys, so listening beyond loopback is a decision to make on purpose.
func checkLoopback(addr string, allow bool) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("-addr %q: %w", addr, err)
	}
	if allow || host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("-addr %q is not a loopback address; pass -allow-non-loopback to listen there", addr)
}
