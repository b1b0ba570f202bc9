package store_test

import (
	"cmp"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pvpsync/pvpsync/store"
	"github.com/pvpsync/pvpsync/triage"
)

// chSortStats orders a fact's entries by board, which the store leaves unordered.
func chSortStats(f store.CharacterFacts) store.CharacterFacts {
	for _, s := range []*[]triage.Stats{&f.Current, &f.Previous} {
		*s = slices.Clone(*s)
		slices.SortFunc(*s, func(a, b triage.Stats) int { return cmp.Compare(a.LeaderboardID, b.LeaderboardID) })
	}
	return f
}

func TestPlanPageAttachesCurrentAndPreviousEntries(t *testing.T) {
	f := newChFixture(t)
	ctx := t.Context()
	a, b := f.boards["3v3"], f.boards["2v2"]
	s0, s1, s2 := chBase.Add(-2*time.Hour), chBase.Add(-time.Hour), chBase

	// Six characters on board A at three snapshots; the fourth also on board B at s1 and s2. At s2 the
	// second to fourth tie on rank 2, across the page boundary.
	row := func(i, rank, rating, wins int) store.BoardEntry {
		return store.BoardEntry{BlizzardID: int64(i), Name: []string{"", "Jw", "Egirlbooster", "Motívate", "Zwölf", "Private", "Away"}[i],
			RealmSlug: "sargeras", Faction: "HORDE", Rank: rank, Rating: rating, Wins: wins, Losses: 5}
	}
	save := func(board int64, snap time.Time, rows ...store.BoardEntry) {
		_, err := f.s.SaveBoard(ctx, store.SaveBoardInput{LeaderboardID: board, Region: "us", SnapshotAt: snap, Entries: rows})
		require.NoError(t, err)
	}
	save(a, s0, row(1, 1, 1001, 1), row(2, 2, 1002, 1), row(3, 3, 1003, 1), row(4, 4, 1004, 1), row(5, 5, 1005, 1), row(6, 6, 1006, 1))
	save(a, s1, row(1, 1, 2001, 10), row(2, 2, 2002, 10), row(3, 3, 2003, 10), row(4, 4, 2004, 10), row(5, 5, 2005, 10), row(6, 6, 2006, 10))
	save(a, s2, row(1, 1, 2001, 10), row(2, 2, 2002, 10), row(3, 2, 2050, 12), row(4, 2, 2004, 10), row(5, 5, 2005, 10), row(6, 6, 2006, 10))
	save(b, s1, row(4, 7, 1800, 3))
	save(b, s2, row(4, 7, 1830, 4))
	id := map[int]int64{}
	for i := 1; i <= 6; i++ {
		var cid int64
		require.NoError(t, f.s.Pool.QueryRow(ctx, `SELECT id FROM characters WHERE blizzard_id = $1`, i).Scan(&cid))
		id[i] = cid
	}

	st := f.save(t, id[1], "jw")
	require.Equal(t, 1, f.commit(t, id[1], s1, "3v3", st))                                    // processed at s1
	require.Equal(t, 1, f.commit(t, id[2], s2, "3v3", st))                                    // already processed at s2
	require.Equal(t, 2, f.commit(t, id[4], s1, "3v3", st))                                    // processed at s1, on two boards
	require.NoError(t, f.s.SaveProfile(ctx, id[3], store.ProfileMeta{ClassID: 4, RaceID: 2})) // never processed, meta known
	require.NoError(t, f.s.MarkPrivate(ctx, id[5]))
	until := time.Now().Add(24 * time.Hour).Truncate(time.Microsecond)
	require.NoError(t, f.s.MarkUnavailable(ctx, id[6], until))

	var got []store.CharacterFacts
	var ranks []int
	cur := store.RosterCursor{}
	for page := 0; ; page++ {
		require.Less(t, page, 5, "paging does not terminate")
		f.stmts.Reset()
		facts, err := f.s.PlanPage(ctx, a, s2, cur, 2)
		require.NoError(t, err)
		if len(facts) == 0 {
			break
		}
		assert.Equal(t, int64(2), f.stmts.Count(), "page %d: the roster and its entries", page)
		assert.Len(t, facts, 2)
		got = append(got, facts...)
		last := facts[len(facts)-1]
		cur = store.RosterCursor{AfterRank: last.Rank, AfterCharacterID: last.CharacterID}
	}
	require.Len(t, got, 6)
	var order []int64
	for _, fa := range got {
		order = append(order, fa.CharacterID)
		ranks = append(ranks, fa.Rank)
	}
	// Ties on rank 2 are broken by character id.
	tied := []int64{id[2], id[3], id[4]}
	slices.Sort(tied)
	assert.Equal(t, []int64{id[1], tied[0], tied[1], tied[2], id[5], id[6]}, order)
	assert.Equal(t, []int{1, 2, 2, 2, 5, 6}, ranks)
	byID := map[int64]store.CharacterFacts{}
	for _, fa := range got {
		byID[fa.CharacterID] = chSortStats(fa)
	}

	stat := func(board int64, rating, wins int, processed bool) triage.Stats {
		return triage.Stats{LeaderboardID: board, Rating: rating, Wins: wins, Losses: 5, Processed: processed}
	}
	// An entry at the processed snapshot, on a board that has entries at s2 as well (synced by this run).
	prevStat := func(board int64, rating, wins int) triage.Stats {
		st := stat(board, rating, wins, true)
		st.InRun = true
		return st
	}
	c1 := byID[id[1]]
	assert.Equal(t, []triage.Stats{stat(a, 2001, 10, false)}, c1.Current)
	assert.Equal(t, []triage.Stats{prevStat(a, 2001, 10)}, c1.Previous, "previous = the entries at the processed snapshot, not s0")
	assert.Equal(t, int64(1), c1.BlizzardID)
	assert.Equal(t, "Jw", c1.Name)
	assert.Equal(t, "us", c1.Region)
	assert.Equal(t, "sargeras", c1.RealmSlug)
	assert.Equal(t, chLM1, c1.EquipmentLastModified)
	assert.Equal(t, chLM2, c1.SpecializationsLastModified)
	assert.True(t, c1.HasState)
	assert.NotNil(t, c1.GearFetchedAt)
	require.NotNil(t, c1.ProcessedSnapshot)
	assert.True(t, c1.ProcessedSnapshot.Equal(s1))
	assert.Equal(t, a, c1.ProcessedBy)
	assert.Equal(t, "synced", c1.ProcessedOutcome)
	assert.False(t, c1.MetaKnown, "SaveBoard gives the faction only")

	c2 := byID[id[2]]
	assert.Equal(t, []triage.Stats{stat(a, 2002, 10, true)}, c2.Current, "already processed for this snapshot")
	assert.Empty(t, c2.Previous, "the processed snapshot is the current one: no entry counted twice")
	assert.True(t, c2.ProcessedSnapshot.Equal(s2))

	c3 := byID[id[3]]
	assert.Equal(t, []triage.Stats{stat(a, 2050, 12, false)}, c3.Current)
	assert.Empty(t, c3.Previous)
	assert.False(t, c3.HasState)
	assert.Nil(t, c3.GearFetchedAt)
	assert.Nil(t, c3.ProcessedSnapshot)
	assert.Empty(t, c3.EquipmentLastModified)
	assert.True(t, c3.MetaKnown)
	assert.NotNil(t, c3.MetaSyncedAt)
	assert.Equal(t, "Motívate", c3.Name, "names verbatim")

	c4 := byID[id[4]]
	assert.Equal(t, []triage.Stats{stat(a, 2004, 10, false), stat(b, 1830, 4, false)}, chSortStats(c4).Current)
	assert.Equal(t, []triage.Stats{prevStat(a, 2004, 10), prevStat(b, 1800, 3)}, chSortStats(c4).Previous)

	c5, c6 := byID[id[5]], byID[id[6]]
	assert.True(t, c5.Private)
	assert.NotNil(t, c5.UnreadableAt)
	assert.False(t, c6.Private)
	require.NotNil(t, c6.UnavailableUntil)
	assert.True(t, c6.UnavailableUntil.Equal(until))
	assert.NotNil(t, c6.UnreadableAt)

	// The facts drive the rules: unchanged since s1 is idle, a new character is fetched, a game played on
	// the second board is fetched, and a character another board already did is deduplicated.
	now := time.Now()
	rules := triage.Rules{IdleMaxAge: 24 * time.Hour, MetaTTL: 24 * time.Hour}
	assert.Equal(t, triage.Idle, triage.Decide(c1.Facts, s2, a, now, rules).Outcome)
	assert.Equal(t, triage.Deduplicated, triage.Decide(c2.Facts, s2, b, now, rules).Outcome)
	assert.Equal(t, triage.Decision{Outcome: triage.Fetch, Reason: triage.ReasonNew}, triage.Decide(c3.Facts, s2, a, now, rules))
	d4 := triage.Decide(c4.Facts, s2, a, now, rules)
	assert.Equal(t, triage.Fetch, d4.Outcome)
	assert.Equal(t, triage.ReasonPlayed, d4.Reason)

	// CharacterFacts reads the same facts for one character (without a rank).
	one, err := f.s.CharacterFacts(ctx, id[4], s2)
	require.NoError(t, err)
	want := c4
	want.Rank = 0
	assert.Equal(t, chSortStats(want), chSortStats(one))
	one, err = f.s.CharacterFacts(ctx, id[1], s1)
	require.NoError(t, err)
	assert.Equal(t, []triage.Stats{stat(a, 2001, 10, true)}, one.Current, "at s1, s1 is current")
	assert.Empty(t, one.Previous)
	_, err = f.s.CharacterFacts(ctx, 987654321, s2)
	require.ErrorIs(t, err, store.ErrNoCharacter)

	_, err = f.s.PlanPage(ctx, a, s2, store.RosterCursor{}, 0)
	require.Error(t, err)
	_, err = f.s.PlanPage(ctx, a, s2, store.RosterCursor{}, 10_001)
	require.Error(t, err)
}

