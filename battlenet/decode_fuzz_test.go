package battlenet_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pvpsync/pvpsync/battlenet"
)

// FuzzDecode feeds arbitrary bytes to every decoder: none may panic, and each must return either a
// value or an ErrDecode, never both and never neither. Run longer with
// go test ./battlenet -run '^$' -fuzz FuzzDecode -fuzztime 30s
func FuzzDecode(f *testing.F) {
	err := filepath.WalkDir(fixtureDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".json") {
			return err
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		f.Add(raw)
		f.Add(raw[:len(raw)/2])
		f.Add(raw[:len(raw)-1])
		f.Add(raw[:min(len(raw), 16)])
		return nil
	})
	if err != nil {
		f.Fatalf("seed corpus: %v", err)
	}
	for _, s := range []string{``, `null`, `{}`, `[]`, `{"entries":null}`, `{"id":1e400}`, `{"equipped_items":{}}`} {
		f.Add([]byte(s))
	}

	f.Fuzz(func(t *testing.T, raw []byte) {
		check := func(name string, isNil bool, err error) {
			switch {
			case err != nil && !isNil:
				t.Errorf("%s: value and error both returned", name)
			case err == nil && isNil:
				t.Errorf("%s: neither value nor error returned", name)
			case err != nil && !errors.Is(err, battlenet.ErrDecode):
				t.Errorf("%s: error %v is not ErrDecode", name, err)
			}
		}
		eq, err := battlenet.DecodeEquipment(raw)
		check("equipment", eq == nil, err)
		sp, err := battlenet.DecodeSpecializations(raw)
		check("specializations", sp == nil, err)
		lb, err := battlenet.DecodeLeaderboard(raw)
		check("leaderboard", lb == nil, err)
		p, err := battlenet.DecodeProfile(raw)
		check("profile", p == nil, err)
		if err == nil && p.ID == 0 {
			t.Errorf("profile without id accepted")
		}
	})
}
