package gear

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/pvpsync/pvpsync/battlenet"
)

func addFixtureSeeds(f *testing.F, dir string) {
	paths, err := filepath.Glob(filepath.Join(fixtureDir, dir, "*.json"))
	if err != nil || len(paths) == 0 {
		f.Fatalf("no seed fixtures in %s: %v", dir, err)
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{}`))
	f.Add([]byte(`null`))
}

func FuzzSummarize(f *testing.F) {
	addFixtureSeeds(f, "equipment")
	f.Add([]byte(`{"equipped_items":[{"item":{"id":1},"slot":{"type":"MAIN_HAND"},"inventory_type":{"type":"TWOHWEAPON"},"level":{"value":9223372036854775807}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var e battlenet.Equipment
		if json.Unmarshal(data, &e) != nil {
			return
		}
		_, _ = ClassTierSet(&e)
		il := ItemLevel(e.EquippedItems)
		g, err := Summarize(&e)
		if err != nil {
			if !errors.Is(err, ErrNoItems) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if g.ItemLevel != il {
			t.Fatalf("Summarize item level %d, ItemLevel %d", g.ItemLevel, il)
		}
		nonNegative := true
		for _, it := range e.EquippedItems {
			if it.Level.Value < 0 {
				nonNegative = false
			}
		}
		if nonNegative && g.ItemLevel < 0 {
			t.Fatalf("negative item level %d from non-negative levels", g.ItemLevel)
		}
		items := map[int64]bool{}
		for _, it := range g.Items {
			if items[it.BlizzardID] {
				t.Fatalf("item %d listed twice", it.BlizzardID)
			}
			items[it.BlizzardID] = true
		}
		slots := map[string]bool{}
		for _, s := range g.Slots {
			if slots[s.Slot] {
				t.Fatalf("slot %q listed twice", s.Slot)
			}
			slots[s.Slot] = true
			if !items[s.ItemBlizzardID] {
				t.Fatalf("slot %s holds item %d missing from Items", s.Slot, s.ItemBlizzardID)
			}
			if s.EnchantmentIDs == nil || s.GemItemIDs == nil || s.BonusList == nil {
				t.Fatalf("slot %s has a nil array", s.Slot)
			}
		}
		if g.TierSet != nil && g.TierSet.Pieces <= 0 {
			t.Fatalf("tier set with %d pieces", g.TierSet.Pieces)
		}
	})
}

func FuzzSelectLoadout(f *testing.F) {
	addFixtureSeeds(f, "specializations")
	f.Fuzz(func(t *testing.T, data []byte) {
		var s battlenet.Specializations
		if json.Unmarshal(data, &s) != nil {
			return
		}
		_ = ClassOf(&s)
		ids := []int{0, -1}
		for _, d := range s.Specializations {
			ids = append(ids, int(d.Specialization.ID))
		}
		for _, id := range ids {
			lo, ok := SelectLoadout(&s, id)
			if !ok {
				continue
			}
			if id > 0 && lo.SpecID != id {
				t.Fatalf("asked for spec %d, got %d", id, lo.SpecID)
			}
			if lo.Class == nil || lo.Spec == nil || lo.Hero == nil || lo.Pvp == nil {
				t.Fatalf("nil talent list for spec %d", lo.SpecID)
			}
		}
	})
}
