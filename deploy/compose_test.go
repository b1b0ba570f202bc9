package deploy

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/pvpsync/pvpsync/battlenet"
	"github.com/pvpsync/pvpsync/fakeblizzard"
	"github.com/pvpsync/pvpsync/internal/testtemporal"
	"github.com/pvpsync/pvpsync/service"
	"github.com/pvpsync/pvpsync/workflows"
)

// Paths from this package's directory to the files under test.
const (
	composePath         = "../docker-compose.yml"
	envExamplePath      = "../.env.example"
	dockerfilePath      = "../Dockerfile"
	dockerignorePath    = "../.dockerignore"
	configDir           = "../config"
	goModPath           = "../go.mod"
	ldflagsPath         = "../scripts/ldflags.sh"
	credentialsExample  = "../deploy/blizzard-credentials.example"
	credentialsSecret   = "blizzard-credentials"
	credentialsInWorker = "/run/secrets/" + credentialsSecret
)

// briefVars are the worker variables the deployment must pass through, whatever the code scan finds.
var briefVars = []string{
	"DATABASE_URL", "TEMPORAL_ADDRESS", "TEMPORAL_NAMESPACE",
	"BLIZZARD_CREDENTIALS", "BLIZZARD_CLIENT_ID", "BLIZZARD_CLIENT_SECRET", "BLIZZARD_API_URL", "BLIZZARD_OAUTH_URL",
	"PVP_SYNC_THREADS", "PVP_PROCESSING_THREADS", "DEFAULT_THREADS", "JOB_CONCURRENCY",
	"PVP_SYNC_RPS", "PVP_SYNC_RPH", "PVP_QUOTA_SCOPE", "PVP_EQUIPMENT_SNAPSHOT_TTL_HOURS", "PVP_IDLE_MAX_AGE",
	"PVP_UNAVAILABLE_COOLDOWN", "PVP_CHARACTER_META_TTL", "PVP_SNAPSHOT_RETENTION_DAYS", "PVP_METRICS_ADDR", "PVP_LOG_FORMAT",
}

// buildArgs stamp the image's binaries (Dockerfile ARG, read by scripts/ldflags.sh).
var buildArgs = []string{"PVP_VERSION", "PVP_REVISION", "PVP_BUILD_TIME"}

// workerServices run the worker binary: the live one and the one pointed at the fake.
var workerServices = []string{"worker", "worker-demo"}

var (
	interpolationRe = regexp.MustCompile(`\$\{([A-Z][A-Z0-9_]*)`)
	secretKeyRe     = regexp.MustCompile(`(?i)(SECRET|PASSWORD|PWD|API_KEY|TOKEN)`)
	envTagRe        = regexp.MustCompile(`\benv:"([A-Z][A-Z0-9_]*)`)
	envDefaultRe    = regexp.MustCompile(`\benvDefault:"([^"]*)"`)
)

// stringList is a compose field written either as a string or as a list of strings.
type stringList []string

func (s *stringList) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		*s = stringList{n.Value}
		return nil
	}
	var l []string
	if err := n.Decode(&l); err != nil {
		return err
	}
	*s = l
	return nil
}

type composeFile struct {
	Services map[string]composeService `yaml:"services"`
	Secrets  map[string]struct {
		File string `yaml:"file"`
	} `yaml:"secrets"`
}

// build is a service's build section (the map form).
type build struct {
	Context    string            `yaml:"context"`
	Dockerfile string            `yaml:"dockerfile"`
	Args       map[string]string `yaml:"args"`
}

// composeService is the part of a compose service the tests look at. Environment must use the map form.
type composeService struct {
	Image       string                `yaml:"image"`
	Build       *build                `yaml:"build"`
	Profiles    []string              `yaml:"profiles"`
	Restart     string                `yaml:"restart"`
	Command     stringList            `yaml:"command"`
	Entrypoint  stringList            `yaml:"entrypoint"`
	Environment map[string]string     `yaml:"environment"`
	DependsOn   map[string]dependency `yaml:"depends_on"`
	Healthcheck *struct {
		Test    stringList `yaml:"test"`
		Disable bool       `yaml:"disable"`
	} `yaml:"healthcheck"`
	Ports           []string `yaml:"ports"`
	Volumes         []string `yaml:"volumes"`
	Secrets         []string `yaml:"secrets"` // short syntax: secret names
	StopGracePeriod string   `yaml:"stop_grace_period"`
}

type dependency struct {
	Condition string `yaml:"condition"`
}

var (
	composeOnce sync.Once
	composeRaw  string
	compose     composeFile
	composeErr  error
)

