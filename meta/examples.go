package meta

// The README's example queries: what a site backend reads from the meta views (meta_entries,
// meta_entry_slots, meta_entry_talents), written with parameters where the README names a region,
// bracket or spec. TestExampleQueries (examples_test.go) checks their answers against a count of the
// characters written and their plans (meta_entries read through its index, never a scan of every
// board); BenchmarkMeta (bench) times them on a 5,000-character region.

// ExampleTopItemsSQL is the README's example for a site backend: the top 10 items per slot of a shuffle
// spec's latest complete snapshot, with the share of the characters whose gear is known. Parameters:
// $1 region, $2 bracket (a per-spec board, "shuffle-mage-frost"). Rows: slot, place, item, characters,
// percent, by slot then place. Tests keep it correct and served by meta_entries' index.
const ExampleTopItemsSQL = `WITH counted AS (
    SELECT slot, item_id, count(*) AS characters,
           row_number() OVER (PARTITION BY slot ORDER BY count(*) DESC, item_id) AS place
    FROM meta_entry_slots
    WHERE region = $1 AND bracket = $2
    GROUP BY slot, item_id
)
SELECT c.slot, c.place, i.name AS item, c.characters,
       round(100.0 * c.characters / (SELECT count(*) FROM meta_entries
           WHERE region = $1 AND bracket = $2 AND gear_build_id IS NOT NULL), 1) AS percent
FROM counted AS c
JOIN items AS i ON i.blizzard_id = c.item_id
WHERE c.place <= 10
ORDER BY c.slot, c.place`

// ExampleTalentPicksSQL is the README's example for a site backend: the talent pick rates of a spec
// on a board among its characters rated at least a minimum, with the share of the characters whose
// talents are known. Parameters: $1 region, $2 bracket ("3v3"), $3 spec id, $4 minimum rating. Rows:
// tree, node_id, talent, characters, percent, by tree then most picked. Tests keep it correct and
// served by meta_entries' index.
const ExampleTalentPicksSQL = `SELECT t.tree, t.node_id, COALESCE(n.name, '') AS talent, count(*) AS characters,
       round(100.0 * count(*) / (SELECT count(*) FROM meta_entries
           WHERE region = $1 AND bracket = $2 AND spec_id = $3 AND rating >= $4
             AND talent_loadout_id IS NOT NULL), 1) AS percent
FROM meta_entry_talents AS t
LEFT JOIN talents AS n ON n.talent_id = t.talent_id
WHERE t.region = $1 AND t.bracket = $2 AND t.spec_id = $3 AND t.rating >= $4
GROUP BY t.tree, t.node_id, n.name
ORDER BY t.tree, characters DESC`
