package battlenet

// Roles as meta pages group specs. Augmentation counts as damage (it queues as a damage dealer).
const (
	RoleTank   = "tank"
	RoleHealer = "healer"
	RoleDamage = "damage"
)

var specRoles = map[int]string{
	250: RoleTank, 581: RoleTank, 104: RoleTank, 268: RoleTank, 66: RoleTank, 73: RoleTank,
	105: RoleHealer, 1468: RoleHealer, 270: RoleHealer, 65: RoleHealer, 256: RoleHealer, 257: RoleHealer, 264: RoleHealer,
}

// SpecRole is the role of a playable specialization: tank, healer or damage.
func SpecRole(specID int) string {
	if r, ok := specRoles[specID]; ok {
		return r
	}
	return RoleDamage
}
