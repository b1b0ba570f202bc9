package fakeblizzard

import (
	"github.com/pvpsync/pvpsync/battlenet"
)

// Static game data the generator draws from. Ids and names follow the real game where they are known
// (playable classes, races, realms seen in the captures); the rest is plausible filler.

type raceInfo struct {
	ID      int64
	Name    string
	Faction string // ALLIANCE or HORDE
}

var races = map[int]raceInfo{
	1: {1, "Human", "ALLIANCE"}, 2: {2, "Orc", "HORDE"}, 3: {3, "Dwarf", "ALLIANCE"},
	4: {4, "Night Elf", "ALLIANCE"}, 5: {5, "Undead", "HORDE"}, 6: {6, "Tauren", "HORDE"},
	7: {7, "Gnome", "ALLIANCE"}, 8: {8, "Troll", "HORDE"}, 9: {9, "Goblin", "HORDE"},
	10: {10, "Blood Elf", "HORDE"}, 11: {11, "Draenei", "ALLIANCE"}, 22: {22, "Worgen", "ALLIANCE"},
	25: {25, "Pandaren", "ALLIANCE"}, 26: {26, "Pandaren", "HORDE"}, 27: {27, "Nightborne", "HORDE"},
	28: {28, "Highmountain Tauren", "HORDE"}, 29: {29, "Void Elf", "ALLIANCE"},
	30: {30, "Lightforged Draenei", "ALLIANCE"}, 31: {31, "Zandalari Troll", "HORDE"},
	32: {32, "Kul Tiran", "ALLIANCE"}, 34: {34, "Dark Iron Dwarf", "ALLIANCE"}, 35: {35, "Vulpera", "HORDE"},
	36: {36, "Mag'har Orc", "HORDE"}, 37: {37, "Mechagnome", "ALLIANCE"}, 52: {52, "Dracthyr", "ALLIANCE"},
	70: {70, "Dracthyr", "HORDE"}, 84: {84, "Earthen", "HORDE"}, 85: {85, "Earthen", "ALLIANCE"},
}

var factionNames = map[string]string{"ALLIANCE": "Alliance", "HORDE": "Horde"}

const (
	cloth   = 1
	leather = 2
	mail    = 3
	plate   = 4
)

type heroDef struct {
	ID   int64
	Name string
}

type classInfo struct {
	ID        int
	Name      string
	Armor     int
	TreeID    int64
	Races     []int
	Heroes    []heroDef
	Abilities []string
	PvP       []string
	Tier      tierSet
}

type tierSet struct {
	ID     int64
	Name   string
	Prefix string    // "Oathbinder's " or ""
	Suffix string    // " of the Sudden Eclipse" or ""
	Pieces [5]string // HEAD, SHOULDER, CHEST, HANDS, LEGS words; empty = armor-type default
	IDs    [5]int64  // item ids; zero = generated
}

var everyone = []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 22, 25, 26, 27, 28, 29, 30, 31, 32, 34, 35, 36, 37, 84, 85}

