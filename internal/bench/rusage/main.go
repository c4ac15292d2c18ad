// Command rusage runs a program and appends the CPU time and peak memory it used to a file, so that
// `make bench` can measure a provider process that Terraform starts (Terraform starts it, not us).
//
//	rusage -o FILE -- PROGRAM [ARGS...]
//
// It appends one line per run: "user_ms sys_ms maxrss_kib". Standard streams pass through untouched,
// which the plugin handshake on stdout needs.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
)

func main() {
	out := flag.String("o", "", "file to append the usage line to")
	flag.Parse()
	if *out == "" || flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: rusage -o FILE -- PROGRAM [ARGS...]")
		os.Exit(2)
	}
	cmd := exec.CommandContext(context.Background(), flag.Arg(0), flag.Args()[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "rusage:", err)
		os.Exit(1)
	}
	// Terraform stops its plugins with signals; pass them on so the provider ends as it would alone.
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		for s := range sigs {
			_ = cmd.Process.Signal(s)
		}
	}()
	err := cmd.Wait()
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		line := fmt.Sprintf("%d %d %d\n", ru.Utime.Nano()/1e6, ru.Stime.Nano()/1e6, ru.Maxrss)
		if f, ferr := os.OpenFile(*out, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600); ferr == nil {
			_, _ = f.WriteString(line)
			_ = f.Close()
		}
	}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		os.Exit(exit.ExitCode())
	}
}
