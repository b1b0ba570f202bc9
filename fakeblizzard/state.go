package fakeblizzard

import (
	"slices"
	"time"
)

// charState is what changed for a character since the world was generated. Only the changes are
// kept (the generated gear and talents are recomputed from the seed when needed), so a long-running
// living world costs a few hundred bytes per changed character. Equipment and specializations change
// separately, each with its own version (for the body cache) and its own Last-Modified, so a resource
// that did not change keeps answering 304.
type charState struct {
	gearOver []slotOverride // slots replaced since generation; never modified in place
	spec0    *specModel     // the active spec as last respecced; nil = as generated
	equipVer int
	specVer  int
	equipLM  time.Time
	specLM   time.Time
}

type slotOverride struct {
	idx  int
	slot slotModel
}

// charSnap is a character's state at one moment, with its models built. Models are immutable, so it
// is rendered and read without any lock.
type charSnap struct {
	c        *character
	gear     *gearModel
	talents  *talentModel
	equipVer int
	specVer  int
	equipLM  time.Time
	specLM   time.Time
}

// snap copies a character's state under the lock and builds its models outside it.
func (w *world) snap(c *character) charSnap {
	w.mu.RLock()
	st := charState{equipLM: c.lmBase, specLM: c.lmBase}
	if p := w.states[c.ID]; p != nil {
		st = *p
	}
	w.mu.RUnlock()
	return charSnap{
		c: c, gear: w.gearOf(c, st.gearOver), talents: w.talentsOf(c, st.spec0),
		equipVer: st.equipVer, specVer: st.specVer, equipLM: st.equipLM, specLM: st.specLM,
	}
}

// gearOf is the generated gear with the replaced slots put in.
func (w *world) gearOf(c *character, over []slotOverride) *gearModel {
	m := w.baseGear(c)
	for _, o := range over {
		m.slots[o.idx] = o.slot
	}
	return m
}

func (w *world) talentsOf(c *character, spec0 *specModel) *talentModel {
	m := w.baseTalents(c)
	if spec0 != nil {
		m.specs[0] = *spec0
	}
	return m
}

// profileLM is the profile's Last-Modified: it shows the item level and the active spec, so it moves
// with either.
func (s charSnap) profileLM() time.Time {
	return later(s.specLM, s.equipLM)
}

// stateLocked is the mutable state of a character; w.mu must be held for writing.
func (w *world) stateLocked(c *character) *charState {
	st := w.states[c.ID]
	if st == nil {
		st = &charState{equipLM: c.lmBase, specLM: c.lmBase}
		w.states[c.ID] = st
	}
	return st
}

// Last-Modified of a change: the world's clock starts after every generated date and ticks an hour per
// cycle; a change lands at a per-character second within the hour of its cycle and never before the
// resource's previous date, so dates only move forward and two servers with the same seed agree.
func (w *world) changeTime(c *character, what string, prev time.Time, ver int) time.Time {
	clock := seasonStart(w.opts.Season).Add(62*24*time.Hour + time.Duration(w.cycle)*time.Hour)
	off := time.Duration(1+derive(w.seed, strHash("lm-"+what), hashInt(c.ID), hashInt(ver))%3599) * time.Second
	return later(clock, prev).Add(off)
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// changeGearLocked upgrades a character's gear once; w.mu must be held for writing.
func (w *world) changeGearLocked(c *character) {
	st := w.stateLocked(c)
	st.equipVer++
	next, changed := upgradeGear(c, w.gearOf(c, st.gearOver), newRand(derive(w.seed, strHash("upgrade"), hashInt(c.ID), hashInt(st.equipVer))))
	over := slices.Clone(st.gearOver)
	for _, i := range changed {
		j := slices.IndexFunc(over, func(o slotOverride) bool { return o.idx == i })
		if j < 0 {
			over = append(over, slotOverride{idx: i})
			j = len(over) - 1
		}
		over[j].slot = next.slots[i]
	}
	st.gearOver = over
	st.equipLM = w.changeTime(c, "equipment", st.equipLM, st.equipVer)
}

// changeTalentsLocked respecs a character once; w.mu must be held for writing.
func (w *world) changeTalentsLocked(c *character) {
	st := w.stateLocked(c)
	st.specVer++
	next := w.retalent(c, w.talentsOf(c, st.spec0), newRand(derive(w.seed, strHash("retalent"), hashInt(c.ID), hashInt(st.specVer))))
	st.spec0 = &next.specs[0]
	st.specLM = w.changeTime(c, "specializations", st.specLM, st.specVer)
}

// changeGear gives n public characters ranked on the given boards of the current season new gear and
// new talents, chosen deterministically from the seed and how many times it was called before.
func (w *world) changeGear(brackets []string, n int) ([]int64, error) {
	seen := map[int64]bool{}
	var pool []int64
	for _, b := range brackets {
		v, err := w.board(w.opts.Season, b)
		if err != nil {
			return nil, err
		}
		for _, r := range v.rows {
			if c := r.c; !c.Private && !seen[c.ID] {
				seen[c.ID] = true
				pool = append(pool, c.ID)
			}
		}
	}
	slices.Sort(pool)
	w.mu.Lock()
	defer w.mu.Unlock()
	r := newRand(derive(w.seed, strHash("change-gear"), hashInt(w.changeRound)))
	w.changeRound++
	n = min(n, len(pool))
	picked := make([]int64, 0, n)
	for _, i := range r.Perm(len(pool))[:n] {
		c := w.byID[pool[i]]
		w.changeGearLocked(c)
		w.changeTalentsLocked(c)
		picked = append(picked, c.ID)
	}
	return picked, nil
}
