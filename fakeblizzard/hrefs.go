package fakeblizzard

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/pvpsync/pvpsync/battlenet"
)

// staticVersion is the static namespace build the captured responses carry.
const staticVersion = "12.0.1_65617"

// hrefs builds the self-links Battle.net embeds. They point at the real host, not at the fake, so
// responses do not depend on the port the fake listens on (byte-identical across servers).
type hrefs struct {
	base    string
	static  string
	dynamic string
	profile string
}

func newHrefs(region string) hrefs {
	return hrefs{
		base:    "https://" + region + ".api.blizzard.com",
		static:  "?namespace=static-" + staticVersion + "-" + region,
		dynamic: "?namespace=dynamic-" + region,
		profile: "?namespace=profile-" + region,
	}
}

func (h hrefs) staticLink(path string) *battlenet.Link {
	return &battlenet.Link{Href: h.base + path + h.static}
}

func (h hrefs) dynamicLink(path string) *battlenet.Link {
	return &battlenet.Link{Href: h.base + path + h.dynamic}
}

func (h hrefs) profileLink(path string) *battlenet.Link {
	return &battlenet.Link{Href: h.base + path + h.profile}
}

func (h hrefs) staticRef(path string, name string, id int64) battlenet.KeyRef {
	return battlenet.KeyRef{Key: h.staticLink(path + strconv.FormatInt(id, 10)), Name: name, ID: id}
}

// characterPath is the profile path of a character: realm slug and lowercased, percent-encoded name,
// as Battle.net writes it in hrefs and expects it in requests.
func characterPath(realmSlug, name string) string {
	return "/profile/wow/character/" + realmSlug + "/" + url.PathEscape(strings.ToLower(name))
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }
