-- +goose Up
-- The snapshot of each board whose sync finished: meta pages read complete snapshots only, never one
-- still being written, and never two of one board mixed.
ALTER TABLE pvp_leaderboards ADD COLUMN completed_snapshot_at timestamptz;

-- What meta pages (best in slot, talents, ladders) aggregate: per region and bracket, the board of the
-- newest season with a complete snapshot, and of that snapshot only, one row per ranked character whose gear or
-- talents are known (private and failed characters have neither). Materialized, because the latest
-- complete snapshot moves only at the end of a sync: meta.Refresh runs REFRESH ... CONCURRENTLY then,
-- which lets readers go on reading the previous rows and swaps every board in one commit, so a reader
-- never sees two snapshots of a board. Aggregates are computed at read time over these rows (a spec on
-- one board is a few thousand characters at most), so any top-N or minimum rating can be asked.
-- spec_rank is the place among the spec's rows on the board (1 = best ranked): "the top 100 frost
-- mages" is spec_rank <= 100, and the index below serves it for every bracket, 3v3 included.
CREATE MATERIALIZED VIEW meta_entries AS
SELECT b.region, b.bracket, b.id AS pvp_leaderboard_id, b.pvp_season_id, e.snapshot_at, e.spec_id,
       (row_number() OVER (PARTITION BY b.id, e.spec_id ORDER BY e.rank, e.character_id))::integer AS spec_rank,
       e.character_id, e.rank, e.rating, e.gear_build_id, e.talent_loadout_id
FROM (
    -- The newest season first: a later sync of a past season (starter sync --season) does not take
    -- the meta pages back to it.
    SELECT DISTINCT ON (l.region, l.bracket) l.id, l.region, l.bracket, l.pvp_season_id, l.completed_snapshot_at
    FROM pvp_leaderboards AS l
    JOIN pvp_seasons AS s ON s.id = l.pvp_season_id
    WHERE l.completed_snapshot_at IS NOT NULL
    ORDER BY l.region, l.bracket, s.blizzard_id DESC, l.completed_snapshot_at DESC, l.id DESC
) AS b
JOIN pvp_leaderboard_entries AS e ON e.pvp_leaderboard_id = b.id AND e.snapshot_at = b.completed_snapshot_at
WHERE e.spec_id IS NOT NULL AND (e.gear_build_id IS NOT NULL OR e.talent_loadout_id IS NOT NULL);
-- The unique index REFRESH ... CONCURRENTLY needs (one row per character per region and bracket).
CREATE UNIQUE INDEX index_meta_entries_on_board_character ON meta_entries (region, bracket, character_id);
-- A spec's rows in rank order, with what the aggregates join on: index-only scans.
CREATE INDEX index_meta_entries_on_spec_rank ON meta_entries (region, bracket, spec_id, spec_rank)
    INCLUDE (rating, gear_build_id, talent_loadout_id);
-- Region, bracket and spec are far from independent (a shuffle board holds one spec): without these
-- statistics the planner takes a spec's thousand rows for a handful and joins them accordingly.
CREATE STATISTICS meta_entries_board_spec (dependencies, ndistinct, mcv) ON region, bracket, spec_id FROM meta_entries;

-- One row per meta row and equipped slot: the item (items.blizzard_id), its level, enchantments and
-- gems (items too). Filters on meta_entries' columns reach its index through the view.
CREATE VIEW meta_entry_slots AS
SELECT m.region, m.bracket, m.spec_id, m.spec_rank, m.rating, m.character_id, m.snapshot_at,
       s.slot, gi.item_id, gi.item_level, gi.enchantment_ids, gi.gem_item_ids
FROM meta_entries AS m
JOIN gear_builds AS b ON b.id = m.gear_build_id
CROSS JOIN LATERAL unnest(b.slots, b.gear_item_ids) AS s(slot, gear_item_id)
JOIN gear_items AS gi ON gi.id = s.gear_item_id;

-- One row per meta row and selected talent (tree class, spec or hero; names in talents).
CREATE VIEW meta_entry_talents AS
SELECT m.region, m.bracket, m.spec_id, m.spec_rank, m.rating, m.character_id, m.snapshot_at,
       t.tree, (x.pick ->> 'node_id')::bigint AS node_id, (x.pick ->> 'talent_id')::bigint AS talent_id,
       (x.pick ->> 'rank')::integer AS rank
FROM meta_entries AS m
JOIN talent_loadouts AS l ON l.id = m.talent_loadout_id
CROSS JOIN (VALUES ('class'), ('spec'), ('hero')) AS t(tree)
CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(l.talents -> t.tree) = 'array'
    THEN l.talents -> t.tree ELSE '[]'::jsonb END) AS x(pick);

-- +goose Down
DROP STATISTICS meta_entries_board_spec;
DROP VIEW meta_entry_talents;
DROP VIEW meta_entry_slots;
DROP MATERIALIZED VIEW meta_entries;
ALTER TABLE pvp_leaderboards DROP COLUMN completed_snapshot_at;
