package fakeblizzard

import (
	"math"
	"math/rand/v2"
	"slices"
)

// AdvanceReport says what one cycle of the world changed. Ids are Battle.net character ids, unique
// across regions (each region has its own id range), sorted ascending; the lists are never null.
type AdvanceReport struct {
	Cycle  int     `json:"cycle"`
	Played []int64 `json:"played"` // played rated games (private characters too)
	// GearChanged is every character whose equipment changed, IdleGearChanged included.
	GearChanged    []int64 `json:"gear_changed"`
	TalentsChanged []int64 `json:"talents_changed"`
	// IdleGearChanged changed gear without playing: their board entries did not move.
	IdleGearChanged []int64 `json:"idle_gear_changed"`
}

func newReport(cycle int) AdvanceReport {
	return AdvanceReport{Cycle: cycle, Played: []int64{}, GearChanged: []int64{}, TalentsChanged: []int64{}, IdleGearChanged: []int64{}}
}

func (r *AdvanceReport) merge(o AdvanceReport) {
	r.Played = append(r.Played, o.Played...)
	r.GearChanged = append(r.GearChanged, o.GearChanged...)
	r.TalentsChanged = append(r.TalentsChanged, o.TalentsChanged...)
	r.IdleGearChanged = append(r.IdleGearChanged, o.IdleGearChanged...)
	for _, l := range [][]int64{r.Played, r.GearChanged, r.TalentsChanged, r.IdleGearChanged} {
		slices.Sort(l)
	}
}

// Shares of a cycle: of the active characters, who also changes gear or talents; of the idle ones,
// who changes gear anyway.
const (
	gearShare    = 0.4
	talentShare  = 0.1
	idleGearRate = 0.02
)

// share is round(f*n), but at least one when there is anybody: a small test world still sees each
// kind of change every cycle.
func share(f float64, n int) int {
	if n == 0 {
		return 0
	}
	return max(1, int(math.Round(f*float64(n))))
}

// advance moves the region's world one cycle on: an active share of the characters ranked on the
// served boards play on some of their ladders, the ladders are re-ranked, and some characters change
// gear or talents. Everything is drawn from (seed, region, cycle), so it replays exactly.
func (w *world) advance(active float64) AdvanceReport {
	playable := laddersFor(w.opts, servedBrackets(w.opts))
	w.mu.Lock()
	defer w.mu.Unlock()
	w.cycle++
	rep := newReport(w.cycle)
	if active <= 0 {
		return rep
	}
	// Who is ranked on a served board, and on which ladders each of them is in the top.
	ranked := map[int64]bool{}
	for _, b := range servedBrackets(w.opts) {
		info, _ := bracketInfoFor(b)
		for _, r := range w.rankRows(info, w.currentLadder) {
			ranked[r.c.ID] = true
		}
	}
	on := map[int64][]*ladder{}
	for _, k := range playable {
		l := w.ladders[k]
		for _, st := range l.top() {
			if ranked[st.c.ID] {
				on[st.c.ID] = append(on[st.c.ID], l)
			}
		}
	}
	pool := make([]int64, 0, len(ranked))
	for id := range ranked {
		pool = append(pool, id)
	}
	slices.Sort(pool)

	r := newRand(derive(w.seed, strHash("advance"), hashInt(w.cycle)))
	players := pickSorted(r, pool, int(math.Round(active*float64(len(pool)))))
	playing := map[int64]bool{}
	dirty := map[*ladder]bool{}
	for _, id := range players {
		playing[id] = true
		pr := newRand(derive(w.seed, strHash("play"), hashInt(w.cycle), hashInt(id)))
		var chosen []*ladder
		for _, l := range on[id] {
			if chance(pr, 0.6) {
				chosen = append(chosen, l)
			}
		}
		if len(chosen) == 0 {
			chosen = append(chosen, pick(pr, on[id]))
		}
		for _, l := range chosen {
			l.byID[id].play(l.key.kind, pr)
			dirty[l] = true
		}
	}
	for _, k := range playable {
		if l := w.ladders[k]; dirty[l] {
			l.sort()
		}
	}
	rep.Played = players

	var activePublic, idlePublic []int64
	for _, id := range pool {
		switch c := w.byID[id]; {
		case c.Private:
		case playing[id]:
			activePublic = append(activePublic, id)
		default:
			idlePublic = append(idlePublic, id)
		}
	}
	gearN, idleN := gearChanges(w.opts.GearChange, len(activePublic), len(idlePublic))
	gear := pickSorted(r, activePublic, gearN)
	talents := pickSorted(r, activePublic, share(talentShare, len(activePublic)))
	idle := pickSorted(r, idlePublic, idleN)
	for _, id := range slices.Concat(gear, idle) {
		w.changeGearLocked(w.byID[id])
	}
	for _, id := range talents {
		w.changeTalentsLocked(w.byID[id])
	}
	rep.GearChanged = slices.Sorted(slices.Values(slices.Concat(gear, idle)))
	rep.TalentsChanged = talents
	rep.IdleGearChanged = idle
	return rep
}

// gearChanges is how many active and idle public characters change gear in a cycle: the default
// shares, or with Options.GearChange that fraction of all of them, players first.
func gearChanges(fraction float64, active, idle int) (fromActive, fromIdle int) {
	if fraction <= 0 {
		return share(gearShare, active), share(idleGearRate, idle)
	}
	n := int(math.Round(fraction * float64(active+idle)))
	fromActive = min(n, active)
	return fromActive, n - fromActive
}

// pickSorted draws n of the ids (sorted input) and returns them sorted.
func pickSorted(r *rand.Rand, ids []int64, n int) []int64 {
	out := make([]int64, 0, n)
	for _, i := range r.Perm(len(ids))[:min(n, len(ids))] {
		out = append(out, ids[i])
	}
	slices.Sort(out)
	return out
}
