package main

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pvpsync/pvpsync/fakeblizzard"
	"github.com/pvpsync/pvpsync/internal/testbin"
)

// `starter brackets` lists the current season's boards as Battle.net's leaderboard index has them.
func TestBracketsListsTheSeasonsBoards(t *testing.T) {
	fake, err := fakeblizzard.Start(fakeblizzard.Options{Seed: 3, Characters: 10, SpecCharacters: 5,
		Brackets: []string{"3v3", "2v2", "shuffle-mage-frost", "shuffle-overall"}})
	require.NoError(t, err)
	t.Cleanup(fake.Close)
	bin := testbin.Build(t, "./starter")
	env := append(os.Environ(), "BLIZZARD_CLIENT_ID="+fake.ClientID(), "BLIZZARD_CLIENT_SECRET="+fake.ClientSecret(),
		"BLIZZARD_API_URL="+fake.URL(), "BLIZZARD_OAUTH_URL="+fake.TokenURL(), "BLIZZARD_CREDENTIALS=")

	cmd := exec.Command(bin, "brackets", "--region", "us", "-o", "json") // #nosec G204 -- the binary this test built
	cmd.Env = env
	out, err := cmd.Output()
	require.NoError(t, err, string(out))
	var doc struct {
		Season   int64         `json:"season"`
		Brackets []bracketInfo `json:"brackets"`
	}
	require.NoError(t, json.Unmarshal(out, &doc))
	assert.Equal(t, int64(fakeblizzard.DefaultSeason), doc.Season)
	assert.ElementsMatch(t, []bracketInfo{
		{Bracket: "3v3", Synced: true}, {Bracket: "2v2", Synced: true},
		{Bracket: "shuffle-mage-frost", Spec: "Frost Mage", Synced: true}, {Bracket: "shuffle-overall"},
	}, doc.Brackets)
	assert.Equal(t, int64(2), fake.Stats().Total-fake.Stats().Endpoint(fakeblizzard.EndpointToken), "two requests")

	cmd = exec.Command(bin, "brackets", "--region", "xx") // #nosec G204 -- the binary this test built
	cmd.Env = env
	err = cmd.Run()
	var exit *exec.ExitError
	require.True(t, errors.As(err, &exit))
	assert.Equal(t, 2, exit.ExitCode(), "an unknown region is a usage error")
}
