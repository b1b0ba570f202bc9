package battlenet_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pvpsync/pvpsync/battlenet"
	"github.com/pvpsync/pvpsync/fakeblizzard"
)

// The client against the fake server: the same code paths the workers take, on the same shapes.

func fakeClient(t *testing.T, o fakeblizzard.Options, rps float64) (*fakeblizzard.Server, *battlenet.Client) {
	t.Helper()
	fake, err := fakeblizzard.Start(o)
	require.NoError(t, err)
	t.Cleanup(fake.Close)
	cs, err := battlenet.New(battlenet.Config{
		Credentials: []battlenet.Credential{{Name: "default", ClientID: fake.ClientID(), ClientSecret: fake.ClientSecret()}},
		APIURL:      fake.URL(), OAuthURL: fake.TokenURL(), RequestsPerSecond: rps, RequestsPerHour: 1 << 30,
	})
	require.NoError(t, err)
	c, _ := cs.Get("default")
	return fake, c
}

func TestAgainstFakeWholeFlow(t *testing.T) {
	fake, c := fakeClient(t, fakeblizzard.Options{Seed: 3, Characters: 300, SpecCharacters: 50,
		Brackets: []string{"3v3", "shuffle-mage-frost"}, PrivateFraction: 0.1}, 10000)
	ctx := context.Background()

	idx, err := c.SeasonIndex(ctx, "eu", "")
	require.NoError(t, err)
	season := idx.CurrentSeason.ID
	li, err := c.LeaderboardIndex(ctx, "eu", "fr_FR", season)
	require.NoError(t, err)
	require.Len(t, li.Leaderboards, 2)
	board, err := c.Leaderboard(ctx, "eu", "", season, "3v3")
	require.NoError(t, err)
	require.Len(t, board.Entries, 300)
	assert.Equal(t, int64(1), fake.Stats().Count(fakeblizzard.EndpointToken, 200), "one token for every request")

	var private, public, accented int
	for _, e := range board.Entries {
		ch := e.Character
		eq, resp, err := c.Equipment(ctx, "eu", "", ch.Realm.Slug, ch.Name, "")
		if fake.IsPrivate("eu", ch.ID) {
			require.ErrorIs(t, err, battlenet.ErrNotFound, "%s", ch.Name)
			require.False(t, battlenet.Retryable(err))
			private++
			continue
		}
		require.NoError(t, err, "%s-%s", ch.Name, ch.Realm.Slug)
		public++
		if utf8.RuneCountInString(ch.Name) != len(ch.Name) {
			accented++
		}
		assert.Equal(t, ch.ID, eq.Character.ID)
		assert.NotEmpty(t, resp.LastModified)
		// The stored Last-Modified makes the next request conditional: 304, carrying it.
		_, _, err = c.Equipment(ctx, "eu", "", ch.Realm.Slug, ch.Name, resp.LastModified)
		require.ErrorIs(t, err, battlenet.ErrNotModified)
		var be *battlenet.Error
		require.True(t, errors.As(err, &be))
		assert.Equal(t, resp.LastModified, be.LastModified)
	}
	assert.Positive(t, private)
	assert.Positive(t, accented, "accented names resolve through the percent-encoded path")
	assert.Equal(t, int64(public), fake.Stats().Count(fakeblizzard.EndpointEquipment, 304))
}

func TestAgainstFakeRevokedTokenIsReplaced(t *testing.T) {
	fake, c := fakeClient(t, fakeblizzard.Options{Seed: 4, Characters: 10, Brackets: []string{"3v3"}}, 10000)
	ctx := context.Background()
	_, err := c.SeasonIndex(ctx, "us", "")
	require.NoError(t, err)
	fake.RevokeTokens()
	_, err = c.SeasonIndex(ctx, "us", "")
	require.NoError(t, err, "a 401 drops the token and retries once with a new one")
	assert.Equal(t, int64(2), fake.Stats().Count(fakeblizzard.EndpointToken, 200))
	assert.Equal(t, int64(1), fake.Stats().Count(fakeblizzard.EndpointSeasonIndex, 401))
}

func TestAgainstFakeRateLimitAndMalformed(t *testing.T) {
	fake, c := fakeClient(t, fakeblizzard.Options{Seed: 5, Characters: 20, Brackets: []string{"3v3"}, PrivateFraction: -1}, 10000)
	ctx := context.Background()
	board, err := c.Leaderboard(ctx, "us", "", 42, "3v3")
	require.NoError(t, err)
	ch := board.Entries[0].Character

	fake.SetFaults(fakeblizzard.Faults{RPS: 1, RetryAfter: true})
	var limited error
	for range 5 {
		if _, _, err := c.Profile(ctx, "us", "", ch.Realm.Slug, ch.Name, ""); err != nil {
			limited = err
			break
		}
	}
	require.ErrorIs(t, limited, battlenet.ErrRateLimited)
	d, ok := battlenet.RetryAfter(limited)
	require.True(t, ok)
	assert.Equal(t, time.Second, d)

	fake.SetFaults(fakeblizzard.Faults{MalformedRate: 1})
	_, _, err = c.Equipment(ctx, "us", "", ch.Realm.Slug, ch.Name, "")
	require.ErrorIs(t, err, battlenet.ErrDecode)
	assert.Contains(t, err.Error(), "/equipment")
}

// Pacing at 50 req/s keeps a fake that rejects above 55 req/s from ever answering 429: 150 requests from
// 8 goroutines take 3 s, within 5 %.
func TestAgainstFakePacingAvoids429(t *testing.T) {
	fake, c := fakeClient(t, fakeblizzard.Options{Seed: 6, Characters: 10, Brackets: []string{"3v3"}, RPS: 55}, 50)
	ctx := context.Background()
	_, err := c.SeasonIndex(ctx, "us", "") // token and first slot
	require.NoError(t, err)
	const n = 150
	jobs := make(chan struct{}, n)
	for range n {
		jobs <- struct{}{}
	}
	close(jobs)
	var wg sync.WaitGroup
	began := time.Now()
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range jobs {
				if _, err := c.SeasonIndex(ctx, "us", ""); err != nil {
					t.Errorf("request failed: %v", err)
				}
			}
		}()
	}
	wg.Wait()
	rate := n / time.Since(began).Seconds()
	assert.InEpsilon(t, 50, rate, 0.05, "requests per second: %.1f", rate)
	assert.Zero(t, fake.Stats().Count(fakeblizzard.EndpointSeasonIndex, 429))
}
