// Package buildinfo says which build of pvpsync is running: the version, the commit and the build time
// stamped by the linker (scripts/ldflags.sh prints the flags), else what the Go toolchain recorded.
package buildinfo

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
)

// Set at link time with -ldflags "-X github.com/pvpsync/pvpsync/buildinfo.Version=...". They are
// variables, not constants, because -X can only set package-level string variables.
var (
	Version   string // git describe --tags --always --dirty, e.g. v0.8.0 or v0.8.0-3-gabc1234-dirty
	Revision  string // full commit hash
	BuildTime string // UTC, RFC 3339
)

// Info is one build's description with the fallbacks applied.
type Info struct {
	Version, Revision, BuildTime, GoVersion string
	Modified                                bool // built from a tree with uncommitted changes
}

// Get is the running binary's Info: the linker-stamped values, each falling back to what the Go
// toolchain embedded (module version with `go install pkg@version`, vcs.* settings with a plain
// `go build` inside the checkout), so even an unstamped build says where it comes from.
func Get() Info {
	bi, _ := debug.ReadBuildInfo()
	return resolve(Version, Revision, BuildTime, bi)
}

// resolve applies the fallbacks; split from Get so the tests choose the build info.
func resolve(version, revision, buildTime string, bi *debug.BuildInfo) Info {
	info := Info{Version: version, Revision: revision, BuildTime: buildTime, GoVersion: runtime.Version()}
	if bi == nil {
		return info.withDefaults()
	}
	if bi.GoVersion != "" {
		info.GoVersion = bi.GoVersion
	}
	// A plain `go build` in the checkout records "(devel)": no better than "unknown".
	if info.Version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		info.Version = bi.Main.Version
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			if info.Revision == "" {
				info.Revision = s.Value
			}
		case "vcs.time":
			if info.BuildTime == "" {
				// The commit's time, not the build's: the closest the toolchain records.
				info.BuildTime = s.Value
			}
		case "vcs.modified":
			info.Modified = s.Value == "true"
		}
	}
	return info.withDefaults()
}

func (i Info) withDefaults() Info {
	for _, f := range []*string{&i.Version, &i.Revision, &i.BuildTime} {
		if *f == "" {
			*f = "unknown"
		}
	}
	return i
}

// ShortRevision is the first 7 characters of the commit hash, as git shows it.
func (i Info) ShortRevision() string {
	if len(i.Revision) > 7 && i.Revision != "unknown" {
		return i.Revision[:7]
	}
	return i.Revision
}

// String is one line for --version and the start-up log, e.g.
// "pvpsync v0.8.0 (rev abc1234, built 2026-12-02T17:00:00Z, go1.26.8)".
func (i Info) String() string {
	rev := i.ShortRevision()
	if i.Modified && !strings.HasSuffix(i.Version, "-dirty") {
		rev += "-dirty"
	}
	return fmt.Sprintf("pvpsync %s (rev %s, built %s, %s)", i.Version, rev, i.BuildTime, i.GoVersion)
}

// String describes the running binary; see Info.String.
func String() string { return Get().String() }
