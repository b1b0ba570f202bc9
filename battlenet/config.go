package battlenet

import (
	"errors"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Defaults of Config. 95 req/s leaves headroom under Blizzard's 100 req/s; 36,000 req/h is the
// documented hourly quota. Both are per credential.
const (
	DefaultAPIURL              = "https://{region}.api.blizzard.com"
	DefaultOAuthURL            = "https://oauth.battle.net/token"
	DefaultRequestsPerSecond   = 95.0
	DefaultRequestsPerHour     = 36000
	DefaultTimeout             = 15 * time.Second
	DefaultMaxBodyBytes        = 8 << 20
	DefaultMaxIdleConnsPerHost = 64
)

// Quota scopes: one budget per credential, or one per credential and region.
const (
	QuotaPerCredential = "credential"
	QuotaPerRegion     = "region"
)

// Config configures the clients of every credential. Zero values take the defaults above.
type Config struct {
	Credentials []Credential
	// APIURL is the API base. "{region}" is substituted per request; an override without it (e.g.
	// http://127.0.0.1:8089) serves every region.
	APIURL   string
	OAuthURL string
	// RequestsPerSecond and RequestsPerHour are the budget of one credential (of one credential and
	// region under QuotaScope "region"). The hourly quota is not enforced here: the Temporal task
	// queue of each credential holds it. In process, RequestsPerSecond spaces requests out, and
	// SustainedRate applies only to contexts marked WithProcessBudget.
	RequestsPerSecond float64
	RequestsPerHour   int
	// QuotaScope is QuotaPerCredential (default) or QuotaPerRegion.
	QuotaScope          string
	Timeout             time.Duration // per HTTP request, body included
	MaxBodyBytes        int64         // decompressed; beyond it ErrTooLarge
	MaxIdleConnsPerHost int           // shared by all credentials: they talk to the same hosts
	// OnRequest, if set, is called after every HTTP exchange (token fetches included) with the
	// credential name, a stable endpoint label, the HTTP status (0 on a transport error) and the time
	// it took.
	OnRequest func(credential, endpoint string, status int, d time.Duration)
}

// SustainedRate is the request rate one budget may keep up over an hour: the lower of
// RequestsPerSecond and RequestsPerHour/3600 (10/s with the defaults).
func (c Config) SustainedRate() float64 {
	d := c.withDefaults()
	return min(d.RequestsPerSecond, float64(d.RequestsPerHour)/time.Hour.Seconds())
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
	if c.QuotaScope == "" {
		c.QuotaScope = QuotaPerCredential
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

// Validate checks the configuration as New would, zero fields taking their defaults. The error is
// one line and never contains a secret.
func (c Config) Validate() error {
	c = c.withDefaults()
	var errs []string
	if c.QuotaScope != QuotaPerCredential && c.QuotaScope != QuotaPerRegion {
		errs = append(errs, fmt.Sprintf("quota scope %q: want %s or %s", c.QuotaScope, QuotaPerCredential, QuotaPerRegion))
	} else if err := checkCredentials(c.Credentials, c.QuotaScope); err != nil {
		errs = append(errs, err.Error())
	}
	if c.RequestsPerSecond < 0 || math.IsNaN(c.RequestsPerSecond) || math.IsInf(c.RequestsPerSecond, 0) {
		errs = append(errs, fmt.Sprintf("requests per second %v: want a positive number", c.RequestsPerSecond))
	}
	if c.RequestsPerHour < 0 {
		errs = append(errs, fmt.Sprintf("requests per hour %d: want a positive number", c.RequestsPerHour))
	}
	if err := CheckBaseURL(c.APIURL); err != nil {
		errs = append(errs, "api url: "+err.Error())
	}
	if err := CheckBaseURL(c.OAuthURL); err != nil {
		errs = append(errs, "oauth url: "+err.Error())
	}
	if len(errs) > 0 {
		return errors.New(strings.Join(errs, "; "))
	}
	return nil
}

// CheckBaseURL accepts an absolute http(s) URL; "{region}" placeholders are allowed.
func CheckBaseURL(raw string) error {
	u, err := url.Parse(strings.ReplaceAll(raw, "{region}", "us"))
	if err != nil {
		return fmt.Errorf("%q is not a URL", redactURL(raw))
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q: want an absolute http(s) URL", redactURL(raw))
	}
	return nil
}

// String describes the effective configuration for logs; credentials print without their secrets.
func (c Config) String() string {
	d := c.withDefaults()
	creds := make([]string, len(c.Credentials))
	for i, cr := range c.Credentials {
		creds[i] = cr.String()
	}
	return fmt.Sprintf("credentials=[%s] api=%s oauth=%s rps=%s rph=%d quota_scope=%s",
		strings.Join(creds, " "), redactURL(d.APIURL), redactURL(d.OAuthURL),
		strconv.FormatFloat(d.RequestsPerSecond, 'f', -1, 64), d.RequestsPerHour, d.QuotaScope)
}

// GoString keeps %#v from printing the secrets field by field.
func (c Config) GoString() string { return "battlenet.Config{" + c.String() + "}" }

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
