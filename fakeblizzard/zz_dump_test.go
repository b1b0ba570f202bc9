package fakeblizzard_test

import (
	"os"
	"testing"

	"github.com/pvpsync/pvpsync/fakeblizzard"
)

func TestDevDump(t *testing.T) {
	s := start(t, fakeblizzard.Options{Seed: 1, Characters: 50, SpecCharacters: 20})
	tok := token(t, s)
	e, _ := s.Board("us", "3v3")
	c := e[0].Character
	for _, k := range []string{"", "/equipment", "/specializations"} {
		resp, b := get(t, s, tok, charURL("us", c.Realm.Slug, c.Name, k))
		os.WriteFile("/tmp/dump"+map[string]string{"": "_profile", "/equipment": "_eq", "/specializations": "_sp"}[k]+".json", b, 0o644)
		t.Log(resp.Status, resp.Header)
	}
	_, b := get(t, s, tok, boardURL("us", 42, "shuffle-mage-frost"))
	os.WriteFile("/tmp/dump_board.json", b, 0o644)
	_, b = get(t, s, tok, dynamic("/data/wow/pvp-season/42/pvp-leaderboard/index", "us"))
	os.WriteFile("/tmp/dump_lbindex.json", b, 0o644)
	_, b = get(t, s, tok, dynamic("/data/wow/pvp-season/index", "us"))
	os.WriteFile("/tmp/dump_sindex.json", b, 0o644)
	_, b = get(t, s, tok, dynamic("/data/wow/pvp-season/41", "us"))
	os.WriteFile("/tmp/dump_season.json", b, 0o644)
}