func TestOldestGear(t *testing.T) {
	f := newChFixture(t)
	ctx := t.Context()
	now := time.Date(2025, 3, 2, 0, 0, 0, 0, time.UTC)
	snap, other := chBase, chBase.Add(time.Hour)
	chars := map[string]int64{}
	for i, name := range []string{"fiveHours", "twoHours", "never", "cooldownOver", "private", "coolingDown", "otherBoard", "otherSnapshot"} {
		chars[name] = f.character(t, int64(i+1), name)
	}
	for _, name := range []string{"fiveHours", "twoHours", "never", "cooldownOver", "private", "coolingDown"} {
		f.entry(t, "3v3", chars[name], snap)
	}
	f.entry(t, "2v2", chars["otherBoard"], snap)
	f.entry(t, "3v3", chars["otherSnapshot"], other)
	f.entry(t, "3v3", chars["never"], other)
	set := func(name string, age time.Duration, private bool, until *time.Time) {
		_, err := f.s.Pool.Exec(ctx, `UPDATE characters SET equipment_fetched_at = $2, is_private = $3, unavailable_until = $4 WHERE id = $1`,
			chars[name], now.Add(-age), private, until)
		require.NoError(t, err)
	}
	set("fiveHours", 5*time.Hour, false, nil)
	set("twoHours", 2*time.Hour, false, nil)
	set("cooldownOver", 7*time.Hour, false, &now) // a cooldown ending now is over
	set("private", 10*time.Hour, true, nil)
	later := now.Add(time.Hour)
	set("coolingDown", 20*time.Hour, false, &later)
	set("otherBoard", 30*time.Hour, false, nil)
	set("otherSnapshot", 40*time.Hour, false, nil)

	age, err := f.s.OldestGear(ctx, f.boards["3v3"], snap, now)
	require.NoError(t, err)
	assert.Equal(t, 7*time.Hour, age, "private and cooling-down characters are not counted, the never-read one has no age")
	age, err = f.s.OldestGear(ctx, f.boards["2v2"], snap, now)
	require.NoError(t, err)
	assert.Equal(t, 30*time.Hour, age)
	age, err = f.s.OldestGear(ctx, f.boards["3v3"], other, now)
	require.NoError(t, err)
	assert.Equal(t, 40*time.Hour, age)
	age, err = f.s.OldestGear(ctx, f.boards["shuffle-rogue-subtlety"], snap, now)
	require.NoError(t, err)
	assert.Zero(t, age, "no entry, no age")

	_, err = f.s.Pool.Exec(ctx, `DELETE FROM pvp_leaderboard_entries WHERE character_id = $1`, chars["otherSnapshot"])
	require.NoError(t, err)
	age, err = f.s.OldestGear(ctx, f.boards["3v3"], other, now)
	require.NoError(t, err)
	assert.Zero(t, age, "gear never read: 0")
}
