package meta_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pvpsync/pvpsync/battlenet"
	"github.com/pvpsync/pvpsync/meta"
)

func TestNormalize(t *testing.T) {
	q, err := meta.Query{Region: "eu", Bracket: "shuffle-mage-frost", Slot: " trinket_1 "}.Normalize()
	require.NoError(t, err)
	assert.Equal(t, meta.Query{Region: "eu", Bracket: "shuffle-mage-frost", SpecID: 64, Slot: "TRINKET_1", Limit: meta.DefaultLimit}, q,
		"the board's spec, the slot's spelling, the default limit")

	q, err = meta.Query{Region: "us", Bracket: "3v3", SpecID: 250, Top: 100, MinRating: 2400, Limit: 3}.Normalize()
	require.NoError(t, err)
	assert.Equal(t, meta.Query{Region: "us", Bracket: "3v3", SpecID: 250, Top: 100, MinRating: 2400, Limit: 3}, q)

	for _, tc := range []struct {
		q    meta.Query
		want string
	}{
		{meta.Query{Region: "cn", Bracket: "3v3", SpecID: 64}, `unknown region "cn"`},
		{meta.Query{Region: "eu", Bracket: "5v5", SpecID: 64}, `unknown bracket "5v5"`},
		{meta.Query{Region: "eu", Bracket: "shuffle-mage-bogus"}, `unknown bracket`},
		{meta.Query{Region: "eu", Bracket: "2v2"}, "ranks every spec: name one"},
		{meta.Query{Region: "eu", Bracket: "rbg", SpecID: 999}, "unknown spec id 999"},
		{meta.Query{Region: "eu", Bracket: "shuffle-mage-frost", SpecID: 63}, "ranks spec 64 only, not spec 63"},
		{meta.Query{Region: "eu", Bracket: "3v3", SpecID: 64, Top: -1}, "top must be positive"},
		{meta.Query{Region: "eu", Bracket: "3v3", SpecID: 64, MinRating: -5}, "minimum rating must be positive"},
		{meta.Query{Region: "eu", Bracket: "3v3", SpecID: 64, Slot: "POCKET"}, `unknown slot "POCKET"`},
		{meta.Query{Region: "eu", Bracket: "3v3", SpecID: 64, Limit: 100000}, "limit must be between"},
	} {
		_, err := tc.q.Normalize()
		require.ErrorIs(t, err, meta.ErrInvalidQuery, "%+v", tc.q)
		assert.Contains(t, err.Error(), tc.want)
	}
}

func TestParseSpec(t *testing.T) {
	for in, want := range map[string]int{
		"mage-frost": 64, "Mage-Frost": 64, "deathknight-frost": 251, "demonhunter-devourer": 1480,
		"hunter-beastmastery": 253, "64": 64, " 1473 ": 1473,
	} {
		sp, err := meta.ParseSpec(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, sp.ID, in)
	}
	// Every spec parses from the bracket spelling.
	for _, sp := range battlenet.Specs {
		got, err := meta.ParseSpec(sp.ClassSlug + "-" + sp.SpecSlug)
		require.NoError(t, err)
		assert.Equal(t, sp, got)
	}
	for _, in := range []string{"", "frost", "mage-frostfire", "death-knight-frost", "0", "12345"} {
		_, err := meta.ParseSpec(in)
		assert.ErrorIs(t, err, meta.ErrInvalidQuery, in)
	}
}
