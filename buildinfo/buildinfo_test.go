package buildinfo

import (
	"runtime"
	"runtime/debug"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestResolveStampedValuesWin(t *testing.T) {
	bi := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v0.7.0"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "ffffffffffffffffffffffffffffffffffffffff"},
		{Key: "vcs.time", Value: "2020-01-01T00:00:00Z"},
	}}
	info := resolve("v0.8.0", "abc1234def5678abc1234def5678abc1234def56", "2026-12-02T17:00:00Z", bi)
	assert.Equal(t, Info{Version: "v0.8.0", Revision: "abc1234def5678abc1234def5678abc1234def56",
		BuildTime: "2026-12-02T17:00:00Z", GoVersion: "go1.26.8"}, info)
	assert.Equal(t, "pvpsync v0.8.0 (rev abc1234, built 2026-12-02T17:00:00Z, go1.26.8)", info.String())
}

func TestResolveFallsBackToToolchainInfo(t *testing.T) {
	bi := &debug.BuildInfo{GoVersion: "go1.26.1", Main: debug.Module{Version: "v0.9.1"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "0123456789abcdef0123456789abcdef01234567"},
		{Key: "vcs.time", Value: "2026-11-30T08:00:00Z"},
		{Key: "vcs.modified", Value: "true"},
	}}
	info := resolve("", "", "", bi)
	assert.Equal(t, "v0.9.1", info.Version)
	assert.Equal(t, "0123456789abcdef0123456789abcdef01234567", info.Revision)
	assert.Equal(t, "2026-11-30T08:00:00Z", info.BuildTime)
	assert.True(t, info.Modified)
	assert.Equal(t, "pvpsync v0.9.1 (rev 0123456-dirty, built 2026-11-30T08:00:00Z, go1.26.1)", info.String())
}

func TestResolveDevelBuildWithoutVCS(t *testing.T) {
	// go build in a directory without git, or with -buildvcs=false: nothing to say but "unknown".
	info := resolve("", "", "", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}})
	assert.Equal(t, Info{Version: "unknown", Revision: "unknown", BuildTime: "unknown", GoVersion: "go1.26.8"}, info)
	assert.Equal(t, "pvpsync unknown (rev unknown, built unknown, go1.26.8)", info.String())
}

func TestResolveWithoutBuildInfo(t *testing.T) {
	info := resolve("v1.0.0", "", "", nil)
	assert.Equal(t, "v1.0.0", info.Version)
	assert.Equal(t, "unknown", info.Revision)
	assert.Equal(t, runtime.Version(), info.GoVersion)
}

func TestDirtyStampedVersionIsNotMarkedTwice(t *testing.T) {
	bi := &debug.BuildInfo{GoVersion: "go1.26.8", Settings: []debug.BuildSetting{{Key: "vcs.modified", Value: "true"}}}
	info := resolve("v0.8.0-2-gabc1234-dirty", "abc1234def", "2026-12-02T17:00:00Z", bi)
	assert.Equal(t, "pvpsync v0.8.0-2-gabc1234-dirty (rev abc1234, built 2026-12-02T17:00:00Z, go1.26.8)", info.String())
}

func TestStringUsesLinkerVariables(t *testing.T) {
	defer func(v, r, b string) { Version, Revision, BuildTime = v, r, b }(Version, Revision, BuildTime)
	Version, Revision, BuildTime = "v9.9.9", "deadbeefcafe", "2030-01-01T00:00:00Z"
	assert.Contains(t, String(), "pvpsync v9.9.9 (rev deadbee")
	assert.Contains(t, String(), "built 2030-01-01T00:00:00Z")
}
