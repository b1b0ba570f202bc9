package battlenet

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestSpecRoles(t *testing.T) {
	count := map[string]int{}
	for _, s := range Specs {
		count[SpecRole(s.ID)]++
	}
	// Six tank specs, seven healers, the other 27 deal damage.
	assert.Equal(t, map[string]int{RoleTank: 6, RoleHealer: 7, RoleDamage: 27}, count)
	for id := range specRoles {
		_, ok := SpecByID(id)
		assert.True(t, ok, "role for unknown spec %d", id)
	}
	assert.Equal(t, RoleHealer, SpecRole(1468))
	assert.Equal(t, RoleDamage, SpecRole(1473))
}