var classes = []classInfo{
	{ID: 1, Name: "Warrior", Armor: plate, TreeID: 781, Races: everyone,
		Heroes:    []heroDef{{60, "Slayer"}, {61, "Mountain Thane"}, {62, "Colossus"}},
		Abilities: []string{"Mortal Strike", "Execute", "Overpower", "Bladestorm", "Charge", "Heroic Leap", "Rampage", "Raging Blow", "Shield Slam", "Shield Block", "Spell Reflection", "Die by the Sword", "Avatar", "Thunder Clap", "Pummel", "Intimidating Shout"},
		PvP:       []string{"Sharpen Blade", "Disarm", "Duel", "Storm of Destruction", "Bodyguard", "Shield Bash", "Rebound", "Battlefield Commander"},
		Tier:      tierSet{ID: 1924, Name: "Living Weapon's Bulwark", Prefix: "Living Weapon's "}},
	{ID: 2, Name: "Paladin", Armor: plate, TreeID: 790, Races: []int{1, 3, 6, 10, 11, 30, 31, 34, 84, 85},
		Heroes:    []heroDef{{47, "Templar"}, {48, "Lightsmith"}, {49, "Herald of the Sun"}},
		Abilities: []string{"Judgment", "Crusader Strike", "Divine Storm", "Templar's Verdict", "Holy Shock", "Word of Glory", "Avenger's Shield", "Blessing of Freedom", "Blessing of Protection", "Hammer of Justice", "Divine Shield", "Avenging Wrath", "Consecration", "Lay on Hands", "Wake of Ashes", "Light of Dawn"},
		PvP:       []string{"Blessing of Sanctuary", "Hallowed Ground", "Searing Glare", "Spreading the Word", "Aura of Reckoning", "Ultimate Sacrifice", "Divine Vision", "Jurisdiction"},
		Tier:      tierSet{ID: 1925, Name: "Oathbinder's Authority", Prefix: "Oathbinder's "}},
	{ID: 3, Name: "Hunter", Armor: mail, TreeID: 765, Races: append([]int{52, 70}, everyone...),
		Heroes:    []heroDef{{42, "Sentinel"}, {43, "Pack Leader"}, {44, "Dark Ranger"}},
		Abilities: []string{"Kill Command", "Barbed Shot", "Aimed Shot", "Rapid Fire", "Arcane Shot", "Multi-Shot", "Raptor Strike", "Wildfire Bomb", "Freezing Trap", "Aspect of the Turtle", "Disengage", "Exhilaration", "Counter Shot", "Bestial Wrath", "Trueshot", "Explosive Shot"},
		PvP:       []string{"Survival Tactics", "Chimaeral Sting", "Diamond Ice", "Wild Kingdom", "Sniper's Advantage", "Tranquilizing Darts", "Interlope", "Hi-Explosive Trap"},
		Tier:      tierSet{ID: 1926, Name: "Midnight Herald's Pledge", Prefix: "Midnight Herald's "}},
	{ID: 4, Name: "Rogue", Armor: leather, TreeID: 852, Races: []int{1, 2, 3, 4, 5, 7, 8, 9, 10, 22, 25, 26, 27, 29, 31, 32, 34, 35, 36, 37, 52, 70, 84, 85},
		Heroes:    []heroDef{{51, "Trickster"}, {52, "Fatebound"}, {53, "Deathstalker"}},
		Abilities: []string{"Kingsbane", "Shiv", "Blind", "Kidney Shot", "Shadowstep", "Evasion", "Cloak of Shadows", "Vanish", "Envenom", "Garrote", "Rupture", "Eviscerate", "Shadow Dance", "Between the Eyes", "Adrenaline Rush", "Sprint"},
		PvP:       []string{"Dismantle", "Preemptive Maneuver", "Smoke Bomb", "Death from Above", "Thick as Thieves", "Maneuverability", "Dagger in the Dark", "Veil of Midnight"},
		Tier: tierSet{ID: 1928, Name: "Shroud of the Sudden Eclipse", Suffix: " of the Sudden Eclipse",
			Pieces: [5]string{"Hood", "Smokemantle", "Tactical Vest", "Deathgrips", "Pants"},
			IDs:    [5]int64{237664, 237662, 237667, 237665, 237663}}},
	{ID: 5, Name: "Priest", Armor: cloth, TreeID: 795, Races: append([]int{52, 70}, everyone...),
		Heroes:    []heroDef{{18, "Voidweaver"}, {19, "Archon"}, {20, "Oracle"}},
		Abilities: []string{"Penance", "Power Word: Shield", "Mind Blast", "Shadow Word: Pain", "Vampiric Touch", "Holy Word: Serenity", "Psychic Scream", "Mass Dispel", "Power Infusion", "Void Eruption", "Flash Heal", "Pain Suppression", "Guardian Spirit", "Halo", "Fade", "Desperate Prayer"},
		PvP:       []string{"Ultimate Penitence", "Thoughtsteal", "Psyfiend", "Dark Archangel", "Inner Light and Shadow", "Holy Ward", "Phase Shift", "Void Volley"},
		Tier:      tierSet{ID: 1927, Name: "Eulogy of the Dying Star", Suffix: " of the Dying Star"}},
	{ID: 6, Name: "Death Knight", Armor: plate, TreeID: 812, Races: everyone,
		Heroes:    []heroDef{{31, "San'layn"}, {32, "Rider of the Apocalypse"}, {33, "Deathbringer"}},
		Abilities: []string{"Death Strike", "Obliterate", "Frost Strike", "Festering Strike", "Scourge Strike", "Death Coil", "Marrowrend", "Heart Strike", "Anti-Magic Shell", "Icebound Fortitude", "Death Grip", "Chains of Ice", "Asphyxiate", "Pillar of Frost", "Dark Transformation", "Remorseless Winter"},
		PvP:       []string{"Strangulate", "Dark Simulacrum", "Necrotic Aura", "Rot and Wither", "Doomburst", "Delirium", "Spellwarden", "Bloodforged Armor"},
		Tier:      tierSet{ID: 1929, Name: "Hollow Sentinel's Wake", Prefix: "Hollow Sentinel's "}},
	{ID: 7, Name: "Shaman", Armor: mail, TreeID: 786, Races: []int{2, 3, 6, 8, 9, 11, 25, 26, 28, 31, 32, 34, 35, 36, 84, 85},
		Heroes:    []heroDef{{54, "Totemic"}, {55, "Stormbringer"}, {56, "Farseer"}},
		Abilities: []string{"Lava Burst", "Lightning Bolt", "Earth Shock", "Stormstrike", "Lava Lash", "Chain Heal", "Riptide", "Healing Stream Totem", "Hex", "Earthgrab Totem", "Astral Shift", "Capacitor Totem", "Ascendance", "Feral Spirit", "Primordial Wave", "Wind Shear"},
		PvP:       []string{"Grounding Totem", "Static Field Totem", "Unleash Shield", "Burrow", "Tidebringer", "Electrocute", "Counterstrike Totem", "Shamanism"},
		Tier:      tierSet{ID: 1930, Name: "Howls of Channeled Fury", Suffix: " of Channeled Fury"}},
	{ID: 8, Name: "Mage", Armor: cloth, TreeID: 658, Races: append([]int{52, 70}, everyone...),
		Heroes:    []heroDef{{39, "Sunfury"}, {40, "Spellslinger"}, {41, "Frostfire"}},
		Abilities: []string{"Frostbolt", "Ice Lance", "Flurry", "Fireball", "Pyroblast", "Fire Blast", "Arcane Blast", "Arcane Missiles", "Polymorph", "Ice Block", "Blink", "Counterspell", "Frost Nova", "Ring of Frost", "Combustion", "Icy Veins"},
		PvP:       []string{"Ring of Fire", "Ice Wall", "Frost Bomb", "Overpowered Barrier", "Greater Pyroblast", "Arcanosphere", "Master Shepherd", "Ice Form"},
		Tier:      tierSet{ID: 1931, Name: "Augur's Ephemeral Plumage", Prefix: "Augur's Ephemeral "}},
	{ID: 9, Name: "Warlock", Armor: cloth, TreeID: 720, Races: []int{1, 2, 3, 5, 7, 8, 9, 10, 22, 27, 29, 31, 34, 35, 36, 37, 52, 70, 84, 85},
		Heroes:    []heroDef{{57, "Soul Harvester"}, {58, "Hellcaller"}, {59, "Diabolist"}},
		Abilities: []string{"Unstable Affliction", "Agony", "Corruption", "Haunt", "Chaos Bolt", "Incinerate", "Conflagrate", "Hand of Gul'dan", "Demonbolt", "Fear", "Shadowfury", "Mortal Coil", "Unending Resolve", "Drain Life", "Summon Demonic Tyrant", "Malefic Rapture"},
		PvP:       []string{"Bane of Fragility", "Nether Ward", "Soul Rip", "Rot and Decay", "Bonds of Fel", "Call Observer", "Gateway Mastery", "Shadow Rift"},
		Tier:      tierSet{ID: 1932, Name: "Inquisitor's Feast", Prefix: "Inquisitor's "}},
	{ID: 10, Name: "Monk", Armor: leather, TreeID: 768, Races: everyone,
		Heroes:    []heroDef{{64, "Conduit of the Celestials"}, {65, "Master of Harmony"}, {66, "Shado-Pan"}},
		Abilities: []string{"Rising Sun Kick", "Blackout Kick", "Tiger Palm", "Fists of Fury", "Keg Smash", "Breath of Fire", "Vivify", "Enveloping Mist", "Renewing Mist", "Paralysis", "Leg Sweep", "Touch of Karma", "Fortifying Brew", "Roll", "Spinning Crane Kick", "Life Cocoon"},
		PvP:       []string{"Grapple Weapon", "Tigereye Brew", "Zen Spheres", "Mighty Ox Kick", "Peaceweaver", "Dematerialize", "Wind Waker", "Turbo Fists"},
		Tier:      tierSet{ID: 1933, Name: "Crash of Fallen Storms", Suffix: " of Fallen Storms"}},
	{ID: 11, Name: "Druid", Armor: leather, TreeID: 793, Races: []int{4, 6, 8, 22, 28, 31, 32},
		Heroes:    []heroDef{{21, "Druid of the Claw"}, {22, "Wildstalker"}, {23, "Keeper of the Grove"}, {24, "Elune's Chosen"}},
		Abilities: []string{"Moonfire", "Starsurge", "Wrath", "Starfire", "Shred", "Rip", "Ferocious Bite", "Mangle", "Ironfur", "Rejuvenation", "Lifebloom", "Regrowth", "Cyclone", "Barkskin", "Incarnation", "Wild Growth"},
		PvP:       []string{"Thorns", "Malorne's Swiftness", "High Winds", "Entangling Claws", "Star Burst", "Tireless Pursuit", "Wild Attunement", "Ferocious Wound"},
		Tier:      tierSet{ID: 1934, Name: "Ornaments of the Mother Eagle", Suffix: " of the Mother Eagle"}},
	{ID: 12, Name: "Demon Hunter", Armor: leather, TreeID: 854, Races: []int{4, 10},
		Heroes:    []heroDef{{34, "Aldrachi Reaver"}, {35, "Fel-Scarred"}, {124, "Annihilator"}, {125, "Void-Scarred"}},
		Abilities: []string{"Eye Beam", "Chaos Strike", "Blade Dance", "Fel Rush", "Vengeful Retreat", "Immolation Aura", "Sigil of Flame", "Fel Devastation", "Soul Cleave", "Spirit Bomb", "Imprison", "Chaos Nova", "Blur", "Netherwalk", "Metamorphosis", "The Hunt"},
		PvP:       []string{"Reverse Magic", "Cover of Darkness", "Glimpse", "Rain from Above", "Detainment", "Demonic Origins", "Cleansed by Flame", "Sigil Mastery"},
		Tier:      tierSet{ID: 1935, Name: "Charhound's Vicious Hunt", Prefix: "Charhound's Vicious "}},
	{ID: 13, Name: "Evoker", Armor: mail, TreeID: 872, Races: []int{52, 70},
		Heroes:    []heroDef{{36, "Scalecommander"}, {37, "Flameshaper"}, {38, "Chronowarden"}},
		Abilities: []string{"Fire Breath", "Disintegrate", "Living Flame", "Eternity Surge", "Pyre", "Dream Breath", "Spiritbloom", "Echo", "Reversion", "Ebon Might", "Prescience", "Breath of Eons", "Obsidian Scales", "Sleep Walk", "Landslide", "Hover"},
		PvP:       []string{"Nullifying Shroud", "Unburdened Flight", "Swoop Up", "Time Stop", "Chrono Loop", "Obsidian Mettle", "Scouring Flame", "Divide and Conquer"},
		Tier:      tierSet{ID: 1936, Name: "Spellweaver's Immaculate Design", Prefix: "Spellweaver's Immaculate "}},
}

