package fakeblizzard

// Item tables for the gear generator: armor words per armor type, weapon kits per spec, enchants,
// gems, and the one-off slots. Names and ids follow the captured characters where they exist.

var armorTypeNames = map[int]string{cloth: "Cloth", leather: "Leather", mail: "Mail", plate: "Plate"}

// armorSlots in Battle.net's slot order; idx indexes armorWords.
type armorSlot struct {
	slot, inv string
	idx       int
	mult      float64 // stat budget relative to a head piece
	dur       int     // max durability
}

var (
	slotHead     = armorSlot{"HEAD", "HEAD", 0, 1, 100}
	slotShoulder = armorSlot{"SHOULDER", "SHOULDER", 1, 0.75, 100}
	slotChest    = armorSlot{"CHEST", "CHEST", 2, 1, 165}
	slotWaist    = armorSlot{"WAIST", "WAIST", 3, 0.75, 55}
	slotLegs     = armorSlot{"LEGS", "LEGS", 4, 1, 120}
	slotFeet     = armorSlot{"FEET", "FEET", 5, 0.75, 80}
	slotWrist    = armorSlot{"WRIST", "WRIST", 6, 0.56, 55}
	slotHands    = armorSlot{"HANDS", "HAND", 7, 0.75, 55}
)

var armorWords = map[int][8]string{
	cloth:   {"Hood", "Mantle", "Robe", "Cord", "Leggings", "Treads", "Cuffs", "Handwraps"},
	leather: {"Helm", "Shoulderpads", "Jerkin", "Belt", "Legguards", "Boots", "Wristwraps", "Gloves"},
	mail:    {"Helm", "Spaulders", "Chain Armor", "Waistguard", "Leggings", "Sabatons", "Bracers", "Gauntlets"},
	plate:   {"Helm", "Pauldrons", "Breastplate", "Girdle", "Legplates", "Warboots", "Vambraces", "Gauntlets"},
}

// armorFactor scales armor values by armor type (leather = 1).
var armorFactor = map[int]float64{cloth: 0.5, leather: 1, mail: 1.4, plate: 2}

// tierSlots are the slots a class set can occupy, in the order tierSet.Pieces lists them.
var tierSlots = []armorSlot{slotHead, slotShoulder, slotChest, slotHands, slotLegs}

var slotNames = map[string]string{
	"HEAD": "Head", "NECK": "Neck", "SHOULDER": "Shoulders", "SHIRT": "Shirt", "CHEST": "Chest",
	"WAIST": "Waist", "LEGS": "Legs", "FEET": "Feet", "WRIST": "Wrist", "HANDS": "Hands",
	"FINGER_1": "Ring 1", "FINGER_2": "Ring 2", "TRINKET_1": "Trinket 1", "TRINKET_2": "Trinket 2",
	"BACK": "Back", "MAIN_HAND": "Main Hand", "OFF_HAND": "Off Hand", "TABARD": "Tabard",
}

var invTypeNames = map[string]string{
	"HEAD": "Head", "NECK": "Neck", "SHOULDER": "Shoulder", "BODY": "Shirt", "CHEST": "Chest", "ROBE": "Chest",
	"WAIST": "Waist", "LEGS": "Legs", "FEET": "Feet", "WRIST": "Wrist", "HAND": "Hands", "FINGER": "Finger",
	"TRINKET": "Trinket", "CLOAK": "Back", "WEAPON": "One-Hand", "TWOHWEAPON": "Two-Hand", "SHIELD": "Off Hand",
	"HOLDABLE": "Held In Off-hand", "RANGED": "Ranged", "RANGEDRIGHT": "Ranged", "TABARD": "Tabard",
}

var qualityNames = map[string]string{
	"POOR": "Poor", "COMMON": "Common", "UNCOMMON": "Uncommon", "RARE": "Rare", "EPIC": "Epic",
	"LEGENDARY": "Legendary", "ARTIFACT": "Artifact",
}

const (
	itemClassWeapon = 2
	itemClassArmor  = 4
)

type weaponDef struct {
	class   int64
	sub     int64
	subName string
	inv     string
	noun    string
	alt     string // name of the left-hand variant when a pair is not the same item
	id      int64
}

