package battlenet

// Response models for the endpoints pvpsync reads. They mirror the JSON shapes of the real API (see
// shared/fixtures/blizzard) and are deliberately lenient: unknown fields are ignored, optional blocks are
// pointers or zero values, and nothing here fails on a field Blizzard sometimes leaves out (tooltip on some
// talents, talent_loadout_code null, id missing on "*-overall" index entries, realm names absent).
// The fake Battle.net server encodes these same types, so a shape change shows up on both sides at once.

// Link is the {"href": "..."} object Battle.net puts everywhere.
type Link struct {
	Href string `json:"href"`
}

// KeyRef is a reference to another resource: {"key": {...}, "name": "...", "id": N}.
type KeyRef struct {
	Key  *Link  `json:"key,omitempty"`
	Name string `json:"name,omitempty"`
	ID   int64  `json:"id"`
}

// TypeName is the {"type": "EPIC", "name": "Epic"} pair used for enums.
type TypeName struct {
	Type string `json:"type"`
	Name string `json:"name,omitempty"`
}

// Links is the "_links" block.
type Links struct {
	Self Link `json:"self"`
}

// SeasonIndex is /data/wow/pvp-season/index.
type SeasonIndex struct {
	Links         Links    `json:"_links"`
	Seasons       []KeyRef `json:"seasons"`
	CurrentSeason KeyRef   `json:"current_season"`
}

// Season is /data/wow/pvp-season/{id}. Timestamps are Unix milliseconds.
type Season struct {
	Links                Links  `json:"_links"`
	ID                   int64  `json:"id"`
	Leaderboards         *Link  `json:"leaderboards,omitempty"`
	Rewards              *Link  `json:"rewards,omitempty"`
	SeasonStartTimestamp int64  `json:"season_start_timestamp"`
	SeasonEndTimestamp   int64  `json:"season_end_timestamp,omitempty"`
	SeasonName           string `json:"season_name,omitempty"`
}

// LeaderboardIndex is /data/wow/pvp-season/{id}/pvp-leaderboard/index.
type LeaderboardIndex struct {
	Links        Links             `json:"_links"`
	Season       KeyRef            `json:"season"`
	Leaderboards []LeaderboardLink `json:"leaderboards"`
}

// LeaderboardLink is one entry of the index. ID is absent on the "*-overall" boards, hence a pointer.
type LeaderboardLink struct {
	Key  Link   `json:"key"`
	Name string `json:"name"`
	ID   *int64 `json:"id,omitempty"`
}

// Leaderboard is /data/wow/pvp-season/{id}/pvp-leaderboard/{bracket}: the whole board, no paging.
type Leaderboard struct {
	Links   Links              `json:"_links"`
	Season  KeyRef             `json:"season"`
	Name    string             `json:"name"`
	Bracket LeaderboardBracket `json:"bracket"`
	Entries []LeaderboardEntry `json:"entries"`
}

// LeaderboardBracket is {"id": 1, "type": "ARENA_3v3"}.
type LeaderboardBracket struct {
	ID   int64  `json:"id"`
	Type string `json:"type"`
}

// LeaderboardEntry is one ranked character.
type LeaderboardEntry struct {
	Character             EntryCharacter  `json:"character"`
	Faction               TypeName        `json:"faction"`
	Rank                  int             `json:"rank"`
	Rating                int             `json:"rating"`
	SeasonMatchStatistics MatchStatistics `json:"season_match_statistics"`
	Tier                  *KeyRef         `json:"tier,omitempty"`
}

// EntryCharacter is the character block of a leaderboard entry (no class, no race).
type EntryCharacter struct {
	Name  string `json:"name"`
	ID    int64  `json:"id"`
	Realm Realm  `json:"realm"`
}

// Realm appears with or without a name depending on the endpoint.
type Realm struct {
	Key  *Link  `json:"key,omitempty"`
	Name string `json:"name,omitempty"`
	ID   int64  `json:"id"`
	Slug string `json:"slug"`
}

