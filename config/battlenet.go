package config

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/pvpsync/pvpsync/battlenet"
)

// credentials reads the credentials from the file of BLIZZARD_CREDENTIALS or the one-credential
// shorthand, and returns them with the variable to blame for a problem found later. Errors name the
// variable (and the file and line), never a secret.
func (b battlenetEnv) credentials() ([]battlenet.Credential, string, error) {
	file := strings.TrimSpace(b.CredentialsFile)
	id, secret := strings.TrimSpace(b.ClientID), strings.TrimSpace(b.ClientSecret)
	switch {
	case file != "" && (id != "" || secret != ""):
		return nil, "", errors.New("BLIZZARD_CREDENTIALS and BLIZZARD_CLIENT_ID/BLIZZARD_CLIENT_SECRET are both set: " +
			"want one (the file, or the shorthand for a single credential)")
	case file != "":
		f, err := os.Open(file) // #nosec G304 -- the operator names the file on purpose
		if err != nil {
			return nil, "", fmt.Errorf("BLIZZARD_CREDENTIALS: %w", err)
		}
		defer f.Close()
		creds, err := battlenet.ParseCredentials(f, file)
		if err != nil {
			return nil, "", fmt.Errorf("BLIZZARD_CREDENTIALS: %w", err)
		}
		return creds, "BLIZZARD_CREDENTIALS", nil
	case id == "" && secret == "":
		return nil, "", errors.New("no Battle.net credentials: set BLIZZARD_CREDENTIALS (a file of " +
			"\"name client_id client_secret [regions]\" lines) or BLIZZARD_CLIENT_ID and BLIZZARD_CLIENT_SECRET")
	case id == "":
		return nil, "", errors.New("BLIZZARD_CLIENT_ID: want the client id that goes with BLIZZARD_CLIENT_SECRET")
	case secret == "":
		return nil, "", errors.New("BLIZZARD_CLIENT_SECRET: want the client secret that goes with BLIZZARD_CLIENT_ID")
	}
	return []battlenet.Credential{{Name: battlenet.DefaultCredentialName, ClientID: id, ClientSecret: secret,
		Source: "BLIZZARD_CLIENT_ID/BLIZZARD_CLIENT_SECRET"}}, "BLIZZARD_CLIENT_ID", nil
}