// specHeroes names the two hero trees each specialization can pick (indexes into classInfo.Heroes).
var specHeroes = map[int][2]int{
	250: {0, 2}, 251: {1, 2}, 252: {1, 0}, // death knight
	577: {0, 1}, 581: {0, 1}, 1480: {2, 3}, // demon hunter
	102: {2, 3}, 103: {1, 0}, 104: {3, 0}, 105: {2, 1}, // druid
	1467: {1, 0}, 1468: {1, 2}, 1473: {2, 0}, // evoker
	253: {1, 2}, 254: {0, 2}, 255: {1, 0}, // hunter
	62: {0, 1}, 63: {0, 2}, 64: {2, 1}, // mage
	268: {1, 2}, 269: {2, 0}, 270: {1, 0}, // monk
	65: {2, 1}, 66: {1, 0}, 70: {0, 2}, // paladin
	256: {0, 2}, 257: {2, 1}, 258: {0, 1}, // priest
	259: {2, 1}, 260: {0, 1}, 261: {0, 2}, // rogue
	262: {1, 2}, 263: {1, 0}, 264: {2, 0}, // shaman
	265: {1, 0}, 266: {2, 0}, 267: {2, 1}, // warlock
	71: {2, 0}, 72: {0, 1}, 73: {2, 1}, // warrior
}

