// Package meta answers the question meta pages (best in slot, talents, ladders) ask of the mirror: for
// a spec on a bracket, among the top players, which item per slot, which enchant and gem, which tier
// set pieces, which hero tree, talents and PvP talents, which loadout code, and how common each is.
//
// PostgreSQL computes everything. The materialized view meta_entries (schema/migrations/00004_meta.sql)
// holds, per region and bracket, the latest complete snapshot of the newest board, one row per ranked
// character with known gear or talents; Refresh swaps it at the end of a region sync without blocking
// readers. Get aggregates a spec's rows at read time, in one read-only transaction, so every figure of
// a report comes from one snapshot.
package meta

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/pvpsync/pvpsync/battlenet"
)

// ErrInvalidQuery wraps every rejection of a Query: callers map it to a usage error.
var ErrInvalidQuery = errors.New("invalid meta query")

// DefaultLimit is how many choices a report lists per slot and per list when Query.Limit is 0.
const DefaultLimit = 10

// maxLimit bounds Query.Limit: more would only be a slower way to list everything.
const maxLimit = 1000

// Slots are the equipment slots Battle.net reports, in the order its character sheet shows them.
var Slots = []string{
	"HEAD", "NECK", "SHOULDER", "BACK", "CHEST", "SHIRT", "TABARD", "WRIST", "HANDS", "WAIST",
	"LEGS", "FEET", "FINGER_1", "FINGER_2", "TRINKET_1", "TRINKET_2", "MAIN_HAND", "OFF_HAND",
}

// Query says which rows to aggregate.
type Query struct {
	Region  string
	Bracket string
	// SpecID is the spec to report. On shuffle-/blitz- boards it may be 0 (the board's spec); on 2v2,
	// 3v3, rbg and the overall boards it is required: each entry there counts under its own spec.
	SpecID int
	// Top keeps the Top best-ranked characters of the spec with known gear or talents (0: all).
	Top int
	// MinRating keeps characters rated at least this (0: all). With Top too, both apply.
	MinRating int
	// Slot restricts the per-slot lists and the gems to one slot (empty: every slot).
	Slot string
	// Limit is how many choices each list shows, per slot for items and enchants (0: DefaultLimit).
	// Talents, hero trees and tier sets are always listed in full.
	Limit int
}

// Normalize validates the query and fills what can be derived: the spec of a per-spec board, the
// default limit, the slot's spelling. Errors wrap ErrInvalidQuery and say what to pass instead.
func (q Query) Normalize() (Query, error) {
	bad := func(format string, args ...any) (Query, error) {
		return Query{}, fmt.Errorf("%w: %s", ErrInvalidQuery, fmt.Sprintf(format, args...))
	}
	if err := battlenet.ValidateRegion(q.Region); err != nil {
		return bad("%v", err)
	}
	if err := battlenet.ValidateBracket(q.Bracket); err != nil {
		return bad("%v", err)
	}
	if boardSpec, ok := battlenet.BracketSpecID(q.Bracket); ok {
		if q.SpecID != 0 && q.SpecID != boardSpec {
			return bad("bracket %s ranks spec %d only, not spec %d", q.Bracket, boardSpec, q.SpecID)
		}
		q.SpecID = boardSpec
	} else if q.SpecID == 0 {
		return bad("bracket %s ranks every spec: name one (such as mage-frost)", q.Bracket)
	} else if _, ok := battlenet.SpecByID(q.SpecID); !ok {
		return bad("unknown spec id %d", q.SpecID)
	}
	if q.Top < 0 {
		return bad("top must be positive (0: every character), got %d", q.Top)
	}
	if q.MinRating < 0 {
		return bad("minimum rating must be positive (0: any), got %d", q.MinRating)
	}
	if q.Slot != "" {
		q.Slot = strings.ToUpper(strings.TrimSpace(q.Slot))
		if !slices.Contains(Slots, q.Slot) {
			return bad("unknown slot %q (want one of %s)", q.Slot, strings.Join(Slots, ", "))
		}
	}
	switch {
	case q.Limit < 0 || q.Limit > maxLimit:
		return bad("limit must be between 1 and %d, got %d", maxLimit, q.Limit)
	case q.Limit == 0:
		q.Limit = DefaultLimit
	}
	return q, nil
}

// ParseSpec reads a spec as bracket names write it, "{class}-{spec}" ("mage-frost",
// "deathknight-unholy", "demonhunter-havoc"), or as its playable-specialization id ("64").
func ParseSpec(s string) (battlenet.Spec, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if id, err := strconv.Atoi(s); err == nil {
		if sp, ok := battlenet.SpecByID(id); ok {
			return sp, nil
		}
		return battlenet.Spec{}, fmt.Errorf("%w: unknown spec id %d", ErrInvalidQuery, id)
	}
	for _, sp := range battlenet.Specs {
		if s == sp.ClassSlug+"-"+sp.SpecSlug {
			return sp, nil
		}
	}
	return battlenet.Spec{}, fmt.Errorf("%w: unknown spec %q (want {class}-{spec} as in bracket names, such as mage-frost or deathknight-unholy)", ErrInvalidQuery, s)
}
