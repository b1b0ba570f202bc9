package battlenet_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pvpsync/pvpsync/battlenet"
)

func TestSpecTableComplete(t *testing.T) {
	require.Len(t, battlenet.Specs, 40)
	ids := map[int]bool{}
	brackets := map[string]bool{}
	perClass := map[int]int{}
	for _, s := range battlenet.Specs {
		assert.False(t, ids[s.ID], "duplicate spec id %d", s.ID)
		ids[s.ID] = true
		perClass[s.ClassID]++
		for _, kind := range []string{"shuffle", "blitz"} {
			name := battlenet.BracketName(kind, s)
			assert.False(t, brackets[name], "duplicate bracket %s", name)
			brackets[name] = true
			id, ok := battlenet.BracketSpecID(name)
			assert.True(t, ok, name)
			assert.Equal(t, s.ID, id, name)
			assert.NoError(t, battlenet.ValidateBracket(name))
		}
		got, ok := battlenet.SpecByID(s.ID)
		assert.True(t, ok)
		assert.Equal(t, s, got)
	}
	assert.Len(t, perClass, 13, "13 classes")
	for class, n := range perClass {
		want := 3
		if class == 11 { // druids have four specs
			want = 4
		}
		assert.Equal(t, want, n, "specs of class %d", class)
	}
}

func TestBracketSpecID(t *testing.T) {
	known := map[string]int{
		"shuffle-deathknight-frost":    251,
		"shuffle-demonhunter-devourer": 1480,
		"blitz-hunter-beastmastery":    253,
		"shuffle-demonhunter-havoc":    577,
		"shuffle-evoker-augmentation":  1473,
		"shuffle-mage-frost":           64,
		"blitz-druid-restoration":      105,
		"shuffle-shaman-restoration":   264,
		"shuffle-warrior-protection":   73,
		"blitz-paladin-protection":     66,
		"shuffle-priest-holy":          257,
		"shuffle-paladin-holy":         65,
		"blitz-deathknight-unholy":     252,
		"shuffle-hunter-marksmanship":  254,
		"shuffle-monk-mistweaver":      270,
		"blitz-demonhunter-vengeance":  581,
		"shuffle-evoker-preservation":  1468,
		"shuffle-rogue-outlaw":         260,
		"blitz-warlock-demonology":     266,
		"shuffle-druid-guardian":       104,
		"blitz-evoker-devastation":     1467,
		"shuffle-rogue-assassination":  259,
		"blitz-shaman-enhancement":     263,
		"shuffle-deathknight-blood":    250,
		"blitz-monk-brewmaster":        268,
		"shuffle-warlock-affliction":   265,
		"shuffle-mage-arcane":          62,
		"shuffle-hunter-survival":      255,
		"shuffle-priest-discipline":    256,
		"blitz-warrior-arms":           71,
		"shuffle-druid-feral":          103,
		"shuffle-warlock-destruction":  267,
		"blitz-priest-shadow":          258,
		"shuffle-monk-windwalker":      269,
		"shuffle-rogue-subtlety":       261,
		"shuffle-paladin-retribution":  70,
		"shuffle-druid-balance":        102,
		"shuffle-shaman-elemental":     262,
		"shuffle-warrior-fury":         72,
		"blitz-mage-fire":              63,
	}
	for bracket, want := range known {
		got, ok := battlenet.BracketSpecID(bracket)
		assert.True(t, ok, bracket)
		assert.Equal(t, want, got, bracket)
	}

	for _, bracket := range []string{
		"shuffle-death-knight-frost", "shuffle-demon-hunter-havoc", "shuffle-beast-mastery",
		"shuffle-overall", "blitz-overall", "3v3", "2v2", "rbg", "shuffle-mage-unknown", "", "shuffle-", "arena-mage-frost",
	} {
		got, ok := battlenet.BracketSpecID(bracket)
		assert.False(t, ok, bracket)
		assert.Zero(t, got, bracket)
	}
}

func TestValidateBracket(t *testing.T) {
	for _, ok := range []string{"2v2", "3v3", "rbg", "shuffle-overall", "blitz-overall", "shuffle-deathknight-frost"} {
		assert.NoError(t, battlenet.ValidateBracket(ok), ok)
	}
	for _, bad := range []string{"", "5v5", "shuffle-death-knight-frost", "shuffle-mage-unknown"} {
		assert.Error(t, battlenet.ValidateBracket(bad), bad)
	}
}

func TestValidateRegionAndLocale(t *testing.T) {
	for _, r := range []string{"us", "eu", "kr", "tw"} {
		assert.NoError(t, battlenet.ValidateRegion(r), r)
	}
	for _, r := range []string{"", "US", "cn", "na", "europe"} {
		assert.Error(t, battlenet.ValidateRegion(r), r)
	}

	cases := []struct {
		region, locale string
		valid          bool
	}{
		{"us", "en_US", true},
		{"us", "es_MX", true},
		{"us", "pt_BR", true},
		{"us", "", true},
		{"eu", "en_GB", true},
		{"eu", "de_DE", true},
		{"kr", "ko_KR", true},
		{"tw", "zh_TW", true},
		{"eu", "en_US", false},
		{"us", "en_GB", false},
		{"kr", "en_US", false},
		{"us", "en-US", false},
		{"xx", "en_US", false},
	}
	for _, tc := range cases {
		err := battlenet.ValidateLocale(tc.region, tc.locale)
		if tc.valid {
			assert.NoError(t, err, "%s/%s", tc.region, tc.locale)
		} else {
			assert.Error(t, err, "%s/%s", tc.region, tc.locale)
		}
	}

	defaults := map[string]string{"us": "en_US", "eu": "en_GB", "kr": "ko_KR", "tw": "zh_TW", "cn": ""}
	for region, want := range defaults {
		assert.Equal(t, want, battlenet.DefaultLocale(region), region)
	}
}