// loadCompose parses docker-compose.yml once (anchors and merge keys resolved by the YAML decoder, as
// compose does; ${...} interpolation is left as written).
func loadCompose(t *testing.T) (composeFile, string) {
	t.Helper()
	composeOnce.Do(func() {
		b, err := os.ReadFile(composePath)
		if err != nil {
			composeErr = err
			return
		}
		composeRaw = string(b)
		composeErr = yaml.Unmarshal(b, &compose)
	})
	require.NoError(t, composeErr, "parse %s", composePath)
	require.NotEmpty(t, compose.Services, "no services in %s", composePath)
	return compose, composeRaw
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return string(b)
}

// configVars scans the struct tags of package config (config/*.go, tests excluded), where every
// variable the worker reads is declared (caarlos0/env tags), with its envDefault.
func configVars(t *testing.T) map[string]*string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(configDir, "*.go"))
	require.NoError(t, err)
	vars := map[string]*string{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		// Struct tags sit on one line each, with envDefault beside env.
		for _, line := range strings.Split(readFile(t, f), "\n") {
			name := envTagRe.FindStringSubmatch(line)
			if name == nil {
				continue
			}
			var def *string
			if d := envDefaultRe.FindStringSubmatch(line); d != nil {
				def = &d[1]
			}
			vars[name[1]] = def
		}
	}
	// Guard the scan itself: if the regexps stopped matching, every later check would pass vacuously.
	require.Contains(t, vars, "PVP_SYNC_THREADS", "scan of %s found no env tags", configDir)
	require.Contains(t, vars, "DATABASE_URL")
	require.Contains(t, vars, "BLIZZARD_CLIENT_SECRET", "the Battle.net variables are env tags of package config too")
	return vars
}

// workerVars is every variable the worker container must receive.
func workerVars(t *testing.T) []string {
	t.Helper()
	vars := slices.Clone(briefVars)
	for name := range configVars(t) {
		vars = append(vars, name)
	}
	slices.Sort(vars)
	return slices.Compact(vars)
}

// interpolationOf reports whether v is exactly ${NAME}, ${NAME:-default}, ${NAME-default},
// ${NAME:?message}, ${NAME:+replacement} or ${NAME+replacement}, and returns the default (or the
// replacement).
func interpolationOf(v, name string) (def string, ok bool) {
	rest, found := strings.CutPrefix(v, "${"+name)
	if !found || !strings.HasSuffix(rest, "}") {
		return "", false
	}
	rest = strings.TrimSuffix(rest, "}")
	switch {
	case rest == "":
		return "", true
	case strings.HasPrefix(rest, ":-"), strings.HasPrefix(rest, ":+"):
		return rest[2:], true
	case strings.HasPrefix(rest, "-"), strings.HasPrefix(rest, "+"):
		return rest[1:], true
	case strings.HasPrefix(rest, ":?"), strings.HasPrefix(rest, "?"):
		return "", true
	}
	return "", false
}

func TestInterpolationOf(t *testing.T) {
	def, ok := interpolationOf("${PVP_METRICS_ADDR:-0.0.0.0:9464}", "PVP_METRICS_ADDR")
	assert.True(t, ok)
	assert.Equal(t, "0.0.0.0:9464", def)
	_, ok = interpolationOf("${PVP_METRICS_ADDRESS:-x}", "PVP_METRICS_ADDR")
	assert.False(t, ok, "another variable with the same prefix")
	_, ok = interpolationOf("0.0.0.0:9464", "PVP_METRICS_ADDR")
	assert.False(t, ok, "a literal")
	_, ok = interpolationOf("${X:?required}", "X")
	assert.True(t, ok)
	alt, ok := interpolationOf("${X:+/run/secrets/x}", "X")
	assert.True(t, ok)
	assert.Equal(t, "/run/secrets/x", alt)
}

func TestComposeServices(t *testing.T) {
	c, _ := loadCompose(t)
	for _, name := range []string{
		"postgres", "temporal-schema", "temporal", "temporal-setup", "temporal-ui",
		"migrate", "worker", "worker-demo", "fakeblizzard",
	} {
		assert.Contains(t, c.Services, name)
	}
}