var (
	classByID    = map[int]*classInfo{}
	specsByClass = map[int][]battlenet.Spec{}
)

func init() {
	for i := range classes {
		classByID[classes[i].ID] = &classes[i]
	}
	for _, s := range battlenet.Specs {
		specsByClass[s.ClassID] = append(specsByClass[s.ClassID], s)
	}
}

// primaryStat is the main stat of a spec: what its gear rolls and its gladiator set boosts.
func primaryStat(specID int) string {
	switch specID {
	case 71, 72, 73, 65, 66, 70, 250, 251, 252:
		return "STRENGTH"
	case 62, 63, 64, 256, 257, 258, 265, 266, 267, 102, 105, 262, 264, 270, 1467, 1468, 1473, 1480:
		return "INTELLECT"
	default:
		return "AGILITY"
	}
}

var statNames = map[string]string{
	"STRENGTH": "Strength", "AGILITY": "Agility", "INTELLECT": "Intellect", "STAMINA": "Stamina",
	"CRIT_RATING": "Critical Strike", "HASTE_RATING": "Haste", "MASTERY_RATING": "Mastery", "VERSATILITY": "Versatility",
}

var secondaryStats = []string{"CRIT_RATING", "HASTE_RATING", "MASTERY_RATING", "VERSATILITY"}

