package gear

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/pvpsync/pvpsync/battlenet"
)

const fixtureDir = "../../shared/fixtures/blizzard"

// decodeFixture reads a captured Battle.net response into v, the way the client decodes it.
func decodeFixture(t testing.TB, rel string, v any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixtureDir, rel))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, v), rel)
}

func equipmentFixture(t testing.TB, name string) *battlenet.Equipment {
	var e battlenet.Equipment
	decodeFixture(t, "equipment/"+name+".json", &e)
	return &e
}

func specializationsFixture(t testing.TB, name string) *battlenet.Specializations {
	var s battlenet.Specializations
	decodeFixture(t, "specializations/"+name+".json", &s)
	return &s
}

func profileFixture(t testing.TB, name string) *battlenet.Profile {
	var p battlenet.Profile
	decodeFixture(t, "profile/"+name+".json", &p)
	return &p
}

// item builds a synthetic equipped item.
func item(slot string, id int64, level int, inventoryType string) battlenet.EquippedItem {
	return battlenet.EquippedItem{
		Item:          battlenet.KeyRef{ID: id},
		Slot:          battlenet.TypeName{Type: slot},
		InventoryType: battlenet.TypeName{Type: inventoryType},
		Level:         battlenet.ItemLevel{Value: level},
	}
}
