package activities

import (
	"context"
	"time"

	"go.uber.org/zap"

	"github.com/pvpsync/pvpsync/meta"
	"github.com/pvpsync/pvpsync/retry"
)

// RefreshMetaInput names the region whose sync just ended. The refresh covers every region (one
// materialized view); the region only scopes the result's counts and the log line.
type RefreshMetaInput struct {
	Region string `json:"region"`
}

// RefreshMetaResult is what meta pages of the region read from now on.
type RefreshMetaResult struct {
	Boards     int   `json:"boards"`     // boards of the region with a complete snapshot
	Characters int   `json:"characters"` // their rows: ranked characters with known gear or talents
	Millis     int64 `json:"millis"`     // how long the refresh took
}

// RefreshMeta makes the latest complete snapshot of every board readable by meta pages (meta_entries),
// without blocking readers: they see the previous snapshot until the refresh commits. Run it at the end
// of a region sync, after every board is marked complete. It is idempotent, so a retry is harmless.
func (a *Activities) RefreshMeta(ctx context.Context, in RefreshMetaInput) (RefreshMetaResult, error) {
	began := time.Now()
	if err := meta.Refresh(ctx, a.Store.Pool); err != nil {
		return RefreshMetaResult{}, retry.AsTemporal(ctx, "refresh meta", err)
	}
	res := RefreshMetaResult{Millis: time.Since(began).Milliseconds()}
	if in.Region != "" {
		cov, err := meta.RegionCoverage(ctx, a.Store.Pool, in.Region)
		if err != nil {
			return res, retry.AsTemporal(ctx, "count meta rows", err)
		}
		res.Boards, res.Characters = cov.Boards, cov.Characters
	}
	a.log().Info("meta refreshed", zap.String("region", in.Region), zap.Int("boards", res.Boards),
		zap.Int("characters", res.Characters), zap.Int64("millis", res.Millis))
	return res, nil
}
