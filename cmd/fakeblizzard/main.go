// Command fakeblizzard runs the fake Battle.net API for local demos and manual testing of pvpsync.
//
//	fakeblizzard --addr 127.0.0.1:8089 --seed 1 --characters 5000 --brackets 3v3,shuffle-mage-frost
//	fakeblizzard --clients c1:s1,c2:s2 --credentials-file /tmp/creds --rph 36000 --quota-window 60s
//	fakeblizzard --active 0.3 --cycle 30s   # a living world: characters play and regear every 30 s
//
// On start it prints the environment lines that point pvpsync at it (BLIZZARD_API_URL,
// BLIZZARD_OAUTH_URL, then BLIZZARD_CLIENT_ID/BLIZZARD_CLIENT_SECRET, or BLIZZARD_CREDENTIALS when a
// credentials file was written); it stops on SIGINT/SIGTERM. Besides the API it answers GET /stats,
// POST /stats/reset, POST /advance (one cycle of the world now) and GET /truth/{region}/{realm}/{name}.
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
	"path/filepath"
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

// config is the command line: the listen address, the server's options and where to write a
// credentials file for pvpsync ("" = none).
type config struct {
	addr            string
	opts            fakeblizzard.Options
	credentialsFile string
}

// parseFlags maps the command line onto Options plus the listen address.
func parseFlags(args []string, stderr io.Writer) (string, fakeblizzard.Options, error) {
	cfg, err := parseConfig(args, stderr)
	return cfg.addr, cfg.opts, err
}

func parseConfig(args []string, stderr io.Writer) (config, error) {
	var (
		cfg      config
		brackets string
		clients  string
		private  float64
	)
	o := &cfg.opts
	fs := flag.NewFlagSet("fakeblizzard", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `Usage: fakeblizzard [flags]

Serves a fake Battle.net API (OAuth, PvP seasons and boards, character profile, equipment and
specializations) from a world generated from --seed, and prints the BLIZZARD_* lines for pvpsync.
Test endpoints: GET /stats, POST /stats/reset, POST /advance, GET /truth/{region}/{realm}/{name}.

Flags:
`)
		fs.PrintDefaults()
	}
	fs.StringVar(&cfg.addr, "addr", "127.0.0.1:8089", "listen address (loopback by default)")
	fs.Int64Var(&o.Seed, "seed", 1, "seed of the generated world; same seed, same responses")
	fs.Int64Var(&o.Season, "season", fakeblizzard.DefaultSeason, "current PvP season id")
	fs.IntVar(&o.Characters, "characters", fakeblizzard.DefaultCharacters, "entries on 2v2 and 3v3 (rbg gets a fifth)")
	fs.IntVar(&o.SpecCharacters, "spec-characters", fakeblizzard.DefaultSpecCharacters, "entries on each shuffle/blitz spec board")
	fs.StringVar(&brackets, "brackets", "", "comma-separated brackets to serve (default: all)")
	fs.Float64Var(&private, "private", fakeblizzard.DefaultPrivateFraction, "fraction of characters whose profile answers 404")
	fs.IntVar(&o.RPS, "rps", 0, "requests per second per client before 429 (0 = unlimited)")
	fs.IntVar(&o.RPH, "rph", 0, "requests per hour per client, over a sliding --quota-window (0 = unlimited)")
	fs.DurationVar(&o.QuotaWindow, "quota-window", 0, "sliding window of --rph: rph*window/1h requests allowed in any window (0 = 1h)")
	fs.BoolVar(&o.RetryAfter, "retry-after", false, "send Retry-After with 429s")
	fs.Float64Var(&o.ServerErrorRate, "server-errors", 0, "fraction of API requests answered 500/502/503/504")
	fs.Float64Var(&o.DropRate, "drops", 0, "fraction of API requests whose connection is dropped")
	fs.Float64Var(&o.SlowRate, "slow", 0, "fraction of API requests delayed by --slow-delay")
	fs.Float64Var(&o.MalformedRate, "malformed", 0, "fraction of profile answers with malformed JSON")
	fs.DurationVar(&o.SlowDelay, "slow-delay", fakeblizzard.DefaultSlowDelay, "delay of a slow answer")
	fs.BoolVar(&o.EmptyBoards, "empty-boards", false, "boards answer with no entries")
	fs.StringVar(&o.FixturesDir, "fixtures", "", "serve captured responses from this directory instead of generated data")
	fs.DurationVar(&o.Latency, "latency", 0, "latency added to every API request")
	fs.StringVar(&o.ClientID, "client-id", fakeblizzard.DefaultClientID, "OAuth client id to accept (when --clients is not given)")
	fs.StringVar(&o.ClientSecret, "client-secret", fakeblizzard.DefaultClientSecret, "OAuth client secret to accept (when --clients is not given)")
	fs.StringVar(&clients, "clients", "", "OAuth clients to accept, each with its own quota: id:secret,id2:secret2 (default: --client-id/--client-secret)")
	fs.StringVar(&cfg.credentialsFile, "credentials-file", "", "write the clients to this file for pvpsync (lines \"c1 client_id client_secret\") and print BLIZZARD_CREDENTIALS")
	fs.Float64Var(&o.Active, "active", 0, "fraction of ranked characters that play between two cycles of the world (0 = frozen)")
	fs.DurationVar(&o.Cycle, "cycle", 0, "advance the world every this long (0 = only on POST /advance)")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	for _, b := range strings.Split(brackets, ",") {
		if b = strings.TrimSpace(b); b != "" {
			o.Brackets = append(o.Brackets, b)
		}
	}
	if clients != "" {
		cs, err := parseClients(clients)
		if err != nil {
			return cfg, err
		}
		o.Clients = cs
	}
	// Options reads 0 as "default"; on the command line --private 0 means none.
	o.PrivateFraction = private
	if private == 0 {
		o.PrivateFraction = -1
	}
	return cfg, nil
}

