// Command dbs-emulator serves the DBS emulator (internal/emulator) for demos and for testing Terraform
// configurations offline, in a pipeline: a stand-in for Alibaba Cloud's API gateway in front of Database
// Backup Service, STS, the ECS metadata service and credentials URIs, with the restore jobs of a JSON file
// (or generated ones), the keys and roles given on the command line, and faults on request.
//
//	go install github.com/seed-00b4a2d9/terraform-provider-alicloud/cmd/dbs-emulator@latest
//	dbs-emulator -data restore-jobs.json            # prints http://127.0.0.1:PORT, serves until SIGINT/SIGTERM
//	dbs-emulator -h                                 # every flag, by group
//
// The first line of standard output is the base URL, printed once the emulator accepts connections; a
// pipeline waits for it, then points the provider there (ALIBABA_CLOUD_ENDPOINT_DBS, and the keys of
// -access-key and -secret-key). When stopped, it writes what it served (emulator.Stats: requests, by
// action and code, refused over the quota) as one line of JSON to standard error. The flags, by group:
//
//   - Serving: -addr (loopback only, unless -allow-non-loopback), -tls-ca-file (HTTPS with a certificate
//     made at start, written with the system's roots to a file for SSL_CERT_FILE), -v.
//   - Restore jobs: -data (a JSON array of RestoreTaskDetail objects, served as written), or -tasks and
//     -seed (generated ones), -plans (that many backup plans of -tasks jobs each, whose ids -list-plans
//     prints).
//   - Credentials: -access-key, -secret-key, -security-token; -role (repeatable; AssumeRole, and
//     AssumeRoleWithOIDC with its oidc-provider and oidc-token-file options), -instance-role (the ECS
//     metadata service, reached with HTTP_PROXY set to the emulator's URL), -credentials-uri and
//     -cloud-sso-token (the CloudSSO portal a profile's cloud_sso_sign_in_url names; both repeatable).
//   - Faults: -latency, -qps (the gateway's quota, refusing with Throttling.User), and one flag per fault of emulator.Faults (-foreign, -redirect, -throttle,
//     -server-error, -dbs-error, -forbidden, -truncate-body, -drop-connection, -shift-list, -absurd-totals,
//     -oversize-page, -repeat-previous-page, -repeat-task, -empty-page, -wrong-type), each taking the
//     requests it hits (every=N, first=N, fraction=F[,seed=S], or all), with options such as -throttle-code.
package main

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
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
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
	case errors.Is(err, errUsage):
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "dbs-emulator:", err)
		os.Exit(1)
	}
}

// run serves what args ask for until ctx ends. The base URL is the first line written to stdout.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	if c.listPlans {
		for _, id := range c.planIDs() {
			fmt.Fprintln(stdout, id)
		}
		return nil
	}
	srv, err := c.server(stderr)
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: withMetadataProxy(srv), ReadHeaderTimeout: 10 * time.Second}
	scheme := "http"
	if c.caFile != "" {
		host, _, _ := net.SplitHostPort(c.addr)
		var names []string
		if host != "" && host != "localhost" && net.ParseIP(host) == nil {
			names = append(names, host)
		}
		cert, err := emulator.NewCertificate(names...)
		if err != nil {
			return err
		}
		// Public, so 0644: whoever runs the client may be another user.
		if err := os.WriteFile(c.caFile, cert.TrustBundle(), 0o644); err != nil { //nolint:gosec // a CA certificate is public
			return fmt.Errorf("-tls-ca-file: %w", err)
		}
		hs.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert.TLS}, MinVersion: tls.VersionTLS12}
		scheme = "https"
	}

	ln, err := new(net.ListenConfig).Listen(ctx, "tcp", c.addr)
	if err != nil {
		return err
	}
	errc := make(chan error, 1)
	go func() {
		if scheme == "https" {
			errc <- hs.ServeTLS(ln, "", "")
		} else {
			errc <- hs.Serve(ln)
		}
	}()
	// The listener queues connections from here on, so the URL is good as soon as it is read.
	fmt.Fprintf(stdout, "%s://%s\n", scheme, ln.Addr())

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
	return json.NewEncoder(stderr).Encode(srv.Stats())
}

// server builds the emulator the configuration describes.
func (c *config) server(stderr io.Writer) (*emulator.Server, error) {
	var tasks []emulator.Task
	switch {
	case c.data != "":
		var err error
		if tasks, err = emulator.LoadTasksFile(c.data); err != nil {
			return nil, fmt.Errorf("-data: %w", err)
		}
	case c.plans > 0:
		tasks, _ = emulator.GeneratePlans(c.plans, c.tasks, c.seed)
	default:
		tasks = emulator.Generate(c.tasks, c.seed)
	}
	opts := emulator.Options{
		Keys:  map[string]emulator.Key{c.accessKey: {Secret: c.secretKey, SecurityToken: c.securityToken}},
		Tasks: tasks,
		Quota: emulator.Quota{PerSecond: c.qps},
	}
	if c.verbose {
		opts.Logf = log.New(stderr, "", log.LstdFlags|log.Lmicroseconds).Printf
	}
	srv := emulator.New(opts)
	for _, r := range c.roles {
		srv.AddRole(r.arn, r.role)
	}
	srv.SetInstanceRole(c.instanceRole)
	for _, name := range c.credentialsURIs {
		srv.AddCredentialsURI(name, time.Hour)
	}
	for _, t := range c.cloudSSOTokens {
		srv.AddCloudSSOToken(t.token, t.lifetime, t.access...)
	}
	srv.SetLatency(c.latency)
	srv.SetFaults(c.faults)
	return srv, nil
}

// planIDs are the ids of the backup plans the generated restore jobs are in.
func (c *config) planIDs() []string {
	if c.plans > 0 {
		_, ids := emulator.GeneratePlans(c.plans, 0, c.seed)
		return ids
	}
	return emulator.PlanIDs(c.seed)
}

// withMetadataProxy makes the emulator the HTTP proxy of its own ECS metadata service: clients cannot be
// pointed at another metadata address than 100.100.100.200, but they honour HTTP_PROXY, and a proxy
// request (an absolute URL, or CONNECT) for that host is answered by the emulator. Proxy requests for any
// other host are refused (502), so that nothing else leaves through it.
func withMetadataProxy(srv *emulator.Server) http.Handler {
	proxy := &emulator.MetadataProxy{}
	proxy.SetTarget(srv)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.IsAbs() || r.Method == http.MethodConnect {
			proxy.ServeHTTP(w, r)
			return
		}
		srv.ServeHTTP(w, r)
	})
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