var (
	wDagger  = weaponDef{itemClassWeapon, 15, "Dagger", "WEAPON", "Dagger", "Shanker", 230644}
	wSword1  = weaponDef{itemClassWeapon, 7, "Sword", "WEAPON", "Quickblade", "Slicer", 230660}
	wAxe1    = weaponDef{itemClassWeapon, 0, "Axe", "WEAPON", "Hatchet", "Cleaver", 230662}
	wMace1   = weaponDef{itemClassWeapon, 4, "Mace", "WEAPON", "Gavel", "Pummeler", 230664}
	wFist    = weaponDef{itemClassWeapon, 13, "Fist Weapon", "WEAPON", "Ripper", "Claw", 230666}
	wGlaive  = weaponDef{itemClassWeapon, 9, "Warglaives", "WEAPON", "Warglaive", "Glaive", 230668}
	wSword2  = weaponDef{itemClassWeapon, 8, "Sword", "TWOHWEAPON", "Greatsword", "", 230670}
	wAxe2    = weaponDef{itemClassWeapon, 1, "Axe", "TWOHWEAPON", "Decapitator", "", 230671}
	wMace2   = weaponDef{itemClassWeapon, 5, "Mace", "TWOHWEAPON", "Bonecracker", "", 230672}
	wPolearm = weaponDef{itemClassWeapon, 6, "Polearm", "TWOHWEAPON", "Pike", "", 230673}
	wStaff   = weaponDef{itemClassWeapon, 10, "Staff", "TWOHWEAPON", "Staff", "", 230674}
	wBow     = weaponDef{itemClassWeapon, 2, "Bow", "RANGED", "Longbow", "", 230675}
	wGun     = weaponDef{itemClassWeapon, 3, "Gun", "RANGEDRIGHT", "Rifle", "", 230676}
	wXbow    = weaponDef{itemClassWeapon, 18, "Crossbow", "RANGEDRIGHT", "Heavy Crossbow", "", 230677}
	wShield  = weaponDef{itemClassArmor, 6, "Shield", "SHIELD", "Barrier", "", 230690}
	wHold    = weaponDef{itemClassArmor, 0, "Miscellaneous", "HOLDABLE", "Endgame", "", 230691}
)

// twoHanded is what fills both hands: no OFF_HAND, and the item counts twice in the item level.
func (w weaponDef) twoHanded() bool {
	return w.inv == "TWOHWEAPON" || w.inv == "RANGED" || w.inv == "RANGEDRIGHT"
}

type weaponKit struct {
	mh weaponDef
	oh *weaponDef
}

func dual(w weaponDef) weaponKit                { return weaponKit{w, &w} }
func with(mh weaponDef, oh weaponDef) weaponKit { return weaponKit{mh, &oh} }
func twoHand(w weaponDef) weaponKit             { return weaponKit{mh: w} }

var casterKits = []weaponKit{twoHand(wStaff), with(wDagger, wHold), with(wSword1, wHold), with(wMace1, wHold)}

var specKits = map[int][]weaponKit{
	250: {twoHand(wSword2), twoHand(wAxe2), twoHand(wMace2)}, 251: {dual(wSword1), twoHand(wSword2)}, 252: {twoHand(wAxe2), twoHand(wSword2)},
	577: {dual(wGlaive)}, 581: {dual(wGlaive)}, 1480: {dual(wGlaive)},
	102: {twoHand(wStaff), with(wMace1, wHold)}, 103: {twoHand(wStaff), twoHand(wPolearm)}, 104: {twoHand(wPolearm), twoHand(wMace2)}, 105: {twoHand(wStaff), with(wMace1, wHold)},
	1467: casterKits, 1468: casterKits, 1473: casterKits,
	253: {twoHand(wBow), twoHand(wGun), twoHand(wXbow)}, 254: {twoHand(wBow), twoHand(wGun), twoHand(wXbow)}, 255: {twoHand(wPolearm), twoHand(wStaff)},
	62: casterKits, 63: casterKits, 64: casterKits,
	268: {twoHand(wStaff), twoHand(wPolearm)}, 269: {dual(wFist), dual(wSword1), twoHand(wStaff)}, 270: {twoHand(wStaff), with(wMace1, wHold)},
	65: {with(wMace1, wShield)}, 66: {with(wSword1, wShield), with(wMace1, wShield)}, 70: {twoHand(wSword2), twoHand(wAxe2), twoHand(wMace2)},
	256: casterKits, 257: casterKits, 258: casterKits,
	259: {dual(wDagger)}, 260: {dual(wSword1), dual(wAxe1), dual(wMace1)}, 261: {dual(wDagger)},
	262: {with(wMace1, wShield), with(wMace1, wHold)}, 263: {dual(wAxe1), dual(wMace1), dual(wFist)}, 264: {with(wMace1, wShield)},
	265: casterKits, 266: casterKits, 267: casterKits,
	71: {twoHand(wAxe2), twoHand(wSword2), twoHand(wPolearm)}, 72: {dual(wAxe1), dual(wSword1)}, 73: {with(wSword1, wShield), with(wAxe1, wShield)},
}

type enchantDef struct {
	id     int64
	name   string
	source int64 // armor kit / spellthread item, when the enchant comes from one
}