// parseClients reads "id:secret,id2:secret2". Errors never show a secret.
func parseClients(s string) ([]fakeblizzard.Client, error) {
	var out []fakeblizzard.Client
	for i, pair := range strings.Split(s, ",") {
		id, secret, ok := strings.Cut(strings.TrimSpace(pair), ":")
		if !ok || id == "" || secret == "" {
			return nil, fmt.Errorf("--clients: entry %d: want id:secret", i+1)
		}
		out = append(out, fakeblizzard.Client{ID: id, Secret: secret})
	}
	return out, nil
}

// writeCredentials writes the clients in pvpsync's credentials format, named c1, c2, ..., serving
// every region. The file holds secrets, hence 0600.
func writeCredentials(path, apiURL string, clients []fakeblizzard.Client) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# Credentials of the fake Battle.net server at %s: name client_id client_secret [regions]\n", apiURL)
	for i, c := range clients {
		fmt.Fprintf(&b, "c%d %s %s\n", i+1, c.ID, c.Secret)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		return fmt.Errorf("write credentials file: %w", err)
	}
	return nil
}

// run serves until ctx is done. The env lines are printed once the port is bound, so a script can
// wait for them.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseConfig(args, stderr)
	if err != nil {
		return err
	}
	srv, err := fakeblizzard.New(cfg.opts)
	if err != nil {
		return err
	}
	defer srv.Close() // stops the world's clock
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.addr, err)
	}
	base := "http://" + ln.Addr().String()
	fmt.Fprintf(stdout, "BLIZZARD_API_URL=%s\nBLIZZARD_OAUTH_URL=%s/token\n", base, base)
	if cfg.credentialsFile != "" {
		path, err := filepath.Abs(cfg.credentialsFile)
		if err == nil {
			err = writeCredentials(path, base, srv.Clients())
		}
		if err != nil {
			_ = ln.Close()
			return err
		}
		fmt.Fprintf(stdout, "BLIZZARD_CREDENTIALS=%s\n", path)
	} else {
		fmt.Fprintf(stdout, "BLIZZARD_CLIENT_ID=%s\nBLIZZARD_CLIENT_SECRET=%s\n", srv.ClientID(), srv.ClientSecret())
	}
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