// MatchStatistics is "season_match_statistics" (plural on the board).
type MatchStatistics struct {
	Played int `json:"played"`
	Won    int `json:"won"`
	Lost   int `json:"lost"`
}

// CharacterRef is the "character" block of profile sub-resources (equipment, specializations).
type CharacterRef struct {
	Key   *Link  `json:"key,omitempty"`
	Name  string `json:"name"`
	ID    int64  `json:"id"`
	Realm Realm  `json:"realm"`
}

// Profile is /profile/wow/character/{realm}/{name} (the summary).
type Profile struct {
	Links              Links     `json:"_links"`
	ID                 int64     `json:"id"`
	Name               string    `json:"name"`
	Gender             *TypeName `json:"gender,omitempty"`
	Faction            *TypeName `json:"faction,omitempty"`
	Race               *KeyRef   `json:"race,omitempty"`
	CharacterClass     *KeyRef   `json:"character_class,omitempty"`
	ActiveSpec         *KeyRef   `json:"active_spec,omitempty"`
	Realm              Realm     `json:"realm"`
	Level              int       `json:"level"`
	LastLoginTimestamp int64     `json:"last_login_timestamp,omitempty"`
	AverageItemLevel   int       `json:"average_item_level,omitempty"`
	EquippedItemLevel  int       `json:"equipped_item_level,omitempty"`
	Equipment          *Link     `json:"equipment,omitempty"`
	Specializations    *Link     `json:"specializations,omitempty"`
}

// Equipment is /profile/wow/character/{realm}/{name}/equipment.
type Equipment struct {
	Links            Links          `json:"_links"`
	Character        CharacterRef   `json:"character"`
	EquippedItems    []EquippedItem `json:"equipped_items"`
	EquippedItemSets []ItemSetState `json:"equipped_item_sets,omitempty"`
}

// EquippedItem is one slot of the equipment response. Only the fields pvpsync stores are modelled;
// stats, armor, tooltips and the rest are ignored on decode.
type EquippedItem struct {
	Item                 KeyRef        `json:"item"`
	Sockets              []Socket      `json:"sockets,omitempty"`
	Slot                 TypeName      `json:"slot"`
	Quantity             int           `json:"quantity,omitempty"`
	Context              int           `json:"context,omitempty"`
	BonusList            []int64       `json:"bonus_list,omitempty"`
	Quality              TypeName      `json:"quality"`
	Name                 string        `json:"name"`
	ModifiedAppearanceID int64         `json:"modified_appearance_id,omitempty"`
	Media                *KeyRef       `json:"media,omitempty"`
	ItemClass            KeyRef        `json:"item_class"`
	ItemSubclass         KeyRef        `json:"item_subclass"`
	InventoryType        TypeName      `json:"inventory_type"`
	Binding              *TypeName     `json:"binding,omitempty"`
	Enchantments         []Enchantment `json:"enchantments,omitempty"`
	Set                  *ItemSetState `json:"set,omitempty"`
	Level                ItemLevel     `json:"level"`
}

// ItemLevel is {"value": 681, "display_string": "Item Level 681"}.
type ItemLevel struct {
	Value         int    `json:"value"`
	DisplayString string `json:"display_string,omitempty"`
}

// Socket is one gem socket; Item is absent when the socket is empty.
type Socket struct {
	SocketType    TypeName `json:"socket_type"`
	Item          *KeyRef  `json:"item,omitempty"`
	DisplayString string   `json:"display_string,omitempty"`
	Media         *KeyRef  `json:"media,omitempty"`
}

// Enchantment is one enchant on an item (permanent, temporary, or a bonus line on a cloak).
type Enchantment struct {
	DisplayString   string    `json:"display_string,omitempty"`
	SourceItem      *KeyRef   `json:"source_item,omitempty"`
	EnchantmentID   int64     `json:"enchantment_id"`
	EnchantmentSlot *SlotKind `json:"enchantment_slot,omitempty"`
}

// SlotKind is {"id": 0, "type": "PERMANENT"}.
type SlotKind struct {
	ID   int    `json:"id"`
	Type string `json:"type"`
}