func TestComposeImagesAreOfficialAndPinned(t *testing.T) {
	c, _ := loadCompose(t)
	official := regexp.MustCompile(`^(postgres|temporalio/server|temporalio/admin-tools|temporalio/ui):([0-9][A-Za-z0-9._-]*)$`)
	tags := map[string]string{}
	for name, s := range c.Services {
		require.NotEmpty(t, s.Image, "service %s has no image", name)
		assert.NotContains(t, s.Image, "auto-setup", "%s: temporalio/auto-setup is deprecated", name)
		assert.NotRegexp(t, `(:latest|@latest)$`, s.Image, "%s: not pinned", name)
		if s.Build != nil {
			// Built here; the tag only names the local image.
			assert.Regexp(t, `^[a-z0-9./-]+:[A-Za-z0-9._-]+$`, s.Image, "%s: built image needs an explicit tag", name)
			continue
		}
		m := official.FindStringSubmatch(s.Image)
		if !assert.NotNil(t, m, "%s: %q is not an official image with a version tag", name, s.Image) {
			continue
		}
		if prev, ok := tags[m[1]]; ok {
			assert.Equal(t, prev, m[2], "%s: every use of %s must have the same tag", name, m[1])
		}
		tags[m[1]] = m[2]
	}
	assert.Regexp(t, `^1[56](\.[0-9]+)?(-[a-z0-9.]+)?$`, tags["postgres"], "PostgreSQL 15 or 16")
	// The schema admin-tools installs must be the one the server expects.
	require.NotEmpty(t, tags["temporalio/server"])
	assert.Equal(t, tags["temporalio/server"], tags["temporalio/admin-tools"], "server and admin-tools versions")
	assert.NotEmpty(t, tags["temporalio/ui"])
}

func TestComposeDependencies(t *testing.T) {
	c, _ := loadCompose(t)
	for name, s := range c.Services {
		for dep, d := range s.DependsOn {
			target, ok := c.Services[dep]
			if !assert.True(t, ok, "%s depends on unknown service %s", name, dep) {
				continue
			}
			switch d.Condition {
			case "service_healthy":
				if assert.NotNil(t, target.Healthcheck, "%s waits for %s to be healthy: it needs a healthcheck", name, dep) {
					assert.False(t, target.Healthcheck.Disable, "%s: healthcheck disabled", dep)
					assert.NotEmpty(t, target.Healthcheck.Test, "%s: healthcheck without a test", dep)
					assert.NotEqual(t, "NONE", target.Healthcheck.Test[0], "%s: healthcheck disabled", dep)
				}
			case "service_completed_successfully":
				// A restart policy would rerun a one-shot that is meant to exit.
				assert.Equal(t, "no", target.Restart, "%s is a one-shot (%s waits for it to complete): restart must be \"no\"", dep, name)
			default:
				t.Errorf("%s -> %s: condition %q; want service_healthy or service_completed_successfully (service_started races)", name, dep, d.Condition)
			}
			// Compose refuses a dependency that the active profiles do not enable.
			if len(target.Profiles) > 0 {
				for _, p := range s.Profiles {
					assert.Contains(t, target.Profiles, p, "%s (profile %s) depends on %s, which that profile does not enable", name, p, dep)
				}
				assert.NotEmpty(t, s.Profiles, "%s runs in every profile but depends on %s, which has profiles %v", name, dep, target.Profiles)
			}
		}
	}

	want := map[string]map[string]string{
		"temporal-schema": {"postgres": "service_healthy"},
		"temporal":        {"temporal-schema": "service_completed_successfully"},
		"temporal-setup":  {"temporal": "service_healthy"},
		"temporal-ui":     {"temporal": "service_healthy"},
		"migrate":         {"postgres": "service_healthy"},
		"worker":          {"migrate": "service_completed_successfully", "temporal-setup": "service_completed_successfully"},
		"worker-demo": {
			"migrate": "service_completed_successfully", "temporal-setup": "service_completed_successfully",
			"fakeblizzard": "service_healthy",
		},
	}
	for name, deps := range want {
		for dep, cond := range deps {
			assert.Equal(t, cond, c.Services[name].DependsOn[dep].Condition, "%s -> %s", name, dep)
		}
	}
	for _, name := range []string{"postgres", "temporal", "fakeblizzard", "worker", "worker-demo"} {
		assert.NotNil(t, c.Services[name].Healthcheck, "%s: long-running service without a healthcheck", name)
	}
}