type realmInfo struct {
	ID   int64
	Slug string
	Name string
}

// realmsByRegion lists realms most-populated first; characters are spread with decreasing weight.
var realmsByRegion = map[string][]realmInfo{
	"us": {
		{1566, "area-52", "Area 52"}, {11, "tichondrius", "Tichondrius"}, {76, "sargeras", "Sargeras"},
		{57, "illidan", "Illidan"}, {3684, "malganis", "Mal'Ganis"}, {16, "kelthuzad", "Kel'Thuzad"},
		{60, "stormrage", "Stormrage"}, {73, "bleeding-hollow", "Bleeding Hollow"}, {3678, "thrall", "Thrall"},
		{3675, "moon-guard", "Moon Guard"}, {1148, "malorne", "Malorne"}, {61, "zuljin", "Zul'jin"},
		{1171, "wyrmrest-accord", "Wyrmrest Accord"}, {3725, "frostmourne", "Frostmourne"},
		{3721, "barthilas", "Barthilas"}, {104, "emerald-dream", "Emerald Dream"}, {1425, "quelthalas", "Quel'Thalas"},
	},
	"eu": {
		{1084, "tarren-mill", "Tarren Mill"}, {1305, "kazzak", "Kazzak"}, {3674, "twisting-nether", "Twisting Nether"},
		{1403, "draenor", "Draenor"}, {1329, "ravencrest", "Ravencrest"}, {3391, "silvermoon", "Silvermoon"},
		{1092, "drakthul", "Drak'thul"}, {1127, "confrerie-du-thorium", "Confrérie du Thorium"},
		{1621, "hyjal", "Hyjal"}, {1401, "ragnaros", "Ragnaros"}, {1624, "chants-eternels", "Chants éternels"},
		{1614, "gordunni", "Гордунни"}, {1301, "outland", "Outland"}, {1416, "aggra-portugues", "Aggra (Português)"},
		{3692, "blackmoore", "Blackmoore"},
	},
	"kr": {
		{205, "azshara", "아즈샤라"}, {210, "durotan", "듀로탄"}, {214, "windrunner", "윈드러너"},
		{2116, "zuljin", "줄진"}, {211, "hellscream", "헬스크림"}, {258, "alexstrasza", "알렉스트라자"},
	},
	"tw": {
		{963, "shadowmoon", "暗影之月"}, {966, "spirestone", "尖石"}, {980, "skywall", "天空之牆"},
		{964, "world-tree", "世界之樹"}, {985, "zealot-blade", "狂熱之刃"}, {999, "wrathbringer", "憤怒使者"},
	},
}

