package meta

import (
	sq "github.com/Masterminds/squirrel"
)

// The statements of a report. Each starts from the picked rows (the filter, built by pickedSQL) and
// first collapses them to distinct gear builds and loadouts with a character count each: many
// characters share one build or loadout, and unnesting each once is what keeps a report of a few
// thousand characters in tens of milliseconds. Counts are of characters, so a gem worn twice or an
// enchantment listed twice counts once.

// pickedSQL selects a spec's rows on a board that pass the filter; spec_rank makes "top N" an index
// range. Only the filters asked for are written, so the planner sees plain conditions.
func pickedSQL(q Query) (string, []any, error) {
	b := sq.Select("character_id", "rating", "snapshot_at", "gear_build_id", "talent_loadout_id").
		From("meta_entries").
		Where("region = ? AND bracket = ? AND spec_id = ?", q.Region, q.Bracket, q.SpecID)
	if q.Top > 0 {
		b = b.Where("spec_rank <= ?", q.Top)
	}
	if q.MinRating > 0 {
		b = b.Where("rating >= ?", q.MinRating)
	}
	return b.ToSql()
}

// summarySQL: characters, sides known, rating range, snapshot, item level distribution.
const summarySQL = `
SELECT count(*), count(p.gear_build_id), count(p.talent_loadout_id),
       COALESCE(min(p.rating), 0), COALESCE(max(p.rating), 0), max(p.snapshot_at),
       COALESCE(percentile_disc(ARRAY[0, 0.1, 0.25, 0.5, 0.75, 0.9, 1]) WITHIN GROUP (ORDER BY b.item_level), '{}'),
       COALESCE(avg(b.item_level), 0)::float8
FROM picked AS p
LEFT JOIN gear_builds AS b ON b.id = p.gear_build_id`

// builds collapses the picked rows to distinct gear builds.
const buildsCTE = `, builds AS (
    SELECT gear_build_id AS id, count(*) AS n FROM picked WHERE gear_build_id IS NOT NULL GROUP BY gear_build_id
)`

// gearSQL lists, per slot, the most common items and enchantments, and the most common gems, each
// limited to the first ? ranks ($slot restricts to one slot when not NULL).
const gearSQL = buildsCTE + `, worn AS (
    SELECT bl.id AS build, bl.n, s.slot, gi.item_id, gi.enchantment_ids, gi.gem_item_ids
    FROM builds AS bl
    JOIN gear_builds AS b ON b.id = bl.id
    CROSS JOIN LATERAL unnest(b.slots, b.gear_item_ids) AS s(slot, gear_item_id)
    JOIN gear_items AS gi ON gi.id = s.gear_item_id
    WHERE ?::text IS NULL OR s.slot = ?::text
), counted AS (
    SELECT 'item' AS kind, slot, item_id AS id, sum(n)::bigint AS n FROM worn GROUP BY slot, item_id
    UNION ALL
    SELECT 'enchant', w.slot, e.id, sum(w.n)::bigint
    FROM worn AS w CROSS JOIN LATERAL (SELECT DISTINCT x FROM unnest(w.enchantment_ids) AS x) AS e(id)
    GROUP BY w.slot, e.id
    UNION ALL
    SELECT 'gem', '', g.id, sum(g.n)::bigint
    FROM (SELECT DISTINCT w.build, w.n, x AS id FROM worn AS w CROSS JOIN LATERAL unnest(w.gem_item_ids) AS x) AS g
    GROUP BY g.id
), placed AS (
    SELECT c.*, row_number() OVER (PARTITION BY c.kind, c.slot ORDER BY c.n DESC, c.id) AS place FROM counted AS c
)
SELECT p.kind, p.slot, p.id, COALESCE(i.name, en.name, ''), p.n
FROM placed AS p
LEFT JOIN items AS i ON p.kind <> 'enchant' AND i.blizzard_id = p.id
LEFT JOIN enchantments AS en ON p.kind = 'enchant' AND en.id = p.id
WHERE p.place <= ?
ORDER BY p.kind, p.slot, p.place`