func TestComposeWorkerEnvironment(t *testing.T) {
	c, _ := loadCompose(t)
	vars := workerVars(t)
	for _, name := range workerServices {
		env := c.Services[name].Environment
		for _, v := range vars {
			assert.Contains(t, env, v, "%s: variable %s not passed to the container", name, v)
		}
	}

	// The live worker takes every value from the operator's environment (.env), nothing hard-coded.
	live := c.Services["worker"].Environment
	for _, v := range vars {
		if val, ok := live[v]; ok {
			_, isInterp := interpolationOf(val, v)
			assert.True(t, isInterp, "worker: %s=%q should be ${%s...} so .env can set it", v, val, v)
		}
	}

	// Metrics must listen on every interface inside the container, on the port that is published.
	for _, name := range workerServices {
		s := c.Services[name]
		addr, ok := interpolationOf(s.Environment["PVP_METRICS_ADDR"], "PVP_METRICS_ADDR")
		require.True(t, ok, "%s: PVP_METRICS_ADDR", name)
		host, port, found := strings.Cut(addr, ":")
		require.True(t, found, "%s: PVP_METRICS_ADDR default %q has no port", name, addr)
		assert.Equal(t, "0.0.0.0", host, "%s: a loopback listener is unreachable through a published port", name)
		assert.Contains(t, s.Ports, "127.0.0.1:"+port+":"+port, "%s: metrics port not published", name)
		if assert.NotNil(t, s.Healthcheck) {
			assert.Contains(t, strings.Join(s.Healthcheck.Test, " "), ":"+port+"/metrics", "%s: healthcheck probes another port", name)
		}
		temporalAddr, _ := interpolationOf(s.Environment["TEMPORAL_ADDRESS"], "TEMPORAL_ADDRESS")
		assert.Equal(t, "temporal:7233", temporalAddr, "%s: default Temporal address is the compose service", name)
		assert.Equal(t, []string{"worker"}, []string(s.Command), "%s: runs the worker", name)
	}

	// The demo worker talks to the fake with the fake's own credentials.
	demo := c.Services["worker-demo"].Environment
	fakeAddr := flagValue(c.Services["fakeblizzard"].Command, "--addr")
	_, fakePort, _ := strings.Cut(fakeAddr, ":")
	require.NotEmpty(t, fakePort, "fakeblizzard --addr %q", fakeAddr)
	assert.Equal(t, "http://fakeblizzard:"+fakePort, demo["BLIZZARD_API_URL"])
	assert.Equal(t, "http://fakeblizzard:"+fakePort+"/token", demo["BLIZZARD_OAUTH_URL"])
	assert.Equal(t, fakeblizzard.DefaultClientID, demo["BLIZZARD_CLIENT_ID"])
	assert.Equal(t, fakeblizzard.DefaultClientSecret, demo["BLIZZARD_CLIENT_SECRET"])
}

// flagValue returns the argument after flag in a command line, or "".
func flagValue(cmd []string, flag string) string {
	for i, a := range cmd {
		if a == flag && i+1 < len(cmd) {
			return cmd[i+1]
		}
		if v, ok := strings.CutPrefix(a, flag+"="); ok {
			return v
		}
	}
	return ""
}

func TestComposePortsBindLoopback(t *testing.T) {
	c, _ := loadCompose(t)
	for name, s := range c.Services {
		for _, p := range s.Ports {
			assert.Regexp(t, `^127\.0\.0\.1:[0-9]+:[0-9]+(/tcp|/udp)?$`, p, "%s: port %q must bind the host's loopback only", name, p)
		}
	}
	assert.Contains(t, c.Services["temporal"].Ports, "127.0.0.1:7233:7233")
	assert.Contains(t, c.Services["temporal-ui"].Ports, "127.0.0.1:8233:8080")
	assert.Contains(t, c.Services["worker"].Ports, "127.0.0.1:9464:9464")
	assert.Empty(t, c.Services["postgres"].Ports, "PostgreSQL stays on the compose network")
}

func TestComposeFakeOnlyInDemoProfile(t *testing.T) {
	c, _ := loadCompose(t)
	fake := c.Services["fakeblizzard"]
	assert.Equal(t, []string{"demo"}, fake.Profiles)
	assert.Equal(t, "fakeblizzard", fake.Command[0])
	assert.Equal(t, "0.0.0.0:8089", flagValue(fake.Command, "--addr"), "the fake must listen beyond its container's loopback")
	for name, s := range c.Services {
		for k, v := range s.Environment {
			if strings.Contains(v, "fakeblizzard") {
				assert.Equal(t, []string{"demo"}, s.Profiles, "%s: %s points at the fake outside the demo profile", name, k)
			}
		}
	}
	assert.Equal(t, []string{"live"}, c.Services["worker"].Profiles, "the live worker must not start alongside the demo one")
}

