package forecast

import (
	"time"

	"github.com/pvpsync/pvpsync/battlenet"
	"github.com/pvpsync/pvpsync/store"
	"github.com/pvpsync/pvpsync/triage"
)

// AsNextRun turns the facts of a board's latest stored snapshot into those of the next run if nobody
// played in between: the same entries, not processed yet, compared with what the characters were last
// processed with. It is the lower bound `starter plan` gives without fetching the boards.
func AsNextRun(facts []store.CharacterFacts, stored time.Time) []store.CharacterFacts {
	out := make([]store.CharacterFacts, len(facts))
	for i, f := range facts {
		cur := make([]triage.Stats, len(f.Current))
		for j, st := range f.Current {
			st.Processed = false
			cur[j] = st
		}
		if f.ProcessedSnapshot != nil && f.ProcessedSnapshot.Equal(stored) {
			// Processed at the stored snapshot itself: that is what the next run compares with.
			f.Previous = f.Current
		}
		f.Current = cur
		out[i] = f
	}
	return out
}

// FetchedBoard is a board just fetched from Battle.net.
type FetchedBoard struct {
	Bracket string
	Board   int64 // leaderboard id in the mirror
	Entries []battlenet.LeaderboardEntry
}

// FromBoards builds the facts of boards just fetched: each character's current stats are its entries on
// every one of these boards (idle detection compares all of them), compared with what the mirror knows
// of it (nothing, for a character new to the mirror).
func FromBoards(boards []FetchedBoard, known map[int64]store.CharacterFacts) []Entries {
	current := map[int64][]triage.Stats{}
	for _, b := range boards {
		seen := map[int64]bool{}
		for _, e := range b.Entries {
			if id := e.Character.ID; !seen[id] {
				seen[id] = true
				current[id] = append(current[id], triage.Stats{LeaderboardID: b.Board, Rating: e.Rating,
					Wins: e.SeasonMatchStatistics.Won, Losses: e.SeasonMatchStatistics.Lost})
			}
		}
	}
	out := make([]Entries, 0, len(boards))
	for _, b := range boards {
		list := Entries{Bracket: b.Bracket, Board: b.Board}
		seen := map[int64]bool{}
		for _, e := range b.Entries {
			id := e.Character.ID
			if seen[id] {
				continue // a character listed twice keeps its first (best) rank, as SaveBoard does
			}
			seen[id] = true
			f, ok := known[id]
			if !ok {
				f = store.CharacterFacts{BlizzardID: id, Name: e.Character.Name, RealmSlug: e.Character.Realm.Slug}
				f.CharacterID = -id // unknown to the mirror: any key unique among the characters
			}
			f.Rank, f.Current = e.Rank, current[id]
			f.Previous = markInRun(f.Previous, boards)
			list.Facts = append(list.Facts, f)
		}
		out = append(out, list)
	}
	return out
}

// markInRun marks the previous entries on the boards being planned (a copy: facts are shared between
// boards): a character gone from one of them is fetched, as in the run.
func markInRun(previous []triage.Stats, boards []FetchedBoard) []triage.Stats {
	out := make([]triage.Stats, len(previous))
	for i, p := range previous {
		for _, b := range boards {
			p.InRun = p.InRun || p.LeaderboardID == b.Board
		}
		out[i] = p
	}
	return out
}
