package store_test

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pvpsync/pvpsync/gear"
	"github.com/pvpsync/pvpsync/store"
)

// Invalid specializations are refused with ErrInvalidRow and write nothing: no payload, no loadout, no
// catalogue row. A spec id the integer column cannot hold must be refused as invalid too, not fail as an
// encode error mid-transaction (or be wrapped into another spec by an int32 conversion).
func TestSaveSpecializationsRejectsInvalidInputWritingNothing(t *testing.T) {
	f := newChFixture(t)
	ctx := t.Context()
	c := f.character(t, 1001, "Jw")
	raw, valid, _ := chSpecializations(t, "jw")

	cases := []struct {
		name      string
		character int64
		raw       []byte
		mutate    func([]gear.Loadout) []gear.Loadout
		want      error
		noSQL     bool
	}{
		{name: "spec id 0", mutate: func(l []gear.Loadout) []gear.Loadout { l[0].SpecID = 0; return l }, want: store.ErrInvalidRow, noSQL: true},
		{name: "negative spec id", mutate: func(l []gear.Loadout) []gear.Loadout { l[1].SpecID = -1; return l }, want: store.ErrInvalidRow, noSQL: true},
		{name: "spec listed twice", mutate: func(l []gear.Loadout) []gear.Loadout { return append(l, l[0]) }, want: store.ErrInvalidRow, noSQL: true},
		{name: "spec id beyond int32", mutate: func(l []gear.Loadout) []gear.Loadout { l[2].SpecID = math.MaxInt32 + 1; return l },
			want: store.ErrInvalidRow, noSQL: true},
		{name: "raw is not JSON", raw: []byte(`{"specializations":[`), want: store.ErrInvalidRow},
		{name: "unknown character", character: 987654321, want: store.ErrNoCharacter},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			los := append([]gear.Loadout(nil), valid...)
			if tc.mutate != nil {
				los = tc.mutate(los)
			}
			body, character := raw, c
			if tc.raw != nil {
				body = tc.raw
			}
			if tc.character != 0 {
				character = tc.character
			}
			f.stmts.Reset()
			_, err := f.s.SaveSpecializations(ctx, character, body, chLM2, los)
			require.ErrorIs(t, err, tc.want, "BUG if 'spec id beyond int32' fails here: store/talents.go SaveSpecializations "+
				"only checks SpecID <= 0, so 2147483648 reaches the int4 column and fails as an encode error")
			if tc.noSQL {
				assert.Zero(t, f.stmts.Count()+f.stmts.TxControl(), "validated before any statement")
			}
			for _, table := range []string{"character_payloads", "talent_loadouts", "talents", "pvp_talents"} {
				assert.Zero(t, f.count(t, `SELECT count(*) FROM `+table), "table %s", table)
			}
		})
	}
}