func TestComposeHasNoLiteralSecrets(t *testing.T) {
	c, raw := loadCompose(t)
	for name, s := range c.Services {
		demoOnly := slices.Equal(s.Profiles, []string{"demo"})
		for k, v := range s.Environment {
			if !secretKeyRe.MatchString(k) {
				continue
			}
			if demoOnly && k == "BLIZZARD_CLIENT_SECRET" && v == fakeblizzard.DefaultClientSecret {
				continue // the fake server's fixed test credential
			}
			assert.Regexp(t, `^\$\{[A-Z][A-Z0-9_]*(:?\?[^}]*)?(:-)?\}$`, v, "%s: %s=%q must come from the environment, with no default", name, k, v)
		}
	}
	assert.Equal(t, "${BLIZZARD_CLIENT_SECRET:-}", c.Services["worker"].Environment["BLIZZARD_CLIENT_SECRET"])

	// No default value for a secret anywhere in the file, aliases and extension fields included.
	assert.NotRegexp(t, `\$\{[A-Z0-9_]*(SECRET|PASSWORD|PWD|API_KEY|TOKEN)[A-Z0-9_]*:?-[^}]`, raw)
	// No password written into a connection URL.
	urls := regexp.MustCompile(`postgres(?:ql)?://([^@\s"']*)@`).FindAllStringSubmatch(raw, -1)
	require.NotEmpty(t, urls, "expected the default DATABASE_URL in %s", composePath)
	for _, u := range urls {
		userinfo := regexp.MustCompile(`\$\{[^}]*\}`).ReplaceAllString(u[1], "VAR")
		if _, pw, ok := strings.Cut(userinfo, ":"); ok {
			assert.Equal(t, "VAR", pw, "password in %q must be an interpolation", u[0])
		}
	}
}

func TestComposeTemporalSetupRegistersSearchAttributes(t *testing.T) {
	c, _ := loadCompose(t)
	setup := c.Services["temporal-setup"]
	assert.Regexp(t, `^temporalio/admin-tools:`, setup.Image)
	script := strings.Join(append(slices.Clone([]string(setup.Entrypoint)), setup.Command...), "\n")
	require.NotEmpty(t, workflows.SearchAttributeTypes)
	for _, sa := range workflows.SearchAttributeTypes {
		assert.Contains(t, script, sa[0]+":"+sa[1], "search attribute %s (%s) not registered", sa[0], sa[1])
	}
	assert.Contains(t, script, "already exists", "rerunning the setup must tolerate existing attributes")
	assert.Contains(t, script, "different type", "an attribute of another type must fail the setup")
	assert.Contains(t, script, "temporal operator cluster health")
	// Same namespace as the workers, whatever .env says.
	for _, name := range workerServices {
		assert.Equal(t, c.Services[name].Environment["TEMPORAL_NAMESPACE"], setup.Environment["TEMPORAL_NAMESPACE"], name)
	}
	assert.Equal(t, c.Services["temporal-ui"].Environment["TEMPORAL_DEFAULT_NAMESPACE"], setup.Environment["TEMPORAL_NAMESPACE"])
}

func TestComposeTemporalUsesPostgresAndDynamicConfig(t *testing.T) {
	c, _ := loadCompose(t)
	tmp := c.Services["temporal"]
	assert.Equal(t, "postgres12", tmp.Environment["DB"])
	assert.Contains(t, c.Services, tmp.Environment["POSTGRES_SEEDS"], "POSTGRES_SEEDS names the compose service")
	assert.Equal(t, "0.0.0.0", tmp.Environment["BIND_ON_IP"], "the frontend must be reachable from other containers")
	assert.Equal(t, tmp.Environment["POSTGRES_PWD"], c.Services["postgres"].Environment["POSTGRES_PASSWORD"])
	assert.Equal(t, tmp.Environment["POSTGRES_PWD"], c.Services["temporal-schema"].Environment["SQL_PASSWORD"])

	// The dynamic config path is relative to the image's working directory, /etc/temporal.
	file := filepath.Join("/etc/temporal", tmp.Environment["DYNAMIC_CONFIG_FILE_PATH"])
	var hostFile string
	for _, v := range tmp.Volumes {
		parts := strings.Split(v, ":")
		if len(parts) >= 2 && strings.HasPrefix(file, parts[1]+"/") {
			hostFile = filepath.Join("..", parts[0], strings.TrimPrefix(file, parts[1]+"/"))
		}
	}
	require.NotEmpty(t, hostFile, "%s is not in a mounted directory", file)
	var dc map[string][]struct {
		Value any `yaml:"value"`
	}
	require.NoError(t, yaml.Unmarshal([]byte(readFile(t, hostFile)), &dc), hostFile)
	assert.Contains(t, dc, "system.forceSearchAttributesCacheRefreshOnRead")
	for key, values := range dc {
		assert.NotEmpty(t, values, "%s: %s has no value", hostFile, key)
	}

	// One partition per task queue: the server splits a queue's rate limit evenly over its partitions,
	// each its own token bucket, which leaves a credential's budget under-used (9.8/s of 20/s measured
	// with four). The compose server must run like the dev server of the tests.
	for _, key := range []string{"matching.numTaskqueueReadPartitions", "matching.numTaskqueueWritePartitions"} {
		if assert.Len(t, dc[key], 1, "%s: %s", hostFile, key) {
			assert.Equal(t, 1, dc[key][0].Value, "%s: %s", hostFile, key)
		}
	}
	args := testtemporal.ServerArgs()
	var fromTests int
	for i, a := range args {
		if a != "--dynamic-config-value" || i+1 == len(args) {
			continue
		}
		key, value, _ := strings.Cut(args[i+1], "=")
		fromTests++
		if assert.Len(t, dc[key], 1, "%s: the tests' dev server sets %s; the compose server must too", hostFile, key) {
			assert.Equal(t, value, fmt.Sprint(dc[key][0].Value), "%s: %s as in testtemporal.ServerArgs", hostFile, key)
		}
	}
	assert.Positive(t, fromTests, "testtemporal.ServerArgs has no dynamic config to compare")
}

