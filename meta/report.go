package meta

import (
	"math"
	"time"
)

// Report is one spec's meta on one board, as the JSON a web front end reads (`starter meta -o json`).
// Every count is of characters; every percentage is of the characters whose side is known: gear lists
// (slots, gems, tier sets, item level) of WithGear, talent lists of WithTalents.
type Report struct {
	Region  string `json:"region"`
	Bracket string `json:"bracket"`
	Spec    Spec   `json:"spec"`
	Filter  Filter `json:"filter"`
	// SnapshotAt is the board's latest complete snapshot the figures come from; nil when the spec has
	// no character there (or the board never completed a sync).
	SnapshotAt  *time.Time `json:"snapshot_at"`
	Characters  int        `json:"characters"`   // characters kept by the filter
	WithGear    int        `json:"with_gear"`    // of which gear is known
	WithTalents int        `json:"with_talents"` // of which talents are known
	Rating      Range      `json:"rating"`
	ItemLevel   ItemLevel  `json:"item_level"`
	Slots       []Slot     `json:"slots"` // in character-sheet order (Slots), only those worn
	Gems        []Usage    `json:"gems"`  // characters with the gem in at least one socket
	TierSets    []Tier     `json:"tier_sets"`
	HeroTrees   []Usage    `json:"hero_trees"` // id 0: no hero tree
	// Talents lists every selected talent, class tree first, then spec, then hero; within a tree the
	// most picked nodes first.
	Talents    []Talent  `json:"talents"`
	PvpTalents []Usage   `json:"pvp_talents"`
	Loadouts   []Loadout `json:"loadouts"` // the most common loadout codes
}

// Spec names the reported spec.
type Spec struct {
	ID        int    `json:"id"`
	Name      string `json:"name"`       // "Frost"
	ClassName string `json:"class_name"` // "Mage"
	Role      string `json:"role"`       // tank, healer or damage
}

// Filter echoes what was asked; zero values mean "no filter".
type Filter struct {
	Top       int    `json:"top,omitempty"`
	MinRating int    `json:"min_rating,omitempty"`
	Slot      string `json:"slot,omitempty"`
	Limit     int    `json:"limit"`
}

// Range is the ratings of the characters kept.
type Range struct {
	Min int `json:"min"`
	Max int `json:"max"`
}

// ItemLevel is the distribution of equipped item levels (as Battle.net computes them); percentiles are
// levels some character has (percentile_disc).
type ItemLevel struct {
	Min    int     `json:"min"`
	P10    int     `json:"p10"`
	P25    int     `json:"p25"`
	Median int     `json:"median"`
	P75    int     `json:"p75"`
	P90    int     `json:"p90"`
	Max    int     `json:"max"`
	Mean   float64 `json:"mean"`
}

// Usage is one choice and how common it is.
type Usage struct {
	ID      int64   `json:"id"`
	Name    string  `json:"name"`
	Count   int     `json:"count"`
	Percent float64 `json:"percent"`
}

// Slot is what the characters wear in one slot: the most common items and enchantments.
type Slot struct {
	Slot     string  `json:"slot"`
	Items    []Usage `json:"items"`
	Enchants []Usage `json:"enchants"`
}

// Tier is how many pieces of a class tier set the characters wear; SetID 0 and Pieces 0 is no set.
type Tier struct {
	SetID   int64   `json:"set_id"`
	Name    string  `json:"name"`
	Pieces  int     `json:"pieces"`
	Count   int     `json:"count"`
	Percent float64 `json:"percent"`
}

// Talent is one talent of a node and its pick rate; NodeCount and NodePercent are the node's (any of
// its choices: a choice node offers two talents). TalentID 0 (and no name) counts the picks whose
// tooltip Battle.net omitted: only their node is known.
type Talent struct {
	Tree        string  `json:"tree"` // class, spec or hero
	NodeID      int64   `json:"node_id"`
	TalentID    int64   `json:"talent_id"`
	Name        string  `json:"name"`
	Count       int     `json:"count"`
	Percent     float64 `json:"percent"`
	NodeCount   int     `json:"node_count"`
	NodePercent float64 `json:"node_percent"`
}

// Loadout is a talent loadout code, copyable into the game, and how many characters use it.
type Loadout struct {
	Code     string  `json:"code"`
	HeroTree string  `json:"hero_tree"`
	Count    int     `json:"count"`
	Percent  float64 `json:"percent"`
}

// percent is n of base in percent, to two decimals; 0 of nothing is 0.
func percent(n, base int) float64 {
	if base == 0 {
		return 0
	}
	return math.Round(float64(n)*10000/float64(base)) / 100
}