// Name parts. Latin names get an accented vowel now and then, as real EU/US names do.
var (
	nameStarts = []string{"ka", "el", "mor", "vy", "tha", "ri", "dra", "zu", "ae", "li", "sha", "no", "tor", "ga",
		"fe", "la", "mi", "ra", "ve", "xi", "qu", "o", "i", "ar", "e", "ny", "so", "be", "ca", "do", "jo", "lu",
		"my", "na", "py", "sy", "thu", "u", "we", "yr", "ze", "bra", "cro", "gri", "ha", "ke", "pa", "sta", "ti", "wa"}
	nameMids = []string{"l", "r", "n", "th", "s", "z", "v", "m", "lth", "nd", "rr", "ss", "x", "k", "sh", "d", "g", "lv", "rn", "ph"}
	nameEnds = []string{"a", "ia", "on", "ys", "ar", "el", "or", "us", "yn", "ix", "ae", "en", "is", "ra", "eth", "ul",
		"ok", "ie", "ath", "ash", "orn", "ir", "ea", "wyn", "ka", "ry", "os", "ina", "ael", "ux"}
	accented = map[byte][]string{
		'a': {"á", "à", "â", "ä", "å"}, 'e': {"é", "è", "ê", "ë"}, 'i': {"í", "ï", "î"},
		'o': {"ó", "ö", "ô", "ø"}, 'u': {"ú", "ü", "û"}, 'y': {"ý", "ÿ"},
	}
	// Real leaderboard names that exercise percent-encoding; they are placed in every pool.
	specialNames = []string{"Motívate", "Élyssa", "Jôhnwick", "Ñeko", "Zëphyr", "Åsgard", "Mörderkeks", "Lúthien"}
	hangul       = []string{"가", "나", "다", "라", "마", "바", "사", "아", "자", "차", "카", "타", "파", "하", "별", "달", "빛", "검", "꽃", "불", "숲", "용", "린", "솔", "영", "진", "혼", "결", "윤", "하늘"}
	hanzi        = []string{"月", "影", "風", "火", "雪", "龍", "夜", "星", "光", "刃", "心", "狼", "天", "雲", "靈", "魂", "血", "霜", "夢", "翼", "神", "戰", "歌", "嵐"}
)