// TestComposeWorkerCredentialsFile: BLIZZARD_CREDENTIALS in .env names a file on the host; the live
// worker gets it as the secret blizzard-credentials and is pointed at it only when it is set; the demo
// worker keeps the fake's single credential whatever .env says.
func TestComposeWorkerCredentialsFile(t *testing.T) {
	c, _ := loadCompose(t)
	secret, ok := c.Secrets[credentialsSecret]
	require.True(t, ok, "top-level secret %s", credentialsSecret)
	placeholder, ok := interpolationOf(secret.File, "BLIZZARD_CREDENTIALS")
	require.True(t, ok, "secret %s: file %q should be ${BLIZZARD_CREDENTIALS:-placeholder}", credentialsSecret, secret.File)
	assert.True(t, strings.HasPrefix(secret.File, "${BLIZZARD_CREDENTIALS:-"), "an unset BLIZZARD_CREDENTIALS mounts the placeholder")
	assert.Equal(t, filepath.Clean(credentialsExample), filepath.Clean(filepath.Join("..", placeholder)),
		"the placeholder is the documented example")

	// The placeholder configures nothing, and the example lines it shows are in the format the worker reads.
	example := readFile(t, credentialsExample)
	_, err := battlenet.ParseCredentials(strings.NewReader(example), credentialsExample)
	require.Error(t, err, "the example file holds no credential")
	_, after, found := strings.Cut(example, "# Example")
	require.True(t, found, "%s: no \"# Example\" section", credentialsExample)
	var lines []string
	for _, l := range strings.Split(after, "\n")[1:] {
		if l = strings.TrimSpace(strings.TrimPrefix(l, "#")); l != "" {
			lines = append(lines, l)
		}
	}
	require.NotEmpty(t, lines, "the example file shows example lines")
	creds, err := battlenet.ParseCredentials(strings.NewReader(strings.Join(lines, "\n")), "example")
	require.NoError(t, err, "the example lines, uncommented, parse: %q", lines)
	assert.Len(t, creds, len(lines))

	live := c.Services["worker"]
	assert.Contains(t, live.Secrets, credentialsSecret, "the live worker mounts the credentials file")
	path, ok := interpolationOf(live.Environment["BLIZZARD_CREDENTIALS"], "BLIZZARD_CREDENTIALS")
	require.True(t, ok)
	assert.Equal(t, "${BLIZZARD_CREDENTIALS:+"+credentialsInWorker+"}", live.Environment["BLIZZARD_CREDENTIALS"],
		"set only when .env names a file (else BLIZZARD_CLIENT_ID/SECRET apply; both set is an error)")
	assert.Equal(t, credentialsInWorker, path, "where compose mounts the secret")

	demo := c.Services["worker-demo"]
	assert.Empty(t, demo.Environment["BLIZZARD_CREDENTIALS"], "the demo worker uses the fake's credential only")
	assert.NotContains(t, demo.Secrets, credentialsSecret)
}

