package battlenet

import (
	"errors"
	"fmt"
	"math"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// Defaults of Config. 95 req/s leaves headroom under Blizzard's 100 req/s; 36,000 req/h is the
// documented hourly quota.
const (
	DefaultAPIURL              = "https://{region}.api.blizzard.com"
	DefaultOAuthURL            = "https://oauth.battle.net/token"
	DefaultRequestsPerSecond   = 95.0
	DefaultRequestsPerHour     = 36000
	DefaultTimeout             = 15 * time.Second
	DefaultMaxBodyBytes        = 8 << 20
	DefaultMaxIdleConnsPerHost = 64
)

// Config configures a Client. Zero values take the defaults above.
type Config struct {
	ClientID, ClientSecret string
	// APIURL is the API base. "{region}" is substituted per request; an override without it (e.g.
	// http://127.0.0.1:8089) serves every region.
	APIURL   string
	OAuthURL string
	// RequestsPerSecond and RequestsPerHour are both enforced: a request waits until both allow it.
	// With the defaults the hourly quota is the binding one over time (36,000/h = 10/s sustained);
	// the per-second rate bounds bursts.
	RequestsPerSecond   float64
	RequestsPerHour     int
	Timeout             time.Duration // per HTTP request, body included
	MaxBodyBytes        int64         // decompressed; beyond it ErrTooLarge
	MaxIdleConnsPerHost int
	// OnRequest, if set, is called after every HTTP exchange (token fetches included) with a stable
	// endpoint label, the HTTP status (0 on a transport error) and the time it took.
	OnRequest func(endpoint string, status int, d time.Duration)
}

// ConfigFromEnv reads BLIZZARD_CLIENT_ID, BLIZZARD_CLIENT_SECRET, BLIZZARD_API_URL,
// BLIZZARD_OAUTH_URL, PVP_SYNC_RPS and PVP_SYNC_RPH. Unset variables keep the defaults; missing
// credentials are reported by New.
func ConfigFromEnv() (Config, error) {
	cfg := Config{
		ClientID:     strings.TrimSpace(os.Getenv("BLIZZARD_CLIENT_ID")),
		ClientSecret: strings.TrimSpace(os.Getenv("BLIZZARD_CLIENT_SECRET")),
		APIURL:       strings.TrimSpace(os.Getenv("BLIZZARD_API_URL")),
		OAuthURL:     strings.TrimSpace(os.Getenv("BLIZZARD_OAUTH_URL")),
	}
	if v := strings.TrimSpace(os.Getenv("PVP_SYNC_RPS")); v != "" {
		rps, err := strconv.ParseFloat(v, 64)
		if err != nil || rps <= 0 || math.IsInf(rps, 0) || math.IsNaN(rps) {
			return Config{}, fmt.Errorf("PVP_SYNC_RPS=%q: want a positive number of requests per second", v)
		}
		cfg.RequestsPerSecond = rps
	}
	if v := strings.TrimSpace(os.Getenv("PVP_SYNC_RPH")); v != "" {
		rph, err := strconv.Atoi(v)
		if err != nil || rph <= 0 {
			return Config{}, fmt.Errorf("PVP_SYNC_RPH=%q: want a positive whole number of requests per hour", v)
		}
		cfg.RequestsPerHour = rph
	}
	return cfg, nil
}

// withDefaults fills zero fields.
func (c Config) withDefaults() Config {
	if c.APIURL == "" {
		c.APIURL = DefaultAPIURL
	}
	if c.OAuthURL == "" {
		c.OAuthURL = DefaultOAuthURL
	}
	if c.RequestsPerSecond == 0 {
		c.RequestsPerSecond = DefaultRequestsPerSecond
	}
	if c.RequestsPerHour == 0 {
		c.RequestsPerHour = DefaultRequestsPerHour
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	if c.MaxBodyBytes <= 0 {
		c.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if c.MaxIdleConnsPerHost <= 0 {
		c.MaxIdleConnsPerHost = DefaultMaxIdleConnsPerHost
	}
	c.APIURL = strings.TrimRight(c.APIURL, "/")
	return c
}

// validate checks a config that went through withDefaults.
func (c Config) validate() error {
	var errs []error
	if c.ClientID == "" {
		errs = append(errs, errors.New("client id is empty (set BLIZZARD_CLIENT_ID)"))
	}
	if c.ClientSecret == "" {
		errs = append(errs, errors.New("client secret is empty (set BLIZZARD_CLIENT_SECRET)"))
	}
	if c.RequestsPerSecond < 0 || math.IsNaN(c.RequestsPerSecond) || math.IsInf(c.RequestsPerSecond, 0) {
		errs = append(errs, fmt.Errorf("requests per second %v: want a positive number", c.RequestsPerSecond))
	}
	if c.RequestsPerHour < 0 {
		errs = append(errs, fmt.Errorf("requests per hour %d: want a positive number", c.RequestsPerHour))
	}
	if err := checkBaseURL(strings.ReplaceAll(c.APIURL, "{region}", "us")); err != nil {
		errs = append(errs, fmt.Errorf("api url: %w", err))
	}
	if err := checkBaseURL(c.OAuthURL); err != nil {
		errs = append(errs, fmt.Errorf("oauth url: %w", err))
	}
	return errors.Join(errs...)
}

func checkBaseURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("%q is not a URL", redactURL(raw))
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q: want an absolute http(s) URL", redactURL(raw))
	}
	return nil
}

// String describes the effective configuration for logs. The secret is never printed and the client
// id only by its first characters.
func (c Config) String() string {
	d := c.withDefaults()
	secret := "***"
	if c.ClientSecret == "" {
		secret = "<unset>"
	}
	return fmt.Sprintf("client_id=%s secret=%s api=%s oauth=%s rps=%s rph=%d",
		abbreviate(c.ClientID), secret, redactURL(d.APIURL), redactURL(d.OAuthURL),
		strconv.FormatFloat(d.RequestsPerSecond, 'f', -1, 64), d.RequestsPerHour)
}

// GoString keeps %#v from printing the secret field by field.
func (c Config) GoString() string { return "battlenet.Config{" + c.String() + "}" }

func abbreviate(id string) string {
	if id == "" {
		return "<unset>"
	}
	r := []rune(id)
	if len(r) <= 4 {
		return id
	}
	return string(r[:4]) + "…"
}

// redactURL hides a password someone may have put in a URL.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		if i := strings.Index(raw, "@"); err != nil && i >= 0 {
			return "<unparseable url>"
		}
		return raw
	}
	return u.Redacted()
}