var enchantsBySlot = map[string][]enchantDef{
	"CHEST":  {{7364, "Crystalline Radiance", 0}, {7358, "Council's Intellect", 0}, {7361, "Oathsworn's Strength", 0}},
	"LEGS":   {{7601, "Stormbound Armor Kit", 219908}, {7595, "Sunset Spellthread", 222893}, {7598, "Defender's Armor Kit", 219911}},
	"FEET":   {{7424, "Defender's March", 0}, {7418, "Scout's March", 0}, {7421, "Cavalry's March", 0}},
	"WRIST":  {{7391, "Chant of Armored Avoidance", 0}, {7397, "Chant of Armored Leech", 0}, {7385, "Whisper of Armored Speed", 0}},
	"FINGER": {{7346, "+315 Mastery", 0}, {7352, "+315 Versatility", 0}, {7340, "+315 Haste", 0}, {7334, "+315 Critical Strike", 0}},
	"BACK":   {{7409, "Chant of Leeching Fangs", 0}, {7415, "Chant of Winged Grace", 0}, {7403, "Whisper of Silken Avoidance", 0}},
	"WEAPON": {{7445, "Stonebound Artistry", 0}, {7463, "Authority of Radiant Power", 0}, {7439, "Council's Guile", 0}, {7460, "Authority of the Depths", 0}, {7457, "Oathsworn's Tenacity", 0}},
}

var sourceItemNames = map[int64]string{219908: "Stormbound Armor Kit", 222893: "Sunset Spellthread", 219911: "Defender's Armor Kit"}

type gemDef struct {
	id      int64
	name    string
	display string
}

var gems = []gemDef{
	{213497, "Versatile Onyx", "+147 Mastery and +49 Versatility"},
	{213500, "Masterful Onyx", "+176 Mastery"},
	{213461, "Quick Sapphire", "+147 Haste and +49 Mastery"},
	{213470, "Deadly Sapphire", "+147 Critical Strike and +49 Haste"},
	{213482, "Masterful Emerald", "+147 Mastery and +49 Haste"},
	{213455, "Crafty Ruby", "+147 Critical Strike and +49 Versatility"},
	{213491, "Quick Onyx", "+147 Haste and +49 Versatility"},
}

var primeGems = []gemDef{
	{213747, "Enduring Bloodstone", "+181 Primary Stat and +5% Damage Reduction when affected by Crowd Control"},
	{213746, "Elusive Blasphemite", "+181 Primary Stat and +1% Movement Speed per Unique Algari Gem Color"},
	{213743, "Culminating Blasphemite", "+181 Primary Stat and +0.15% Critical Effect per Unique Algari Gem Color"},
}

var fiberGem = gemDef{238046, "Pure Energizing Fiber", "Pure Energizing Fiber"}

// gladiatorTrinkets form the "Gladiator's Distinction" set (item-set 1458).
var gladiatorTrinkets = []struct {
	id   int64
	name string
}{
	{230638, "Astral Gladiator's Badge of Ferocity"},
	{230641, "Astral Gladiator's Medallion"},
	{230639, "Astral Gladiator's Insignia of Alacrity"},
	{230640, "Astral Gladiator's Emblem"},
}

type simpleItem struct {
	id      int64
	name    string
	quality string
	binding string
}

var shirts = []simpleItem{
	{167184, "Scarlet Filigreed Doublet", "UNCOMMON", "ON_EQUIP"},
	{151116, "Fashionable Undershirt", "RARE", "ON_ACQUIRE"},
	{10034, "Tuxedo Shirt", "COMMON", "ON_EQUIP"},
	{45666, "Crusader's Black Warhorse Shirt", "UNCOMMON", "ON_ACQUIRE"},
}

var tabards = []simpleItem{
	{232908, "Astral Gladiator's Tabard", "EPIC", "ON_ACQUIRE"},
	{185303, "Unchained Gladiator's Tabard", "EPIC", "ON_ACQUIRE"},
	{43300, "Loremaster's Colors", "EPIC", "ON_ACQUIRE"},
	{31404, "Green Trophy Tabard of the Illidari", "UNCOMMON", "ON_ACQUIRE"},
}

var bindingNames = map[string]string{"ON_ACQUIRE": "Binds when picked up", "ON_EQUIP": "Binds when equipped"}

var (
	pvpBonus     = []int64{12290, 12033, 12239, 12034, 1569, 10255}
	craftedBonus = []int64{11318, 10836, 10834, 9627, 12039, 12033, 8794, 10520, 8960}
	tierBonus    = []int64{12034, 12033, 12290, 12230, 12675, 1491}
	reshiiBonus  = []int64{12401, 9893, 12256}
)
