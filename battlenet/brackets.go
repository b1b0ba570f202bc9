package battlenet

import (
	"fmt"
	"slices"
	"strings"
)

// Spec is one playable specialization as Battle.net names it in leaderboard brackets.
type Spec struct {
	ID        int    // playable-specialization id
	ClassID   int    // playable-class id
	ClassSlug string // class as written in bracket names: no separators ("deathknight")
	SpecSlug  string // spec as written in bracket names: no separators ("beastmastery")
	Name      string // display name ("Beast Mastery")
	ClassName string // display name ("Death Knight")
}

// Specs lists all 40 current specializations. Battle.net writes class and spec without separators in
// bracket names (deathknight, demonhunter, beastmastery): our predecessor split on '-' and mis-mapped
// seven specs, so the table is spelled out rather than derived.
var Specs = []Spec{
	{250, 6, "deathknight", "blood", "Blood", "Death Knight"},
	{251, 6, "deathknight", "frost", "Frost", "Death Knight"},
	{252, 6, "deathknight", "unholy", "Unholy", "Death Knight"},
	{577, 12, "demonhunter", "havoc", "Havoc", "Demon Hunter"},
	{581, 12, "demonhunter", "vengeance", "Vengeance", "Demon Hunter"},
	{1480, 12, "demonhunter", "devourer", "Devourer", "Demon Hunter"},
	{102, 11, "druid", "balance", "Balance", "Druid"},
	{103, 11, "druid", "feral", "Feral", "Druid"},
	{104, 11, "druid", "guardian", "Guardian", "Druid"},
	{105, 11, "druid", "restoration", "Restoration", "Druid"},
	{1467, 13, "evoker", "devastation", "Devastation", "Evoker"},
	{1468, 13, "evoker", "preservation", "Preservation", "Evoker"},
	{1473, 13, "evoker", "augmentation", "Augmentation", "Evoker"},
	{253, 3, "hunter", "beastmastery", "Beast Mastery", "Hunter"},
	{254, 3, "hunter", "marksmanship", "Marksmanship", "Hunter"},
	{255, 3, "hunter", "survival", "Survival", "Hunter"},
	{62, 8, "mage", "arcane", "Arcane", "Mage"},
	{63, 8, "mage", "fire", "Fire", "Mage"},
	{64, 8, "mage", "frost", "Frost", "Mage"},
	{268, 10, "monk", "brewmaster", "Brewmaster", "Monk"},
	{269, 10, "monk", "windwalker", "Windwalker", "Monk"},
	{270, 10, "monk", "mistweaver", "Mistweaver", "Monk"},
	{65, 2, "paladin", "holy", "Holy", "Paladin"},
	{66, 2, "paladin", "protection", "Protection", "Paladin"},
	{70, 2, "paladin", "retribution", "Retribution", "Paladin"},
	{256, 5, "priest", "discipline", "Discipline", "Priest"},
	{257, 5, "priest", "holy", "Holy", "Priest"},
	{258, 5, "priest", "shadow", "Shadow", "Priest"},
	{259, 4, "rogue", "assassination", "Assassination", "Rogue"},
	{260, 4, "rogue", "outlaw", "Outlaw", "Rogue"},
	{261, 4, "rogue", "subtlety", "Subtlety", "Rogue"},
	{262, 7, "shaman", "elemental", "Elemental", "Shaman"},
	{263, 7, "shaman", "enhancement", "Enhancement", "Shaman"},
	{264, 7, "shaman", "restoration", "Restoration", "Shaman"},
	{265, 9, "warlock", "affliction", "Affliction", "Warlock"},
	{266, 9, "warlock", "demonology", "Demonology", "Warlock"},
	{267, 9, "warlock", "destruction", "Destruction", "Warlock"},
	{71, 1, "warrior", "arms", "Arms", "Warrior"},
	{72, 1, "warrior", "fury", "Fury", "Warrior"},
	{73, 1, "warrior", "protection", "Protection", "Warrior"},
}

var (
	specByBracketSuffix = map[string]Spec{}
	specByID            = map[int]Spec{}
)

func init() {
	for _, s := range Specs {
		specByBracketSuffix[s.ClassSlug+"-"+s.SpecSlug] = s
		specByID[s.ID] = s
	}
}

// SpecByID returns the spec with that playable-specialization id.
func SpecByID(id int) (Spec, bool) {
	s, ok := specByID[id]
	return s, ok
}

// BracketSpecID maps a shuffle/blitz bracket name ("shuffle-hunter-beastmastery") to its spec id.
// Anything else (2v2, 3v3, rbg, *-overall, a spec we do not know) maps to 0 and false: "no spec",
// never a wrong one.
func BracketSpecID(bracket string) (int, bool) {
	for _, prefix := range []string{"shuffle-", "blitz-"} {
		if rest, ok := strings.CutPrefix(bracket, prefix); ok {
			if s, ok := specByBracketSuffix[rest]; ok {
				return s.ID, true
			}
			return 0, false
		}
	}
	return 0, false
}

// BracketName builds the bracket name of a per-spec board ("shuffle" or "blitz").
func BracketName(kind string, s Spec) string {
	return kind + "-" + s.ClassSlug + "-" + s.SpecSlug
}

// OverallBrackets repeat the per-spec boards; a region sync skips them unless asked by name.
var OverallBrackets = []string{"shuffle-overall", "blitz-overall"}

// ValidateBracket says whether a bracket name is one Battle.net can have: 2v2, 3v3, rbg, the overall
// boards, or shuffle/blitz of a known spec.
func ValidateBracket(bracket string) error {
	switch {
	case bracket == "":
		return fmt.Errorf("bracket is empty")
	case bracket == "2v2" || bracket == "3v3" || bracket == "rbg" || slices.Contains(OverallBrackets, bracket):
		return nil
	}
	if _, ok := BracketSpecID(bracket); ok {
		return nil
	}
	return fmt.Errorf("unknown bracket %q (want 2v2, 3v3, rbg, shuffle-overall, blitz-overall, or shuffle-/blitz-{class}-{spec} such as shuffle-deathknight-frost)", bracket)
}

// Regions and the locales Battle.net accepts for each. The first locale is the default.
var regionLocales = map[string][]string{
	"us": {"en_US", "es_MX", "pt_BR"},
	"eu": {"en_GB", "es_ES", "fr_FR", "de_DE", "it_IT", "ru_RU"},
	"kr": {"ko_KR"},
	"tw": {"zh_TW"},
}

// Regions lists the supported regions in a stable order.
var Regions = []string{"us", "eu", "kr", "tw"}

// ValidateRegion rejects anything but us, eu, kr, tw.
func ValidateRegion(region string) error {
	if _, ok := regionLocales[region]; !ok {
		return fmt.Errorf("unknown region %q (want one of %s)", region, strings.Join(Regions, ", "))
	}
	return nil
}

// DefaultLocale is the first locale of the region (en_US for us, en_GB for eu, ...).
func DefaultLocale(region string) string {
	if l, ok := regionLocales[region]; ok {
		return l[0]
	}
	return ""
}

// ValidateLocale checks that the locale is served in that region; an empty locale is valid (default).
func ValidateLocale(region, locale string) error {
	if err := ValidateRegion(region); err != nil {
		return err
	}
	if locale == "" || slices.Contains(regionLocales[region], locale) {
		return nil
	}
	return fmt.Errorf("locale %q is not served in region %s (want one of %s)", locale, region, strings.Join(regionLocales[region], ", "))
}
