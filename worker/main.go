// Command worker runs pvpsync's Temporal workers (workflows, Battle.net requests, processing) and the
// schema migrations.
//
//	worker                 run the workers until SIGINT/SIGTERM
//	worker migrate up      apply pending migrations
//	worker migrate down 1  undo the last migration
//	worker migrate status  list migrations
package main

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
	"go.temporal.io/sdk/client"
	"go.uber.org/zap"

	"github.com/pvpsync/pvpsync/activities"
	"github.com/pvpsync/pvpsync/battlenet"
	"github.com/pvpsync/pvpsync/buildinfo"
	"github.com/pvpsync/pvpsync/config"
	"github.com/pvpsync/pvpsync/schema"
	"github.com/pvpsync/pvpsync/service"
	"github.com/pvpsync/pvpsync/store"
)

func main() {
	root := &cobra.Command{
		Use:           "worker",
		Short:         "Run pvpsync's Temporal workers",
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       buildinfo.String(),
		RunE:          func(cmd *cobra.Command, _ []string) error { return run(cmd.Context()) },
	}
	root.SetVersionTemplate("{{.Version}}\n")
	root.AddCommand(migrateCmd())
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := root.ExecuteContext(ctx); err != nil {
		// One line, whatever the error joined: operators grep for it.
		fmt.Fprintln(os.Stderr, "worker:", strings.ReplaceAll(err.Error(), "\n", "; "))
		os.Exit(1)
	}
}

func migrateCmd() *cobra.Command {
	dsn := config.LoadDatabaseURL
	cmd := &cobra.Command{Use: "migrate", Short: "Apply or inspect the PostgreSQL schema (DATABASE_URL)"}
	create := false
	up := &cobra.Command{
		Use: "up", Short: "Apply every pending migration", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if create {
				if created, err := schema.EnsureDatabase(cmd.Context(), dsn()); err != nil {
					return err
				} else if created {
					fmt.Println("created database")
				}
			}
			if err := schema.Up(cmd.Context(), dsn()); err != nil {
				return err
			}
			return schema.Status(cmd.Context(), dsn(), os.Stdout)
		},
	}
	up.Flags().BoolVar(&create, "create-database", false, "create the database first if it does not exist")
	down := &cobra.Command{
		Use: "down [N]", Short: "Undo the last N migrations (default 1)", Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			n := 1
			if len(args) == 1 {
				v, err := strconv.Atoi(args[0])
				if err != nil || v < 1 {
					return fmt.Errorf("down: N must be a positive number, got %q", args[0])
				}
				n = v
			}
			return schema.Down(cmd.Context(), dsn(), n)
		},
	}
	status := &cobra.Command{
		Use: "status", Short: "List migrations and whether they are applied", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return schema.Status(cmd.Context(), dsn(), os.Stdout) },
	}
	cmd.AddCommand(up, down, status)
	return cmd
}

func run(ctx context.Context) error {
	cfg, err := config.LoadWorker()
	if err != nil {
		return err
	}
	log, err := service.NewLogger(cfg.LogFormat)
	if err != nil {
		return err
	}
	defer func() { _ = log.Sync() }()

	bnCfg := cfg.Battlenet
	metrics, err := service.NewMetrics(log)
	if err != nil {
		return fmt.Errorf("metrics: %w", err)
	}
	defer func() { _ = metrics.Close() }()
	bnCfg.OnRequest = metrics.ObserveRequest
	bn, err := battlenet.New(bnCfg)
	if err != nil {
		return fmt.Errorf("%w (or point BLIZZARD_API_URL at the fake server: make run does)", err)
	}
	if err := bn.Verify(ctx); err != nil {
		return fmt.Errorf("battle.net credentials: %w", err)
	}

	maxConns := int32(cfg.DBMaxConns) // #nosec G115 -- config.LoadWorker rejects PVP_DB_MAX_CONNS outside 1..MaxInt32
	st, err := store.Open(ctx, cfg.DatabaseURL, store.WithMaxConns(maxConns))
	if err != nil {
		return err
	}
	defer st.Close()
	metrics.WatchPool(st.Pool)

	topts, err := config.Temporal()
	if err != nil {
		return err
	}
	topts.Logger = service.SDKLogger(log)
	topts.MetricsHandler = metrics.Handler
	tc, err := client.DialContext(ctx, topts)
	if err != nil {
		return fmt.Errorf("connect to Temporal at %s (namespace %s): %w", topts.HostPort, topts.Namespace, err)
	}
	defer tc.Close()

	addr, err := metrics.Serve(ctx, cfg.MetricsAddr, log)
	if err != nil {
		return fmt.Errorf("metrics endpoint %s: %w", cfg.MetricsAddr, err)
	}

	acts := &activities.Activities{
		Store: st, Battlenet: bn, Log: log,
		Config: cfg.Activities(),
	}
	budgets := service.Budgets(bn.Config())
	for _, b := range budgets {
		metrics.SetCredentialRate(b.Credential, cmp.Or(b.Region, "all"), b.RPS)
	}
	ws, err := service.Start(tc, acts, service.Limits{
		SyncThreads: cfg.SyncThreads, ProcessingThreads: cfg.ProcessingThreads, WorkflowThreads: cfg.WorkflowThreads,
		Pollers: cfg.Pollers, Budgets: budgets, Queues: cfg.Queues,
	})
	if err != nil {
		return err
	}
	log.Info("pvpsync worker started", zap.String("version", buildinfo.String()),
		zap.String("temporal", topts.HostPort), zap.String("namespace", topts.Namespace),
		zap.String("battlenet", bnCfg.String()),
		zap.Int("sync_threads", cfg.SyncThreads), zap.Int("processing_threads", cfg.ProcessingThreads),
		zap.Int("workflow_threads", cfg.WorkflowThreads), zap.Int("pollers", cfg.Pollers),
		zap.Float64("sync_rps", bnCfg.RequestsPerSecond), zap.Int("sync_rph", bnCfg.RequestsPerHour),
		zap.Duration("idle_max_age", cfg.IdleMaxAge.Duration()), zap.Duration("equipment_ttl", cfg.EquipmentTTL()), zap.Duration("unavailable_cooldown", cfg.UnavailableCooldown.Duration()),
		zap.Duration("character_meta_ttl", cfg.CharacterMetaTTL.Duration()), zap.Int("retention_days", cfg.RetentionDays),
		zap.Strings("queues", cfg.Queues), zap.String("metrics", "http://"+addr.String()+"/metrics"))
	<-ctx.Done()
	log.Info("shutting down: finishing running activities")
	ws.Stop()
	return nil
}
