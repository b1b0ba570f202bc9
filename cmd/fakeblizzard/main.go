// Command fakeblizzard runs the fake Battle.net API for local demos and manual testing of pvpsync.
//
//	fakeblizzard --addr 127.0.0.1:8089 --seed 1 --characters 5000 --brackets 3v3,shuffle-mage-frost
//
// On start it prints the environment lines that point pvpsync at it; it stops on SIGINT/SIGTERM.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/pvpsync/pvpsync/fakeblizzard"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "fakeblizzard:", err)
		os.Exit(1)
	}
}

// parseFlags maps the command line onto Options plus the listen address.
func parseFlags(args []string, stderr io.Writer) (string, fakeblizzard.Options, error) {
	var (
		o        fakeblizzard.Options
		brackets string
		private  float64
	)
	fs := flag.NewFlagSet("fakeblizzard", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8089", "listen address (loopback by default)")
	fs.Int64Var(&o.Seed, "seed", 1, "seed of the generated world; same seed, same responses")
	fs.Int64Var(&o.Season, "season", fakeblizzard.DefaultSeason, "current PvP season id")
	fs.IntVar(&o.Characters, "characters", fakeblizzard.DefaultCharacters, "entries on 2v2 and 3v3 (rbg gets a fifth)")
	fs.IntVar(&o.SpecCharacters, "spec-characters", fakeblizzard.DefaultSpecCharacters, "entries on each shuffle/blitz spec board")
	fs.StringVar(&brackets, "brackets", "", "comma-separated brackets to serve (default: all)")
	fs.Float64Var(&private, "private", fakeblizzard.DefaultPrivateFraction, "fraction of characters whose profile answers 404")
	fs.IntVar(&o.RPS, "rps", 0, "requests per second before 429 (0 = unlimited)")
	fs.BoolVar(&o.RetryAfter, "retry-after", false, "send Retry-After: 1 with 429s")
	fs.Float64Var(&o.ServerErrorRate, "server-errors", 0, "fraction of API requests answered 500/502/503/504")
	fs.Float64Var(&o.DropRate, "drops", 0, "fraction of API requests whose connection is dropped")
	fs.Float64Var(&o.SlowRate, "slow", 0, "fraction of API requests delayed by --slow-delay")
	fs.Float64Var(&o.MalformedRate, "malformed", 0, "fraction of profile answers with malformed JSON")
	fs.DurationVar(&o.SlowDelay, "slow-delay", fakeblizzard.DefaultSlowDelay, "delay of a slow answer")
	fs.BoolVar(&o.EmptyBoards, "empty-boards", false, "boards answer with no entries")
	fs.StringVar(&o.FixturesDir, "fixtures", "", "serve captured responses from this directory instead of generated data")
	fs.DurationVar(&o.Latency, "latency", 0, "latency added to every API request")
	fs.StringVar(&o.ClientID, "client-id", fakeblizzard.DefaultClientID, "OAuth client id to accept")
	fs.StringVar(&o.ClientSecret, "client-secret", fakeblizzard.DefaultClientSecret, "OAuth client secret to accept")
	if err := fs.Parse(args); err != nil {
		return "", o, err
	}
	if fs.NArg() > 0 {
		return "", o, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	for _, b := range strings.Split(brackets, ",") {
		if b = strings.TrimSpace(b); b != "" {
			o.Brackets = append(o.Brackets, b)
		}
	}
	// Options reads 0 as "default"; on the command line --private 0 means none.
	o.PrivateFraction = private
	if private == 0 {
		o.PrivateFraction = -1
	}
	return *addr, o, nil
}

// run serves until ctx is done. The env lines are printed once the port is bound, so a script can
// wait for them.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	addr, opts, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	srv, err := fakeblizzard.New(opts)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	base := "http://" + ln.Addr().String()
	fmt.Fprintf(stdout, "BLIZZARD_API_URL=%s\nBLIZZARD_OAUTH_URL=%s/token\nBLIZZARD_CLIENT_ID=%s\nBLIZZARD_CLIENT_SECRET=%s\n",
		base, base, srv.ClientID(), srv.ClientSecret())
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second, ErrorLog: log.New(io.Discard, "", 0)}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	// Slow answers may be sleeping for a long time; do not wait for them.
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdownCtx); err != nil {
		_ = hs.Close()
	}
	return nil
}
