-- +goose Up
-- When a 404 last marked the character private or unavailable: a later board of the same run then counts
-- the character as already handled (deduplicated) instead of skipped a second time.
ALTER TABLE characters ADD COLUMN unreadable_at timestamptz;

-- +goose Down
ALTER TABLE characters DROP COLUMN unreadable_at;
