package battlenet

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
)

// DefaultCredentialName names the one credential of the BLIZZARD_CLIENT_ID/BLIZZARD_CLIENT_SECRET
// shorthand.
const DefaultCredentialName = "default"

// credentialName is what a name may look like: names become parts of Temporal task-queue names and
// metric labels, so they stay lowercase ASCII without separators other than '-'.
var credentialName = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)

// Credential is one Battle.net API client (client id and secret) with its own token and budget.
type Credential struct {
	Name         string
	ClientID     string
	ClientSecret string
	// Regions the credential may serve; empty means every region.
	Regions []string
	// Source says where the credential was configured ("creds.txt:3", "BLIZZARD_CLIENT_ID"), so
	// errors can point there without printing the secret. Optional.
	Source string
}

// Serves says whether the credential may be used for requests to region (never to an unknown one).
func (c Credential) Serves(region string) bool {
	if ValidateRegion(region) != nil {
		return false
	}
	return len(c.Regions) == 0 || slices.Contains(c.Regions, region)
}

// String describes the credential for logs by name and regions. Neither the secret nor the client
// id is printed: in a credentials line missing its name, the id column holds the secret.
func (c Credential) String() string {
	regions := "all"
	if len(c.Regions) > 0 {
		regions = strings.Join(c.Regions, ",")
	}
	return fmt.Sprintf("%s(regions=%s client_id=%s secret=%s)", c.Name, regions, isSet(c.ClientID), isSet(c.ClientSecret))
}

func isSet(s string) string {
	if s == "" {
		return "<unset>"
	}
	return "***"
}

// GoString keeps %#v from printing the secret field by field.
func (c Credential) GoString() string { return "battlenet.Credential{" + c.String() + "}" }

// label names the credential in errors: its name and, when known, where it was configured.
func (c Credential) label() string {
	if c.Source == "" {
		return fmt.Sprintf("credential %q", c.Name)
	}
	return fmt.Sprintf("credential %q (%s)", c.Name, c.Source)
}

// check validates one credential on its own. Messages never include the id or the secret: a line
// with a missing field shifts the secret into another column.
func (c Credential) check() error {
	if !credentialName.MatchString(c.Name) {
		return fmt.Errorf("credential name %q: want lowercase letters, digits and '-', not starting with '-'", c.Name)
	}
	if c.ClientID == "" {
		return errors.New("client id is empty")
	}
	if c.ClientSecret == "" {
		return errors.New("client secret is empty")
	}
	for i, r := range c.Regions {
		if err := ValidateRegion(r); err != nil {
			return err
		}
		if slices.Contains(c.Regions[:i], r) {
			return fmt.Errorf("region %q listed twice", r)
		}
	}
	return nil
}

// ParseCredentials reads a credentials file: one credential per line, whitespace-separated,
//
//	name client_id client_secret [regions]
//
// with regions a comma list of us, eu, kr, tw (omitted: all). Blank lines and lines starting with
// '#' are skipped, and so is anything after a field that starts with '#'. Names must be unique.
// Errors name source and line, never the secret.
func ParseCredentials(r io.Reader, source string) ([]Credential, error) {
	var out []Credential
	lineOf := map[string]int{}
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		fields := strings.Fields(sc.Text())
		if i := slices.IndexFunc(fields, func(f string) bool { return strings.HasPrefix(f, "#") }); i >= 0 {
			fields = fields[:i]
		}
		if len(fields) == 0 {
			continue
		}
		at := fmt.Sprintf("%s:%d", source, n)
		if len(fields) != 3 && len(fields) != 4 {
			return nil, fmt.Errorf("%s: want \"name client_id client_secret [regions]\", found %d fields", at, len(fields))
		}
		c := Credential{Name: fields[0], ClientID: fields[1], ClientSecret: fields[2], Source: at}
		if len(fields) == 4 {
			c.Regions = strings.Split(fields[3], ",")
		}
		if err := c.check(); err != nil {
			return nil, fmt.Errorf("%s: %w", at, err)
		}
		if prev, ok := lineOf[c.Name]; ok {
			return nil, fmt.Errorf("%s: credential name %q is already used on line %d", at, c.Name, prev)
		}
		lineOf[c.Name] = n
		out = append(out, c)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: read: %w", source, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no credentials (want lines \"name client_id client_secret [regions]\")", source)
	}
	return out, nil
}

// checkCredentials validates a set: each one, unique names, and no Blizzard client counted twice.
func checkCredentials(creds []Credential, scope string) error {
	if len(creds) == 0 {
		return errors.New("no credentials (set BLIZZARD_CREDENTIALS, or BLIZZARD_CLIENT_ID and BLIZZARD_CLIENT_SECRET)")
	}
	for i, c := range creds {
		if err := c.check(); err != nil {
			return fmt.Errorf("%s: %w", c.label(), err)
		}
		for _, prev := range creds[:i] {
			if prev.Name == c.Name {
				return fmt.Errorf("%s: name already used", c.label())
			}
			// Blizzard counts requests per client id, so the same id under two names would get two
			// budgets for one quota. Splitting one client's regions is fine when budgets are per region.
			if prev.ClientID == c.ClientID && (scope != QuotaPerRegion || overlap(prev, c)) {
				return fmt.Errorf("%s: same client id as credential %q; Blizzard would count both against one quota", c.label(), prev.Name)
			}
		}
	}
	return nil
}

// overlap says whether two credentials may serve a common region.
func overlap(a, b Credential) bool {
	return slices.ContainsFunc(Regions, func(r string) bool { return a.Serves(r) && b.Serves(r) })
}
