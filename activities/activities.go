// Package activities holds pvpsync's Temporal activities: the only code that talks to Battle.net and
// PostgreSQL on behalf of the workflows. Errors from both become Temporal errors in one place
// (retry.AsTemporal), so retry behaviour is decided by kind, never by string matching.
package activities

import (
	"time"

	"go.uber.org/zap"

	"github.com/pvpsync/pvpsync/battlenet"
	"github.com/pvpsync/pvpsync/store"
	"github.com/pvpsync/pvpsync/triage"
)

// Config holds the knobs operators set through PVP_* variables.
type Config struct {
	EquipmentTTL        time.Duration // PVP_EQUIPMENT_SNAPSHOT_TTL_HOURS: with idle detection off, reuse a state this fresh
	IdleMaxAge          time.Duration // PVP_IDLE_MAX_AGE: an idle character's gear is read at least this often; 0 = off
	UnavailableCooldown time.Duration // PVP_UNAVAILABLE_COOLDOWN: no request for a character after a 404, this long
	CharacterMetaTTL    time.Duration // PVP_CHARACTER_META_TTL: refresh class/race/faction this often
	RetentionDays       int           // PVP_SNAPSHOT_RETENTION_DAYS: keep entry snapshots this long
}

// Rules are the triage rules this configuration sets.
func (c Config) Rules() triage.Rules {
	return triage.Rules{IdleMaxAge: c.IdleMaxAge, ReuseTTL: c.EquipmentTTL, MetaTTL: c.CharacterMetaTTL}
}

// Activities holds the dependencies every activity method uses.
type Activities struct {
	Store     *store.Store
	Battlenet *battlenet.Clients
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

func (a *Activities) log() *zap.Logger {
	if a.Log == nil {
		return zap.NewNop()
	}
	return a.Log
}
