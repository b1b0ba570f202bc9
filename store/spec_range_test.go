package store_test

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/pvpsync/pvpsync/store"
)

// A spec id that does not fit the integer column must be refused before any SQL runs (the zero Store
// has no pool), not wrapped into some other spec by the int32 conversion.
func TestSaveSpecializationsRejectsOutOfRangeSpecID(t *testing.T) {
	for _, id := range []int{-1, math.MaxInt32 + 1} {
		_, err := (&store.Store{}).SaveSpecializations(t.Context(), 1, time.Now(),
			[]store.EntrySpec{{EntryID: 7, SpecID: id}}, 0, "")
		require.ErrorIs(t, err, store.ErrInvalidRow, "spec id %d", id)
	}
}
