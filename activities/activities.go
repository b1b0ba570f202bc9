// Package activities holds pvpsync's Temporal activities: the only code that talks to Battle.net and
// PostgreSQL on behalf of the workflows. Errors from both are turned into Temporal errors in one place
// (AsTemporal), so retry behaviour is decided by kind, never by string matching.
package activities

import (
	"time"

	"go.uber.org/zap"

	"github.com/pvpsync/pvpsync/battlenet"
	"github.com/pvpsync/pvpsync/store"
)

// Config holds the knobs operators set through PVP_* variables.
type Config struct {
	EquipmentTTL        time.Duration // PVP_EQUIPMENT_SNAPSHOT_TTL_HOURS: reuse a snapshot processed this recently
	UnavailableCooldown time.Duration // PVP_UNAVAILABLE_COOLDOWN: no request for a character after a 404, this long
	CharacterMetaTTL    time.Duration // PVP_CHARACTER_META_TTL: refresh class/race/faction this often
	RetentionDays       int           // PVP_SNAPSHOT_RETENTION_DAYS: keep entry snapshots this long
}

// Activities holds the dependencies every activity method uses.
type Activities struct {
	Store     *store.Store
	Battlenet *battlenet.Client
	Config    Config
	Log       *zap.Logger
	Now       func() time.Time // wall clock; tests pin it
}

func (a *Activities) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
}