// tierSQL: how many pieces of which class tier set (no set: id 0, 0 pieces).
const tierSQL = buildsCTE + `
SELECT COALESCE(b.tier_set_id, 0), COALESCE(s.name, ''), COALESCE(b.tier_set_pieces, 0), sum(bl.n)::bigint AS n
FROM builds AS bl
JOIN gear_builds AS b ON b.id = bl.id
LEFT JOIN item_sets AS s ON s.id = b.tier_set_id
GROUP BY 1, 2, 3
ORDER BY n DESC, 3 DESC, 1`

// loadoutsCTE collapses the picked rows to distinct talent loadouts.
const loadoutsCTE = `, loadouts AS (
    SELECT talent_loadout_id AS id, count(*) AS n FROM picked WHERE talent_loadout_id IS NOT NULL GROUP BY talent_loadout_id
)`

// talentsSQL: every selected talent with its count and its node's.
const talentsSQL = loadoutsCTE + `, picks AS (
    SELECT t.tree, (x ->> 'node_id')::bigint AS node_id, COALESCE((x ->> 'talent_id')::bigint, 0) AS talent_id,
           sum(lo.n)::bigint AS n
    FROM loadouts AS lo
    JOIN talent_loadouts AS l ON l.id = lo.id
    CROSS JOIN (VALUES ('class'), ('spec'), ('hero')) AS t(tree)
    CROSS JOIN LATERAL jsonb_array_elements(l.talents -> t.tree) AS x
    GROUP BY 1, 2, 3
)
SELECT p.tree, p.node_id, p.talent_id, COALESCE(c.name, ''), p.n,
       sum(p.n) OVER (PARTITION BY p.tree, p.node_id)::bigint AS node_n
FROM picks AS p
LEFT JOIN talents AS c ON c.talent_id = p.talent_id
ORDER BY array_position(ARRAY['class', 'spec', 'hero'], p.tree), node_n DESC, p.node_id, p.n DESC, p.talent_id`

// pvpSQL: PvP talents, the ? most common.
const pvpSQL = loadoutsCTE + `
SELECT x.id, COALESCE(c.name, ''), sum(lo.n)::bigint AS n
FROM loadouts AS lo
JOIN talent_loadouts AS l ON l.id = lo.id
CROSS JOIN LATERAL (SELECT DISTINCT (e ->> 'talent_id')::bigint FROM jsonb_array_elements(l.pvp_talents) AS e) AS x(id)
LEFT JOIN pvp_talents AS c ON c.talent_id = x.id
GROUP BY 1, 2
ORDER BY n DESC, 1
LIMIT ?`

// heroSQL: hero trees (none: id 0).
const heroSQL = loadoutsCTE + `
SELECT COALESCE(l.hero_talent_tree_id, 0), COALESCE(max(l.hero_talent_tree_name), ''), sum(lo.n)::bigint AS n
FROM loadouts AS lo
JOIN talent_loadouts AS l ON l.id = lo.id
GROUP BY 1
ORDER BY n DESC, 1`

// codesSQL: the ? most common loadout codes.
const codesSQL = loadoutsCTE + `
SELECT l.loadout_code, COALESCE(max(l.hero_talent_tree_name), ''), sum(lo.n)::bigint AS n
FROM loadouts AS lo
JOIN talent_loadouts AS l ON l.id = lo.id
WHERE l.loadout_code IS NOT NULL AND l.loadout_code <> ''
GROUP BY 1
ORDER BY n DESC, 1
LIMIT ?`

// withPicked prefixes a statement with the picked rows and numbers every placeholder: the filter's
// first, then the statement's own args.
func withPicked(q Query, body string, args ...any) (string, []any, error) {
	picked, pargs, err := pickedSQL(q)
	if err != nil {
		return "", nil, err
	}
	sql, err := sq.Dollar.ReplacePlaceholders("WITH picked AS (" + picked + ")" + body)
	if err != nil {
		return "", nil, err
	}
	return sql, append(pargs, args...), nil
}
