-- +goose Up
-- Storage that grows with change, not with snapshots: a distinct gear build and a distinct talent
-- loadout are stored once, content-addressed by the SHA-256 of a canonical text (gear/content.go), and
-- an entry references them. The raw JSON is kept once per character and side (the latest), compressed.
-- Catalogue tables hold the names the meta pages print.

CREATE TABLE item_sets (
    id         bigint PRIMARY KEY, -- Battle.net item-set id
    name       text        NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE enchantments (
    id         bigint PRIMARY KEY, -- Battle.net enchantment id
    name       text        NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE talents (
    talent_id  bigint PRIMARY KEY,
    node_id    bigint      NOT NULL,
    name       text        NOT NULL,
    tree       text        NOT NULL CHECK (tree IN ('class', 'spec', 'hero')),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX index_talents_on_node_id ON talents (node_id);

CREATE TABLE pvp_talents (
    talent_id  bigint PRIMARY KEY,
    name       text        NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE specs (
    id         integer PRIMARY KEY, -- playable-specialization id
    class_id   integer NOT NULL,
    class_name text    NOT NULL,
    name       text    NOT NULL,
    role       text    NOT NULL CHECK (role IN ('tank', 'healer', 'damage'))
);

-- One equipped item as worn: the item with its level, context, enchants, gems and bonus ids. The same
-- ring in both finger slots, or on a thousand players, is one row.
CREATE TABLE gear_items (
    id              bigserial PRIMARY KEY,
    hash            bytea    NOT NULL UNIQUE,
    item_id         bigint   NOT NULL REFERENCES items (blizzard_id),
    item_level      integer  NOT NULL,
    context         integer  NOT NULL,
    enchantment_ids bigint[] NOT NULL,
    gem_item_ids    bigint[] NOT NULL,
    bonus_list      bigint[] NOT NULL
);

-- One equipment response: summary columns and the slots as parallel arrays (slots[i] holds
-- gear_item_ids[i]), so a build is one row whatever its size; the view gear_build_slots unnests them.
-- seen_at is refreshed (at most hourly) whenever a fetch meets the build again: retention only deletes
-- builds unreferenced and unseen for a day, so a running sync never loses the build it is about to use.
CREATE TABLE gear_builds (
    id              bigserial PRIMARY KEY,
    hash            bytea       NOT NULL UNIQUE,
    item_level      integer     NOT NULL,
    tier_set_id     bigint REFERENCES item_sets (id),
    tier_set_pieces integer,
    tier_4p_active  boolean,
    slots           text[]      NOT NULL,
    gear_item_ids   bigint[]    NOT NULL,
    seen_at         timestamptz NOT NULL DEFAULT now(),
    CHECK (cardinality(slots) = cardinality(gear_item_ids))
);

-- One talent build of one spec. Talents are {"class":[{"node_id","talent_id","rank"}],"spec":[…],
-- "hero":[…]}, PvP talents [{"slot","talent_id"}]: ids only, names are in talents / pvp_talents.
CREATE TABLE talent_loadouts (
    id                    bigserial PRIMARY KEY,
    hash                  bytea       NOT NULL UNIQUE,
    spec_id               integer     NOT NULL,
    loadout_code          text,
    hero_talent_tree_id   bigint,
    hero_talent_tree_name text,
    talents               jsonb       NOT NULL,
    pvp_talents           jsonb       NOT NULL,
    seen_at               timestamptz NOT NULL DEFAULT now()
);

-- The character's current state: its gear build (characters.gear_build_id) and, per spec, the loadout
-- its latest specializations response shows. Idle, reused and 304 entries copy from here.
CREATE TABLE character_loadouts (
    character_id      bigint  NOT NULL REFERENCES characters (id) ON DELETE CASCADE,
    spec_id           integer NOT NULL,
    talent_loadout_id bigint  NOT NULL REFERENCES talent_loadouts (id),
    PRIMARY KEY (character_id, spec_id)
);
CREATE INDEX index_character_loadouts_on_talent_loadout_id ON character_loadouts (talent_loadout_id);

-- The latest raw payload per character and side, replaced on change, so a payload can be reprocessed
-- without a request.
CREATE TABLE character_payloads (
    character_id  bigint      NOT NULL REFERENCES characters (id) ON DELETE CASCADE,
    side          text        NOT NULL CHECK (side IN ('equipment', 'specializations')),
    body          jsonb       NOT NULL,
    last_modified text,
    fetched_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (character_id, side)
);
-- lz4 TOAST compression (PostgreSQL 14+, built with lz4) compresses these documents ~2× better and
-- faster than the default pglz; where it is not available the default stays.
-- +goose StatementBegin
DO $$
BEGIN
    ALTER TABLE character_payloads ALTER COLUMN body SET COMPRESSION lz4;
EXCEPTION WHEN others THEN
    RAISE NOTICE 'lz4 compression not available (%): payloads use the default compression', SQLERRM;
END
$$;
-- +goose StatementEnd

ALTER TABLE characters
    ADD COLUMN gear_build_id              bigint REFERENCES gear_builds (id),
    -- the active specialization per the specializations resource: the spec of 2v2/3v3/rbg entries
    ADD COLUMN talent_spec_id             integer,
    -- last time Battle.net answered each side (200 or 304): bounds the staleness of idle characters
    ADD COLUMN equipment_fetched_at       timestamptz,
    ADD COLUMN specializations_fetched_at timestamptz,
    -- the snapshot the character was last processed for, by which board, and how
    ADD COLUMN processed_snapshot_at      timestamptz,
    ADD COLUMN processed_leaderboard_id   bigint,
    ADD COLUMN processed_outcome          text;
CREATE INDEX index_characters_on_gear_build_id ON characters (gear_build_id);

ALTER TABLE pvp_leaderboard_entries
    ADD COLUMN gear_build_id     bigint REFERENCES gear_builds (id),
    ADD COLUMN talent_loadout_id bigint REFERENCES talent_loadouts (id),
    ADD COLUMN processed_at      timestamptz;

-- DATA MOVE (up). Set-based, in this migration's transaction. Work tables are temporary (ON COMMIT
-- DROP). Hashes follow gear/content.go: a change there without a rehashing migration breaks the
-- "unchanged gear finds its migrated build" promise, and schema/migrate_content_test.go catches it.

-- Sorts and hash joins over every entry and slot: let them stay in memory (this transaction only).
SET LOCAL work_mem = '128MB';

-- Gear. The distinct equipped items of every equipment-processed entry, hashed once each (SlotKey:
-- "item|item level|context|enchants|gems|bonus"; NULL item level and context were stored for 0). The
-- key text is a one-to-one function of these columns, so distinct columns are distinct hashes.
INSERT INTO gear_items (hash, item_id, item_level, context, enchantment_ids, gem_item_ids, bonus_list)
SELECT sha256(convert_to(concat_ws('|', d.item_id, d.item_level, d.context, array_to_string(d.enchantment_ids, ','),
           array_to_string(d.gem_item_ids, ','), array_to_string(d.bonus_list, ',')), 'UTF8')),
       d.item_id, d.item_level, d.context, d.enchantment_ids, d.gem_item_ids, d.bonus_list
FROM (
    SELECT DISTINCT i.blizzard_id AS item_id, COALESCE(ei.item_level, 0) AS item_level,
           COALESCE(ei.context, 0) AS context, ei.enchantment_ids, ei.gem_item_ids, ei.bonus_list
    FROM pvp_leaderboard_entry_items AS ei
    JOIN pvp_leaderboard_entries AS e ON e.id = ei.pvp_leaderboard_entry_id
    JOIN items AS i ON i.id = ei.item_id
    WHERE e.equipment_processed_at IS NOT NULL
) AS d;
-- Fresh tables have no statistics: without them the planner takes the joins below for tiny ones.
ANALYZE gear_items;

-- The name of each tier set last written (the name is not part of a build's identity).
INSERT INTO item_sets (id, name)
SELECT DISTINCT ON (tier_set_id) tier_set_id, COALESCE(tier_set_name, '')
FROM pvp_leaderboard_entries
WHERE tier_set_id IS NOT NULL AND equipment_processed_at IS NOT NULL
ORDER BY tier_set_id, tier_set_name IS NULL, equipment_processed_at DESC, id DESC;

-- One build per equipment-processed entry (BuildKey: "item level|tier id|pieces|4p|SLOT=hex;..." with
-- slots in byte order). Without a tier set the key says 0|0|0 and the columns stay NULL, as Go writes them.
CREATE TEMP TABLE mig_entry_builds ON COMMIT DROP AS
SELECT e.id AS entry_id, e.equipment_processed_at,
       COALESCE(e.item_level, 0) AS item_level, e.tier_set_id,
       CASE WHEN e.tier_set_id IS NOT NULL THEN COALESCE(e.tier_set_pieces, 0) END AS tier_set_pieces,
       CASE WHEN e.tier_set_id IS NOT NULL THEN COALESCE(e.tier_4p_active, false) END AS tier_4p_active,
       COALESCE(s.slots, '{}') AS slots, COALESCE(s.gear_item_ids, '{}') AS gear_item_ids,
       sha256(convert_to(format('%s|%s|%s|%s|', COALESCE(e.item_level, 0), COALESCE(e.tier_set_id, 0),
           CASE WHEN e.tier_set_id IS NOT NULL THEN COALESCE(e.tier_set_pieces, 0) ELSE 0 END,
           CASE WHEN e.tier_set_id IS NOT NULL AND e.tier_4p_active THEN 1 ELSE 0 END)
           || COALESCE(s.slot_key, ''), 'UTF8')) AS hash
FROM pvp_leaderboard_entries AS e
LEFT JOIN (
    SELECT h.entry_id,
           string_agg(h.slot || '=' || encode(gi.hash, 'hex'), ';' ORDER BY h.slot COLLATE "C") AS slot_key,
           array_agg(h.slot ORDER BY h.slot COLLATE "C") AS slots,
           array_agg(gi.id ORDER BY h.slot COLLATE "C") AS gear_item_ids
    FROM (
        -- the slot's hash again: joining on it is one equality the planner estimates right, where the
        -- six content columns would multiply into an estimate of one row
        SELECT ei.pvp_leaderboard_entry_id AS entry_id, ei.slot,
               sha256(convert_to(concat_ws('|', i.blizzard_id, COALESCE(ei.item_level, 0), COALESCE(ei.context, 0),
                   array_to_string(ei.enchantment_ids, ','), array_to_string(ei.gem_item_ids, ','),
                   array_to_string(ei.bonus_list, ',')), 'UTF8')) AS hash
        FROM pvp_leaderboard_entry_items AS ei
        JOIN items AS i ON i.id = ei.item_id
    ) AS h
    JOIN gear_items AS gi ON gi.hash = h.hash
    GROUP BY h.entry_id
) AS s ON s.entry_id = e.id
WHERE e.equipment_processed_at IS NOT NULL;
ANALYZE mig_entry_builds;

INSERT INTO gear_builds (hash, item_level, tier_set_id, tier_set_pieces, tier_4p_active, slots, gear_item_ids)
SELECT DISTINCT ON (hash) hash, item_level, tier_set_id, tier_set_pieces, tier_4p_active, slots, gear_item_ids
FROM mig_entry_builds
ORDER BY hash, equipment_processed_at DESC, entry_id DESC;
ANALYZE gear_builds;

-- Talents. Each distinct stored loadout once (many entries share one), keyed by what the entries hold;
-- newest is when it was last written, which decides catalogue names as the store's upserts would.
CREATE TEMP TABLE mig_loadout_src ON COMMIT DROP AS
SELECT row_number() OVER () AS src_id, d.*
FROM (
    SELECT spec_id, COALESCE(talent_loadout_code, '') AS code, COALESCE(hero_talent_tree_id, 0) AS hero_id,
           COALESCE(hero_talent_tree_name, '') AS hero_name, talents,
           COALESCE(pvp_talents, '[]'::jsonb) AS pvp_talents, max(specialization_processed_at) AS newest
    FROM pvp_leaderboard_entries
    WHERE specialization_processed_at IS NOT NULL AND talents IS NOT NULL AND spec_id IS NOT NULL
    GROUP BY 1, 2, 3, 4, 5, 6
) AS d;
ANALYZE mig_loadout_src;

-- The old documents hold Go field names ({"NodeID","TalentID","Name","Rank"}) in response order.
CREATE TEMP TABLE mig_talent_picks ON COMMIT DROP AS
SELECT s.src_id, tr.tree, el.n,
       COALESCE((el.t ->> 'NodeID')::bigint, 0) AS node_id,
       COALESCE((el.t ->> 'TalentID')::bigint, 0) AS talent_id,
       COALESCE(el.t ->> 'Name', '') AS name,
       COALESCE((el.t ->> 'Rank')::integer, 0) AS rank
FROM mig_loadout_src AS s
CROSS JOIN (VALUES ('class'), ('spec'), ('hero')) AS tr(tree)
CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(s.talents -> tr.tree) = 'array'
    THEN s.talents -> tr.tree ELSE '[]'::jsonb END) WITH ORDINALITY AS el(t, n);
ANALYZE mig_talent_picks;

CREATE TEMP TABLE mig_pvp_picks ON COMMIT DROP AS
SELECT s.src_id, el.n,
       COALESCE((el.t ->> 'Slot')::integer, 0) AS slot,
       COALESCE((el.t ->> 'TalentID')::bigint, 0) AS talent_id,
       COALESCE(el.t ->> 'Name', '') AS name
FROM mig_loadout_src AS s
CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(s.pvp_talents) = 'array'
    THEN s.pvp_talents ELSE '[]'::jsonb END) WITH ORDINALITY AS el(t, n);
ANALYZE mig_pvp_picks;

-- The new documents (TalentsJSON: snake_case ids, node then talent order; PvpTalentsJSON: slot order)
-- and LoadoutKey "spec|code|hero|c:node:talent:rank,...|s:...|h:...|p:slot:talent,...".
CREATE TEMP TABLE mig_loadouts ON COMMIT DROP AS
WITH trees AS (
    SELECT src_id, tree,
           jsonb_agg(jsonb_build_object('node_id', node_id, 'talent_id', talent_id, 'rank', rank)
               ORDER BY node_id, talent_id, n) AS doc,
           string_agg(format('%s:%s:%s', node_id, talent_id, rank), ',' ORDER BY node_id, talent_id, n) AS key
    FROM mig_talent_picks
    GROUP BY src_id, tree
), pvp AS (
    SELECT src_id,
           jsonb_agg(jsonb_build_object('slot', slot, 'talent_id', talent_id) ORDER BY slot, n) AS doc,
           string_agg(format('%s:%s', slot, talent_id), ',' ORDER BY slot, n) AS key
    FROM mig_pvp_picks
    GROUP BY src_id
)
SELECT s.src_id, s.spec_id, s.code, s.hero_id, s.hero_name, s.newest,
       jsonb_build_object('class', COALESCE(c.doc, '[]'::jsonb), 'spec', COALESCE(sp.doc, '[]'::jsonb),
           'hero', COALESCE(h.doc, '[]'::jsonb)) AS talents,
       COALESCE(p.doc, '[]'::jsonb) AS pvp_talents,
       sha256(convert_to(format('%s|%s|%s|c:%s|s:%s|h:%s|p:%s', s.spec_id, s.code, s.hero_id,
           COALESCE(c.key, ''), COALESCE(sp.key, ''), COALESCE(h.key, ''), COALESCE(p.key, '')), 'UTF8')) AS hash
FROM mig_loadout_src AS s
LEFT JOIN trees AS c ON c.src_id = s.src_id AND c.tree = 'class'
LEFT JOIN trees AS sp ON sp.src_id = s.src_id AND sp.tree = 'spec'
LEFT JOIN trees AS h ON h.src_id = s.src_id AND h.tree = 'hero'
LEFT JOIN pvp AS p ON p.src_id = s.src_id;
ANALYZE mig_loadouts;

INSERT INTO talent_loadouts (hash, spec_id, loadout_code, hero_talent_tree_id, hero_talent_tree_name, talents, pvp_talents)
SELECT DISTINCT ON (hash) hash, spec_id, NULLIF(code, ''), NULLIF(hero_id, 0), NULLIF(hero_name, ''), talents, pvp_talents
FROM mig_loadouts
ORDER BY hash, newest DESC, src_id;
ANALYZE talent_loadouts;

-- Catalogue names: one per id, the last written (Battle.net reuses a talent id with another name from
-- one patch to the next; the catalogue, like the store, keeps the latest). Nameless talents (no
-- tooltip) stay out, as in the store.
INSERT INTO talents (talent_id, node_id, name, tree)
SELECT DISTINCT ON (p.talent_id) p.talent_id, p.node_id, p.name, p.tree
FROM mig_talent_picks AS p
JOIN mig_loadout_src AS s ON s.src_id = p.src_id
WHERE p.talent_id <> 0 AND p.name <> ''
ORDER BY p.talent_id, s.newest DESC, p.src_id;

INSERT INTO pvp_talents (talent_id, name)
SELECT DISTINCT ON (p.talent_id) p.talent_id, p.name
FROM mig_pvp_picks AS p
JOIN mig_loadout_src AS s ON s.src_id = p.src_id
WHERE p.talent_id <> 0 AND p.name <> ''
ORDER BY p.talent_id, s.newest DESC, p.src_id;

-- Entries: one UPDATE, so each row gets one new version however many columns change.
UPDATE pvp_leaderboard_entries AS e SET
    gear_build_id = v.gear_build_id,
    talent_loadout_id = v.talent_loadout_id,
    processed_at = v.processed_at
FROM (
    SELECT x.id, gb.id AS gear_build_id, tl.id AS talent_loadout_id,
           COALESCE(x.equipment_processed_at, x.specialization_processed_at) AS processed_at
    FROM pvp_leaderboard_entries AS x
    LEFT JOIN mig_entry_builds AS mb ON mb.entry_id = x.id
    LEFT JOIN gear_builds AS gb ON gb.hash = mb.hash
    LEFT JOIN mig_loadout_src AS s
        ON x.specialization_processed_at IS NOT NULL AND x.talents IS NOT NULL
        AND s.spec_id = x.spec_id AND s.code = COALESCE(x.talent_loadout_code, '')
        AND s.hero_id = COALESCE(x.hero_talent_tree_id, 0) AND s.hero_name = COALESCE(x.hero_talent_tree_name, '')
        AND s.talents = x.talents AND s.pvp_talents = COALESCE(x.pvp_talents, '[]'::jsonb)
    LEFT JOIN mig_loadouts AS ml ON ml.src_id = s.src_id
    LEFT JOIN talent_loadouts AS tl ON tl.hash = ml.hash
    WHERE x.equipment_processed_at IS NOT NULL OR x.specialization_processed_at IS NOT NULL
) AS v
WHERE e.id = v.id;

-- The character's current state, from its entries. talent_spec_id is the spec the player is in: only
-- 2v2/3v3/rbg entries show it (shuffle and blitz boards rank a fixed spec), else the profile's.
-- processed_snapshot_at is the newest snapshot whose every entry of the character is processed.
UPDATE characters AS c SET
    gear_build_id = v.gear_build_id,
    equipment_fetched_at = v.equipment_fetched_at,
    specializations_fetched_at = v.specializations_fetched_at,
    talent_spec_id = COALESCE(v.talent_spec_id, c.active_spec_id),
    processed_snapshot_at = v.processed_snapshot_at,
    processed_leaderboard_id = v.processed_leaderboard_id,
    processed_outcome = CASE WHEN v.processed_snapshot_at IS NOT NULL THEN 'synced' END
FROM (
    SELECT ch.id, g.gear_build_id, f.equipment_fetched_at, f.specializations_fetched_at, t.spec_id AS talent_spec_id,
           p.snapshot_at AS processed_snapshot_at, p.leaderboard_id AS processed_leaderboard_id
    FROM characters AS ch
    LEFT JOIN (
        SELECT character_id, max(equipment_processed_at) AS equipment_fetched_at,
               max(specialization_processed_at) AS specializations_fetched_at
        FROM pvp_leaderboard_entries
        GROUP BY character_id
    ) AS f ON f.character_id = ch.id
    LEFT JOIN (
        SELECT DISTINCT ON (character_id) character_id, gear_build_id
        FROM pvp_leaderboard_entries
        WHERE gear_build_id IS NOT NULL
        ORDER BY character_id, snapshot_at DESC, equipment_processed_at DESC, id DESC
    ) AS g ON g.character_id = ch.id
    LEFT JOIN (
        SELECT DISTINCT ON (e.character_id) e.character_id, e.spec_id
        FROM pvp_leaderboard_entries AS e
        JOIN pvp_leaderboards AS b ON b.id = e.pvp_leaderboard_id
        WHERE e.specialization_processed_at IS NOT NULL AND e.spec_id IS NOT NULL
          AND b.bracket NOT LIKE 'shuffle-%' AND b.bracket NOT LIKE 'blitz-%'
        ORDER BY e.character_id, e.snapshot_at DESC, e.specialization_processed_at DESC, e.id DESC
    ) AS t ON t.character_id = ch.id
    LEFT JOIN (
        SELECT DISTINCT ON (character_id) character_id, snapshot_at, leaderboard_id
        FROM (
            SELECT character_id, snapshot_at, min(pvp_leaderboard_id) AS leaderboard_id
            FROM pvp_leaderboard_entries
            GROUP BY character_id, snapshot_at
            HAVING bool_and(processed_at IS NOT NULL)
        ) AS done
        ORDER BY character_id, snapshot_at DESC
    ) AS p ON p.character_id = ch.id
) AS v
WHERE c.id = v.id;

INSERT INTO character_loadouts (character_id, spec_id, talent_loadout_id)
SELECT DISTINCT ON (character_id, spec_id) character_id, spec_id, talent_loadout_id
FROM pvp_leaderboard_entries
WHERE talent_loadout_id IS NOT NULL
ORDER BY character_id, spec_id, snapshot_at DESC, specialization_processed_at DESC, id DESC;

-- The latest raw document per character and side: the 00002 store kept it on the entries of one
-- snapshot only (all of that snapshot's entries carry the same document). It was fetched when that
-- snapshot's entries were processed; an entry of a spec the response lacked has no processed time.
INSERT INTO character_payloads (character_id, side, body, last_modified, fetched_at)
SELECT DISTINCT ON (e.character_id) e.character_id, 'equipment', e.raw_equipment, c.equipment_last_modified,
       COALESCE(e.equipment_processed_at, e.updated_at)
FROM pvp_leaderboard_entries AS e
JOIN characters AS c ON c.id = e.character_id
WHERE e.raw_equipment IS NOT NULL
ORDER BY e.character_id, e.snapshot_at DESC, e.equipment_processed_at DESC NULLS LAST, e.id DESC;

INSERT INTO character_payloads (character_id, side, body, last_modified, fetched_at)
SELECT DISTINCT ON (e.character_id) e.character_id, 'specializations', e.raw_specialization,
       c.specializations_last_modified, COALESCE(e.specialization_processed_at, e.updated_at)
FROM pvp_leaderboard_entries AS e
JOIN characters AS c ON c.id = e.character_id
WHERE e.raw_specialization IS NOT NULL
ORDER BY e.character_id, e.snapshot_at DESC, e.specialization_processed_at DESC NULLS LAST, e.id DESC;

-- Enchantment names were never stored; the kept equipment payloads have them (gear.Summarize's rule:
-- the display string without UI markup and "Enchanted: ", else the source item's name). Without this a
-- migrated build, which later fetches find by hash, would never get its enchantments named.
INSERT INTO enchantments (id, name)
SELECT DISTINCT ON (id) id, name
FROM (
    SELECT (en.e ->> 'enchantment_id')::bigint AS id, p.fetched_at,
           CASE WHEN n.stripped <> '' THEN regexp_replace(n.stripped, '^Enchanted: ', '')
                ELSE COALESCE(en.e -> 'source_item' ->> 'name', '') END AS name
    FROM character_payloads AS p
    CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(p.body -> 'equipped_items') = 'array'
        THEN p.body -> 'equipped_items' ELSE '[]'::jsonb END) AS it(item)
    CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(it.item -> 'enchantments') = 'array'
        THEN it.item -> 'enchantments' ELSE '[]'::jsonb END) AS en(e)
    CROSS JOIN LATERAL (SELECT regexp_replace(regexp_replace(regexp_replace(COALESCE(en.e ->> 'display_string', ''),
        '\|A:[^|]*\|a', '', 'g'), '\|c(?:n[^:|]*:|[0-9A-Fa-f]{8})([^|]*)\|r', '\1', 'g'),
        '^\s+|\s+$', '', 'g') AS stripped) AS n
    WHERE p.side = 'equipment' AND jsonb_typeof(en.e -> 'enchantment_id') = 'number'
) AS x
WHERE id <> 0 AND name <> ''
ORDER BY id, fetched_at DESC;

ALTER TABLE pvp_leaderboard_entries
    DROP COLUMN item_level,
    DROP COLUMN tier_set_id,
    DROP COLUMN tier_set_name,
    DROP COLUMN tier_set_pieces,
    DROP COLUMN tier_4p_active,
    DROP COLUMN hero_talent_tree_id,
    DROP COLUMN hero_talent_tree_name,
    DROP COLUMN talent_loadout_code,
    DROP COLUMN talents,
    DROP COLUMN pvp_talents,
    DROP COLUMN equipment_processed_at,
    DROP COLUMN specialization_processed_at,
    DROP COLUMN raw_equipment,
    DROP COLUMN raw_specialization,
    DROP COLUMN created_at,
    DROP COLUMN updated_at;
DROP TABLE pvp_leaderboard_entry_items;
-- Retention deletes builds and loadouts no entry references: these make that check an index probe
-- (deduplicated B-trees: many snapshots share one build, so they stay small).
CREATE INDEX index_entries_on_gear_build_id ON pvp_leaderboard_entries (gear_build_id);
CREATE INDEX index_entries_on_talent_loadout_id ON pvp_leaderboard_entries (talent_loadout_id);

CREATE VIEW gear_build_slots AS
SELECT b.id AS gear_build_id, s.slot, s.ord AS slot_order, gi.id AS gear_item_id, gi.item_id, gi.item_level,
       gi.context, gi.enchantment_ids, gi.gem_item_ids, gi.bonus_list
FROM gear_builds AS b
CROSS JOIN LATERAL unnest(b.slots, b.gear_item_ids) WITH ORDINALITY AS s(slot, gear_item_id, ord)
JOIN gear_items AS gi ON gi.id = s.gear_item_id;

-- +goose Down
-- DATA MOVE (down): back to the 00002 layout. Columns come back in their 00002 order (every column
-- 00003 dropped followed spec_id), then are filled from the builds, loadouts and catalogues.
ALTER TABLE pvp_leaderboard_entries
    ADD COLUMN item_level                   integer,
    ADD COLUMN tier_set_id                  bigint,
    ADD COLUMN tier_set_name                text,
    ADD COLUMN tier_set_pieces              integer,
    ADD COLUMN tier_4p_active               boolean,
    ADD COLUMN hero_talent_tree_id          bigint,
    ADD COLUMN hero_talent_tree_name        text,
    ADD COLUMN talent_loadout_code          text,
    ADD COLUMN talents                      jsonb,
    ADD COLUMN pvp_talents                  jsonb,
    ADD COLUMN equipment_processed_at       timestamptz,
    ADD COLUMN specialization_processed_at  timestamptz,
    ADD COLUMN raw_equipment                jsonb,
    ADD COLUMN raw_specialization           jsonb,
    ADD COLUMN created_at                   timestamptz NOT NULL DEFAULT now(),
    ADD COLUMN updated_at                   timestamptz NOT NULL DEFAULT now();

CREATE TABLE pvp_leaderboard_entry_items (
    id                         bigserial PRIMARY KEY,
    pvp_leaderboard_entry_id   bigint    NOT NULL REFERENCES pvp_leaderboard_entries (id) ON DELETE CASCADE,
    item_id                    bigint    NOT NULL REFERENCES items (id),
    slot                       text      NOT NULL,
    item_level                 integer,
    context                    integer,
    enchantment_ids            bigint[]  NOT NULL DEFAULT '{}',
    gem_item_ids               bigint[]  NOT NULL DEFAULT '{}',
    bonus_list                 bigint[]  NOT NULL DEFAULT '{}',
    created_at                 timestamptz NOT NULL DEFAULT now(),
    UNIQUE (pvp_leaderboard_entry_id, slot)
);

-- The 00002 documents: Go field names, names from the catalogues ("" when unknown, as Battle.net's
-- missing tooltips were stored), talents in node order (the response order is not kept).
CREATE TEMP TABLE mig_old_loadouts ON COMMIT DROP AS
SELECT l.id,
       jsonb_build_object(
           'class', COALESCE((SELECT jsonb_agg(jsonb_build_object('NodeID', (t ->> 'node_id')::bigint,
                'TalentID', (t ->> 'talent_id')::bigint, 'Name', COALESCE(c.name, ''), 'Rank', (t ->> 'rank')::integer)
                ORDER BY n)
                FROM jsonb_array_elements(CASE WHEN jsonb_typeof(l.talents -> 'class') = 'array'
                    THEN l.talents -> 'class' ELSE '[]'::jsonb END) WITH ORDINALITY AS el(t, n)
                LEFT JOIN talents AS c ON c.talent_id = (t ->> 'talent_id')::bigint), '[]'::jsonb),
           'spec', COALESCE((SELECT jsonb_agg(jsonb_build_object('NodeID', (t ->> 'node_id')::bigint,
                'TalentID', (t ->> 'talent_id')::bigint, 'Name', COALESCE(c.name, ''), 'Rank', (t ->> 'rank')::integer)
                ORDER BY n)
                FROM jsonb_array_elements(CASE WHEN jsonb_typeof(l.talents -> 'spec') = 'array'
                    THEN l.talents -> 'spec' ELSE '[]'::jsonb END) WITH ORDINALITY AS el(t, n)
                LEFT JOIN talents AS c ON c.talent_id = (t ->> 'talent_id')::bigint), '[]'::jsonb),
           'hero', COALESCE((SELECT jsonb_agg(jsonb_build_object('NodeID', (t ->> 'node_id')::bigint,
                'TalentID', (t ->> 'talent_id')::bigint, 'Name', COALESCE(c.name, ''), 'Rank', (t ->> 'rank')::integer)
                ORDER BY n)
                FROM jsonb_array_elements(CASE WHEN jsonb_typeof(l.talents -> 'hero') = 'array'
                    THEN l.talents -> 'hero' ELSE '[]'::jsonb END) WITH ORDINALITY AS el(t, n)
                LEFT JOIN talents AS c ON c.talent_id = (t ->> 'talent_id')::bigint), '[]'::jsonb)
       ) AS talents,
       COALESCE((SELECT jsonb_agg(jsonb_build_object('Slot', (t ->> 'slot')::integer,
                'TalentID', (t ->> 'talent_id')::bigint, 'Name', COALESCE(c.name, '')) ORDER BY n)
            FROM jsonb_array_elements(CASE WHEN jsonb_typeof(l.pvp_talents) = 'array'
                THEN l.pvp_talents ELSE '[]'::jsonb END) WITH ORDINALITY AS el(t, n)
            LEFT JOIN pvp_talents AS c ON c.talent_id = (t ->> 'talent_id')::bigint), '[]'::jsonb) AS pvp_talents
FROM talent_loadouts AS l
WHERE l.id IN (SELECT talent_loadout_id FROM pvp_leaderboard_entries);

-- Where each raw document goes: the entries of the snapshot it was fetched for, the character's newest
-- at or before fetched_at (else its newest), as the 00002 store left it. It read the newest document
-- from wherever it was, so only the fetch time depends on this choice.
CREATE TEMP TABLE mig_raw_snapshots ON COMMIT DROP AS
SELECT p.character_id, p.side,
       (SELECT COALESCE(max(e.snapshot_at) FILTER (WHERE e.snapshot_at <= p.fetched_at), max(e.snapshot_at))
        FROM pvp_leaderboard_entries AS e WHERE e.character_id = p.character_id) AS snapshot_at
FROM character_payloads AS p;

-- One UPDATE per row. The summary columns as the 00002 store wrote them: 0 as NULL, tier columns NULL
-- without a set but the 4-piece flag false.
UPDATE pvp_leaderboard_entries AS e SET
    item_level = NULLIF(b.item_level, 0),
    tier_set_id = b.tier_set_id,
    tier_set_name = NULLIF(s.name, ''),
    tier_set_pieces = b.tier_set_pieces,
    tier_4p_active = CASE WHEN b.id IS NOT NULL THEN COALESCE(b.tier_4p_active, false) END,
    equipment_processed_at = CASE WHEN b.id IS NOT NULL THEN e.processed_at END,
    hero_talent_tree_id = l.hero_talent_tree_id,
    hero_talent_tree_name = l.hero_talent_tree_name,
    talent_loadout_code = l.loadout_code,
    talents = o.talents,
    pvp_talents = o.pvp_talents,
    specialization_processed_at = CASE WHEN l.id IS NOT NULL THEN e.processed_at END,
    raw_equipment = pe.body,
    raw_specialization = ps.body
FROM pvp_leaderboard_entries AS x
LEFT JOIN gear_builds AS b ON b.id = x.gear_build_id
LEFT JOIN item_sets AS s ON s.id = b.tier_set_id
LEFT JOIN talent_loadouts AS l ON l.id = x.talent_loadout_id
LEFT JOIN mig_old_loadouts AS o ON o.id = x.talent_loadout_id
LEFT JOIN mig_raw_snapshots AS re
    ON re.character_id = x.character_id AND re.side = 'equipment' AND re.snapshot_at = x.snapshot_at
LEFT JOIN character_payloads AS pe ON pe.character_id = re.character_id AND pe.side = re.side
LEFT JOIN mig_raw_snapshots AS rs
    ON rs.character_id = x.character_id AND rs.side = 'specializations' AND rs.snapshot_at = x.snapshot_at
LEFT JOIN character_payloads AS ps ON ps.character_id = rs.character_id AND ps.side = rs.side
WHERE e.id = x.id
  AND (x.gear_build_id IS NOT NULL OR x.talent_loadout_id IS NOT NULL OR pe.body IS NOT NULL OR ps.body IS NOT NULL);

-- Entry items from the builds; the items catalogue maps the Battle.net id back to items.id.
INSERT INTO pvp_leaderboard_entry_items
    (pvp_leaderboard_entry_id, item_id, slot, item_level, context, enchantment_ids, gem_item_ids, bonus_list)
SELECT e.id, i.id, bs.slot, NULLIF(bs.item_level, 0), bs.context, bs.enchantment_ids, bs.gem_item_ids, bs.bonus_list
FROM pvp_leaderboard_entries AS e
JOIN gear_build_slots AS bs ON bs.gear_build_id = e.gear_build_id
JOIN items AS i ON i.blizzard_id = bs.item_id
ORDER BY e.id, bs.slot;

CREATE INDEX index_entry_items_on_item_id ON pvp_leaderboard_entry_items (item_id);
CREATE INDEX index_entries_on_character_id_and_equipment_processed_at
    ON pvp_leaderboard_entries (character_id, equipment_processed_at)
    WHERE equipment_processed_at IS NOT NULL;

DROP VIEW gear_build_slots;
ALTER TABLE pvp_leaderboard_entries
    DROP COLUMN gear_build_id,
    DROP COLUMN talent_loadout_id,
    DROP COLUMN processed_at;
ALTER TABLE characters
    DROP COLUMN gear_build_id,
    DROP COLUMN talent_spec_id,
    DROP COLUMN equipment_fetched_at,
    DROP COLUMN specializations_fetched_at,
    DROP COLUMN processed_snapshot_at,
    DROP COLUMN processed_leaderboard_id,
    DROP COLUMN processed_outcome;
DROP TABLE character_payloads;
DROP TABLE character_loadouts;
DROP TABLE talent_loadouts;
DROP TABLE gear_builds;
DROP TABLE gear_items;
DROP TABLE specs;
DROP TABLE pvp_talents;
DROP TABLE talents;
DROP TABLE enchantments;
DROP TABLE item_sets;