// ItemSetState is a set as seen from an item ("set") or from the character ("equipped_item_sets").
type ItemSetState struct {
	ItemSet       KeyRef          `json:"item_set"`
	Items         []ItemSetMember `json:"items"`
	Effects       []SetEffect     `json:"effects,omitempty"`
	DisplayString string          `json:"display_string,omitempty"`
}

// ItemSetMember is one piece of a set; IsEquipped is absent (false) for pieces not worn.
type ItemSetMember struct {
	Item       KeyRef `json:"item"`
	IsEquipped bool   `json:"is_equipped,omitempty"`
}

// SetEffect is one set bonus.
type SetEffect struct {
	DisplayString string `json:"display_string"`
	RequiredCount int    `json:"required_count"`
	IsActive      bool   `json:"is_active,omitempty"`
}

// Specializations is /profile/wow/character/{realm}/{name}/specializations.
type Specializations struct {
	Links                Links        `json:"_links"`
	Specializations      []SpecDetail `json:"specializations"`
	ActiveSpecialization *KeyRef      `json:"active_specialization,omitempty"`
	ActiveHeroTalentTree *KeyRef      `json:"active_hero_talent_tree,omitempty"`
	Character            CharacterRef `json:"character"`
}

// SpecDetail is one specialization of the character with its saved loadouts.
type SpecDetail struct {
	Specialization KeyRef          `json:"specialization"`
	Glyphs         []KeyRef        `json:"glyphs,omitempty"`
	PvpTalentSlots []PvpTalentSlot `json:"pvp_talent_slots,omitempty"`
	Loadouts       []Loadout       `json:"loadouts,omitempty"`
}

// PvpTalentSlot is one selected PvP talent.
type PvpTalentSlot struct {
	Selected   PvpTalentSelection `json:"selected"`
	SlotNumber int                `json:"slot_number"`
}

// PvpTalentSelection names the talent and its spell.
type PvpTalentSelection struct {
	Talent       KeyRef        `json:"talent"`
	SpellTooltip *SpellTooltip `json:"spell_tooltip,omitempty"`
}

// SpellTooltip is the spell of a talent; only the reference is kept.
type SpellTooltip struct {
	Spell       KeyRef `json:"spell"`
	Description string `json:"description,omitempty"`
	CastTime    string `json:"cast_time,omitempty"`
}

// Loadout is one saved talent loadout. TalentLoadoutCode is null on some characters.
type Loadout struct {
	IsActive                bool             `json:"is_active"`
	TalentLoadoutCode       *string          `json:"talent_loadout_code"`
	SelectedClassTalents    []SelectedTalent `json:"selected_class_talents,omitempty"`
	SelectedSpecTalents     []SelectedTalent `json:"selected_spec_talents,omitempty"`
	SelectedHeroTalents     []SelectedTalent `json:"selected_hero_talents,omitempty"`
	SelectedClassTalentTree *KeyRef          `json:"selected_class_talent_tree,omitempty"`
	SelectedSpecTalentTree  *KeyRef          `json:"selected_spec_talent_tree,omitempty"`
	SelectedHeroTalentTree  *KeyRef          `json:"selected_hero_talent_tree,omitempty"`
}

// SelectedTalent is one talent node; Tooltip is missing on some entries.
type SelectedTalent struct {
	ID            int64          `json:"id"`
	Rank          int            `json:"rank"`
	Tooltip       *TalentTooltip `json:"tooltip,omitempty"`
	DefaultPoints int            `json:"default_points,omitempty"`
}

// TalentTooltip names the talent and its spell.
type TalentTooltip struct {
	Talent       KeyRef        `json:"talent"`
	SpellTooltip *SpellTooltip `json:"spell_tooltip,omitempty"`
}

// ErrorBody is the JSON body of an API error, e.g. {"code":404,"type":"BLZWEBAPI00000404","detail":"Not Found"}.
type ErrorBody struct {
	Code   int    `json:"code"`
	Type   string `json:"type"`
	Detail string `json:"detail"`
}