// TestComposeBuildArgs: every image built here receives the version stamp, the Dockerfile declares it
// and scripts/ldflags.sh reads it.
func TestComposeBuildArgs(t *testing.T) {
	c, _ := loadCompose(t)
	dockerfile := readFile(t, dockerfilePath)
	ldflags := readFile(t, ldflagsPath)
	built := 0
	for name, s := range c.Services {
		if s.Build == nil {
			continue
		}
		built++
		for _, arg := range buildArgs {
			v, ok := s.Build.Args[arg]
			if assert.True(t, ok, "%s: build arg %s", name, arg) {
				_, isInterp := interpolationOf(v, arg)
				assert.True(t, isInterp, "%s: build arg %s=%q should be ${%s...}", name, arg, v, arg)
			}
		}
	}
	assert.Positive(t, built)
	for _, arg := range buildArgs {
		assert.Regexp(t, `(?m)^ARG .*\b`+arg+`=`, dockerfile, "the Dockerfile declares ARG %s", arg)
		assert.Contains(t, ldflags, "${"+arg+":-", "scripts/ldflags.sh reads %s", arg)
	}
}

// TestComposeStopGracePeriod: docker stop must wait longer than the worker lets running activities
// finish (service.StopTimeout), or it kills requests in flight.
func TestComposeStopGracePeriod(t *testing.T) {
	c, _ := loadCompose(t)
	for _, name := range workerServices {
		v := c.Services[name].StopGracePeriod
		require.NotEmpty(t, v, "%s: stop_grace_period unset (compose's default is 10 s)", name)
		d, err := time.ParseDuration(v)
		require.NoError(t, err, "%s: stop_grace_period %q", name, v)
		assert.Greater(t, d, service.StopTimeout, "%s: stop_grace_period %s", name, d)
	}
}

// envExample maps each documented variable (set or commented out) to its value.
func envExample(t *testing.T) map[string]string {
	t.Helper()
	line := regexp.MustCompile(`^#?\s*([A-Z][A-Z0-9_]*)=(.*)$`)
	vars := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(readFile(t, envExamplePath)))
	for sc.Scan() {
		if m := line.FindStringSubmatch(strings.TrimSpace(sc.Text())); m != nil {
			vars[m[1]] = strings.TrimSpace(m[2])
		}
	}
	require.NoError(t, sc.Err())
	return vars
}

func TestEnvExample(t *testing.T) {
	doc := envExample(t)
	_, raw := loadCompose(t)
	for _, v := range workerVars(t) {
		assert.Contains(t, doc, v, ".env.example does not document %s", v)
	}
	for _, m := range interpolationRe.FindAllStringSubmatch(raw, -1) {
		assert.Contains(t, doc, m[1], "docker-compose.yml reads ${%s} but .env.example does not document it", m[1])
	}

	placeholder := regexp.MustCompile(`^(|change-me|<[^>]*>)$`)
	for k, v := range doc {
		if secretKeyRe.MatchString(k) {
			assert.Regexp(t, placeholder, v, ".env.example: %s must be empty or a placeholder", k)
		}
	}
	assert.Empty(t, doc["BLIZZARD_CLIENT_SECRET"])
	assert.Empty(t, doc["BLIZZARD_CLIENT_ID"])
	if u, ok := doc["DATABASE_URL"]; ok {
		assert.Contains(t, u, ":change-me@", ".env.example: DATABASE_URL must carry the placeholder password")
	}

	// Documented defaults are the program's.
	for name, def := range configVars(t) {
		if def == nil {
			continue
		}
		want := *def
		if name == "PVP_METRICS_ADDR" {
			want = "0.0.0.0:9464" // the container's default, see docker-compose.yml
		}
		assert.Equal(t, want, doc[name], ".env.example: default of %s", name)
	}
	assert.Equal(t, battlenet.DefaultAPIURL, doc["BLIZZARD_API_URL"])
	assert.Equal(t, battlenet.DefaultOAuthURL, doc["BLIZZARD_OAUTH_URL"])
}

// dockerStage is one stage of the parsed Dockerfile; ARG defaults are substituted in FROM.
type dockerStage struct {
	from, name   string
	instructions [][2]string // keyword (upper case), arguments
}

