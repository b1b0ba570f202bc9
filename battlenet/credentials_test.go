package battlenet_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pvpsync/pvpsync/battlenet"
)

func TestParseCredentials(t *testing.T) {
	const file = `# pvpsync credentials
main   id-main   secret-main

# the EU-only spare
eu-2	id-eu2	secret-eu2	eu   # trailing comment
asia id-asia secret-asia kr,tw
`
	creds, err := battlenet.ParseCredentials(strings.NewReader(file), "creds.txt")
	require.NoError(t, err)
	assert.Equal(t, []battlenet.Credential{
		{Name: "main", ClientID: "id-main", ClientSecret: "secret-main", Source: "creds.txt:2"},
		{Name: "eu-2", ClientID: "id-eu2", ClientSecret: "secret-eu2", Regions: []string{"eu"}, Source: "creds.txt:5"},
		{Name: "asia", ClientID: "id-asia", ClientSecret: "secret-asia", Regions: []string{"kr", "tw"}, Source: "creds.txt:6"},
	}, creds)

	assert.True(t, creds[0].Serves("us"), "no regions: every region")
	assert.True(t, creds[0].Serves("tw"))
	assert.False(t, creds[0].Serves("cn"), "never an unknown region")
	assert.True(t, creds[1].Serves("eu"))
	assert.False(t, creds[1].Serves("us"))
	assert.True(t, creds[2].Serves("kr"))
	assert.False(t, creds[2].Serves("eu"))
}

// Every bad line is reported with file and line, and never with the secret.
func TestParseCredentialsRejects(t *testing.T) {
	cases := []struct {
		name, file, want string
	}{
		{"two fields", "# c\nmain id-1\n", "creds.txt:2: want \"name client_id client_secret [regions]\", found 2 fields"},
		{"five fields", "main id-1 SECRET us extra\n", "creds.txt:1: want"},
		{"upper-case name", "Main id-1 SECRET\n", `creds.txt:1: credential name "Main"`},
		{"underscore in name", "my_cred id-1 SECRET\n", `credential name "my_cred"`},
		{"leading dash", "-main id-1 SECRET\n", `credential name "-main"`},
		{"unknown region", "main id-1 SECRET us,cn\n", `creds.txt:1: unknown region "cn"`},
		{"empty region", "main id-1 SECRET us,\n", `unknown region ""`},
		{"upper-case region", "main id-1 SECRET US\n", `unknown region "US"`},
		{"region twice", "main id-1 SECRET eu,eu\n", `region "eu" listed twice`},
		{"duplicate name", "a id-1 SECRET\n\nb id-2 SECRET\na id-3 SECRET\n", `creds.txt:4: credential name "a" is already used on line 1`},
		{"empty", "", "creds.txt: no credentials"},
		{"only comments", "# nothing yet\n\n   \n", "creds.txt: no credentials"},
		{"line too long", "main id-1 SECRET" + strings.Repeat("x", 70_000) + "\n", "creds.txt: read"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := battlenet.ParseCredentials(strings.NewReader(tc.file), "creds.txt")
			require.ErrorContains(t, err, tc.want)
			assert.NotContains(t, err.Error(), "SECRET")
			assert.NotContains(t, err.Error(), "\n", "one line")
		})
	}
}

// A line missing its name shifts the secret into the client-id column; nothing then prints it.
func TestMisplacedColumnsDoNotLeakTheSecret(t *testing.T) {
	creds, err := battlenet.ParseCredentials(strings.NewReader("0123abcd SECRETVALUE us\n"), "creds.txt")
	require.NoError(t, err, "looks like name, id, secret")
	assert.NotContains(t, creds[0].String(), "SECR")
	_, err = battlenet.New(battlenet.Config{Credentials: creds})
	require.NoError(t, err)
}
