-- +goose Up
CREATE TABLE pvp_seasons (
    id           bigserial PRIMARY KEY,
    blizzard_id  integer     NOT NULL UNIQUE,
    name         text,
    starts_at    timestamptz,
    ends_at      timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);

-- Region is part of the key: the same season and bracket exist once per region.
CREATE TABLE pvp_leaderboards (
    id                 bigserial PRIMARY KEY,
    pvp_season_id      bigint      NOT NULL REFERENCES pvp_seasons (id) ON DELETE CASCADE,
    region             text        NOT NULL CHECK (region IN ('us', 'eu', 'kr', 'tw')),
    bracket            text        NOT NULL CHECK (bracket <> ''),
    last_synced_at     timestamptz,
    last_snapshot_at   timestamptz,
    last_entry_count   integer,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    UNIQUE (pvp_season_id, region, bracket)
);

CREATE TABLE characters (
    id                            bigserial PRIMARY KEY,
    blizzard_id                   bigint      NOT NULL,
    region                        text        NOT NULL CHECK (region IN ('us', 'eu', 'kr', 'tw')),
    name                          text        NOT NULL,
    realm_slug                    text        NOT NULL,
    faction                       text,
    class_id                      integer,
    race_id                       integer,
    race                          text,
    level                         integer,
    active_spec_id                integer,
    profile_item_level            integer,
    last_login_at                 timestamptz,
    meta_synced_at                timestamptz,
    is_private                    boolean     NOT NULL DEFAULT false,
    unavailable_until             timestamptz,
    equipment_last_modified       text,
    specializations_last_modified text,
    created_at                    timestamptz NOT NULL DEFAULT now(),
    updated_at                    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (blizzard_id, region)
);
CREATE INDEX index_characters_on_is_private ON characters (is_private) WHERE is_private;

CREATE TABLE pvp_leaderboard_entries (
    id                           bigserial PRIMARY KEY,
    pvp_leaderboard_id           bigint      NOT NULL REFERENCES pvp_leaderboards (id) ON DELETE CASCADE,
    character_id                 bigint      NOT NULL REFERENCES characters (id) ON DELETE CASCADE,
    snapshot_at                  timestamptz NOT NULL,
    rank                         integer     NOT NULL,
    rating                       integer     NOT NULL,
    wins                         integer     NOT NULL DEFAULT 0,
    losses                       integer     NOT NULL DEFAULT 0,
    spec_id                      integer,
    item_level                   integer,
    tier_set_id                  bigint,
    tier_set_name                text,
    tier_set_pieces              integer,
    tier_4p_active               boolean,
    hero_talent_tree_id          bigint,
    hero_talent_tree_name        text,
    talent_loadout_code          text,
    talents                      jsonb,
    pvp_talents                  jsonb,
    equipment_processed_at       timestamptz,
    specialization_processed_at  timestamptz,
    raw_equipment                jsonb,
    raw_specialization           jsonb,
    created_at                   timestamptz NOT NULL DEFAULT now(),
    updated_at                   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (pvp_leaderboard_id, snapshot_at, character_id)
);
CREATE INDEX index_entries_on_character_id_and_snapshot_at ON pvp_leaderboard_entries (character_id, snapshot_at);
CREATE INDEX index_entries_on_snapshot_at ON pvp_leaderboard_entries (snapshot_at);
CREATE INDEX index_entries_on_character_id_and_equipment_processed_at
    ON pvp_leaderboard_entries (character_id, equipment_processed_at)
    WHERE equipment_processed_at IS NOT NULL;
-- Roster pages are read by rank within one snapshot of one board.
CREATE INDEX index_entries_on_board_snapshot_rank ON pvp_leaderboard_entries (pvp_leaderboard_id, snapshot_at, rank);

-- quality is text (EPIC, RARE, ...): the system we replace stored it in an integer column and lost it.
CREATE TABLE items (
    id               bigserial PRIMARY KEY,
    blizzard_id      bigint      NOT NULL UNIQUE,
    name             text        NOT NULL,
    quality          text,
    inventory_type   text,
    item_class_id    integer,
    item_subclass_id integer,
    media_id         bigint,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);

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
CREATE INDEX index_entry_items_on_item_id ON pvp_leaderboard_entry_items (item_id);

-- +goose Down
DROP TABLE pvp_leaderboard_entry_items;
DROP TABLE items;
DROP TABLE pvp_leaderboard_entries;
DROP TABLE characters;
DROP TABLE pvp_leaderboards;
DROP TABLE pvp_seasons;