func parseDockerfile(t *testing.T) []dockerStage {
	t.Helper()
	var (
		stages  []dockerStage
		args    = map[string]string{}
		logical []string
		cur     strings.Builder
	)
	for _, l := range strings.Split(readFile(t, dockerfilePath), "\n") {
		trimmed := strings.TrimSpace(l)
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		if s, ok := strings.CutSuffix(trimmed, `\`); ok {
			cur.WriteString(s + " ")
			continue
		}
		cur.WriteString(trimmed)
		logical = append(logical, cur.String())
		cur.Reset()
	}
	require.Zero(t, cur.Len(), "Dockerfile ends with a continuation")
	argRe := regexp.MustCompile(`\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?`)
	for _, l := range logical {
		kw, rest, _ := strings.Cut(l, " ")
		kw = strings.ToUpper(kw)
		rest = strings.TrimSpace(rest)
		switch {
		case kw == "ARG" && len(stages) == 0:
			k, v, _ := strings.Cut(rest, "=")
			args[k] = v
		case kw == "FROM":
			fields := strings.Fields(argRe.ReplaceAllStringFunc(rest, func(s string) string {
				return args[argRe.FindStringSubmatch(s)[1]]
			}))
			st := dockerStage{from: fields[0]}
			if len(fields) == 3 && strings.EqualFold(fields[1], "AS") {
				st.name = fields[2]
			}
			stages = append(stages, st)
		default:
			require.NotEmpty(t, stages, "instruction before FROM: %s", l)
			stages[len(stages)-1].instructions = append(stages[len(stages)-1].instructions, [2]string{kw, rest})
		}
	}
	return stages
}

func (s dockerStage) all(kw string) []string {
	var out []string
	for _, in := range s.instructions {
		if in[0] == kw {
			out = append(out, in[1])
		}
	}
	return out
}

func TestDockerfile(t *testing.T) {
	stages := parseDockerfile(t)
	require.GreaterOrEqual(t, len(stages), 2, "multi-stage build expected")
	for _, s := range stages {
		assert.Regexp(t, `^[a-z0-9./-]+:[A-Za-z0-9._-]+$`, s.from, "FROM %q: pin a tag", s.from)
		assert.NotContains(t, s.from, ":latest")
	}

	build, final := stages[0], stages[len(stages)-1]
	goVersion := regexp.MustCompile(`(?m)^go ([0-9]+\.[0-9]+)`).FindStringSubmatch(readFile(t, goModPath))
	require.NotNil(t, goVersion)
	assert.Regexp(t, `^golang:`+regexp.QuoteMeta(goVersion[1])+`(\.[0-9]+)?(-|$)`, build.from, "builder must match go.mod's go %s", goVersion[1])
	require.NotEmpty(t, build.name, "the build stage needs a name for COPY --from")

	var builds []string
	for _, r := range build.all("RUN") {
		if strings.Contains(r, "go build") {
			builds = append(builds, r)
		}
	}
	require.NotEmpty(t, builds, "no go build in the build stage")
	cgoOff := slices.ContainsFunc(build.all("ENV"), func(e string) bool { return strings.Contains(e, "CGO_ENABLED=0") }) ||
		slices.ContainsFunc(builds, func(r string) bool { return strings.Contains(r, "CGO_ENABLED=0") })
	assert.True(t, cgoOff, "CGO_ENABLED=0: static binaries for the runtime image")
	for _, pkg := range []string{"./worker", "./starter", "./cmd/fakeblizzard"} {
		assert.True(t, slices.ContainsFunc(builds, func(r string) bool { return slices.Contains(strings.Fields(r), pkg) }), "%s not built", pkg)
		src := readFile(t, filepath.Join("..", pkg, "main.go"))
		assert.Regexp(t, `(?m)^package main$`, src, "%s is not a command", pkg)
	}

	assert.NotRegexp(t, `^golang:`, final.from, "the runtime image should not carry the toolchain")
	copies := final.all("COPY")
	require.NotEmpty(t, copies)
	var copied []string
	for _, cp := range copies {
		f := strings.Fields(cp)
		if slices.Contains(f, "--from="+build.name) && f[len(f)-1] == "/usr/local/bin/" {
			for _, src := range f[1 : len(f)-1] {
				copied = append(copied, filepath.Base(src))
			}
		}
	}
	assert.ElementsMatch(t, []string{"worker", "starter", "fakeblizzard"}, copied, "binaries copied to /usr/local/bin")

	users := final.all("USER")
	require.NotEmpty(t, users, "the runtime stage must set a USER")
	user, _, _ := strings.Cut(users[len(users)-1], ":")
	assert.NotContains(t, []string{"root", "0", ""}, user, "runtime user must not be root")
	cmds := final.all("CMD")
	require.NotEmpty(t, cmds)
	assert.Equal(t, `["worker"]`, cmds[len(cmds)-1])

	ignore := strings.Split(readFile(t, dockerignorePath), "\n")
	assert.Contains(t, ignore, ".env", "local credentials must stay out of the build context")
	assert.Contains(t, ignore, ".git")
}
