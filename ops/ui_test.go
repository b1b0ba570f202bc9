package ops

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pvpsync/pvpsync/fakeblizzard"
	"github.com/pvpsync/pvpsync/internal/teststack"
	"github.com/pvpsync/pvpsync/internal/testtemporal"
	"github.com/pvpsync/pvpsync/workflows"
)

// TestUIScreenshots syncs two small boards on a dev server with the Web UI and takes what an operator
// sees with headless Chromium: the workflow list filtered by the PvpBracket search attribute, one
// leaderboard workflow's page with its characters' summaries, and — after a board of another region
// whose every profile answer comes back malformed — the list filtered by PvpOutcome = "failed". The
// rendered DOM is checked too (each filter keeps what it should and drops the rest; the workflow page
// names its type and every character child it started), and the screenshots must not be blank.
// PVP_SCREENSHOTS_DIR (relative to the module root) keeps the PNGs; docs/screenshots holds the committed ones.
func TestUIScreenshots(t *testing.T) {
	chrome := chromium(t)
	srv := testtemporal.StartWithUI(t)
	s := teststack.New(t, teststack.Options{HostPort: srv.HostPort, Fake: fakeblizzard.Options{
		Brackets: []string{"2v2", "3v3"}, Characters: 20, Seed: 31}})
	res, err := s.SyncRegion(t, workflows.SyncRegionInput{Region: "us", Brackets: []string{"3v3", "2v2"}}, 5*time.Minute)
	require.NoError(t, err)
	ids, entries := map[string]string{}, map[string]int{}
	for _, b := range res.Brackets {
		require.Equal(t, workflows.BracketCompleted, b.Status, "%s: %s", b.Bracket, b.Error)
		ids[b.Bracket], entries[b.Bracket] = b.WorkflowID, b.Entries
	}
	require.Len(t, ids, 2)
	waitUI(t, srv.UIURL)
	dir := screenshotsDir(t)

	// (a) The workflow list filtered by bracket. The list is read from the visibility store, which
	// catches up shortly after the workflows close.
	listURL := srv.UIURL + "/namespaces/default/workflows?query=" + url.QueryEscape(`PvpBracket = "3v3"`)
	dom := renderUntil(t, chrome, listURL, func(dom string) bool {
		return strings.Contains(dom, ids["3v3"]) && strings.Contains(dom, workflows.SyncCharacterName)
	})
	assert.True(t, strings.Contains(dom, workflows.SyncLeaderboardName), "the list shows the board workflow's type")
	assert.False(t, strings.Contains(dom, ids["2v2"]), "the PvpBracket filter drops the 2v2 board")
	screenshot(t, chrome, listURL, filepath.Join(dir, "workflows-filtered.png"))

	// (b) The 3v3 leaderboard workflow: summary, details and history.
	desc, err := s.Temporal.DescribeWorkflow(context.Background(), ids["3v3"], "")
	require.NoError(t, err)
	runID := desc.RawResponse.GetWorkflowExecutionInfo().GetExecution().GetRunId()
	wfURL := fmt.Sprintf("%s/namespaces/default/workflows/%s/%s/history", srv.UIURL, url.PathEscape(ids["3v3"]), runID)
	board, err := s.Fake.Board("us", "3v3")
	require.NoError(t, err)
	require.Len(t, board, entries["3v3"])
	dom = renderUntil(t, chrome, wfURL, func(dom string) bool {
		return strings.Contains(dom, workflows.SyncLeaderboardName) && strings.Contains(dom, runID)
	})
	assert.True(t, strings.Contains(dom, ids["3v3"]), "the page names the workflow id")
	// The timeline names every character child of the board by the summary the fan-out gave it. A
	// character the 2v2 board synced first has no child here.
	children := 0
	for _, e := range board {
		d, err := s.Temporal.DescribeWorkflow(context.Background(), workflows.CharacterWorkflowID("us", e.Character.ID), "")
		require.NoError(t, err)
		if p := d.ParentWorkflowExecution; p == nil || p.ID != ids["3v3"] {
			continue
		}
		children++
		summary := fmt.Sprintf("%s-%s · 3v3 · rank %d", e.Character.Name, e.Character.Realm.Slug, e.Rank)
		assert.True(t, strings.Contains(dom, summary), "the timeline shows the child summary %q", summary)
	}
	assert.GreaterOrEqual(t, children, len(board)/2, "most 3v3 characters were synced by the 3v3 board")
	screenshot(t, chrome, wfURL, filepath.Join(dir, "leaderboard-workflow.png"))

	// (c) Failed characters: a board of another region whose gear answers are all malformed (a
	// non-retryable decode error), then the list an operator filters by PvpOutcome.
	s.Fake.SetFaults(fakeblizzard.Faults{MalformedRate: 1})
	eu, err := s.SyncRegion(t, workflows.SyncRegionInput{Region: "eu", Brackets: []string{"3v3"}}, 5*time.Minute)
	require.NoError(t, err)
	require.Positive(t, eu.Totals.Failed, "%+v", eu.Totals)
	euBoard, err := s.Fake.Board("eu", "3v3")
	require.NoError(t, err)
	var failed []string
	for _, e := range euBoard {
		if !s.Fake.IsPrivate("eu", e.Character.ID) {
			failed = append(failed, workflows.CharacterWorkflowID("eu", e.Character.ID))
		}
	}
	require.Len(t, failed, eu.Totals.Failed, "every public eu character failed")
	failedURL := srv.UIURL + "/namespaces/default/workflows?query=" + url.QueryEscape(`PvpOutcome = "failed"`)
	dom = renderUntil(t, chrome, failedURL, func(dom string) bool {
		return !slices.ContainsFunc(failed, func(id string) bool { return !strings.Contains(dom, id) })
	})
	assert.False(t, strings.Contains(dom, "pvp-character/us/"), "no us character failed")
	assert.False(t, strings.Contains(dom, ids["3v3"]), "a board workflow carries no outcome")
	screenshot(t, chrome, failedURL, filepath.Join(dir, "workflows-failed.png"))
}

// chromium finds a headless-capable Chromium: $CHROMIUM, else the usual binary names. Missing, it fails
// the test in CI and skips it elsewhere.
func chromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	const msg = "Chromium is not installed: the UI screenshots need it (apt-get install -y chromium, or set CHROMIUM=/path/to/chrome)"
	if ci := os.Getenv("CI"); ci != "" && ci != "false" && ci != "0" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// screenshotsDir is $PVP_SCREENSHOTS_DIR (relative paths from the module root), else a temporary dir.
func screenshotsDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("PVP_SCREENSHOTS_DIR")
	if dir == "" {
		return t.TempDir()
	}
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(moduleRoot(t), dir)
	}
	require.NoError(t, os.MkdirAll(dir, 0o755))
	return dir
}

// waitUI waits for the UI server to answer (it comes up shortly after the frontend).
func waitUI(t *testing.T, base string) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		resp, err := http.Get(base + "/")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("Web UI at %s never answered: %v", base, err)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// The UI is a single-page app: Chromium runs its scripts for up to the virtual-time budget before it
// dumps the DOM or paints. A slow machine gets a bigger budget on the next try.
var budgets = []time.Duration{15 * time.Second, 30 * time.Second, 60 * time.Second}

func runChromium(t *testing.T, chrome string, budget time.Duration, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute+budget)
	defer cancel()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
		"--user-data-dir=" + t.TempDir(), "--window-size=1600,1000",
		fmt.Sprintf("--virtual-time-budget=%d", budget.Milliseconds())}
	cmd := exec.CommandContext(ctx, chrome, append(base, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %s: %v\n%s", strings.Join(args, " "), err, tail(stderr.String(), 2000))
	}
	return stdout.Bytes()
}

// renderUntil dumps the page's DOM until ready accepts it, with growing budgets.
func renderUntil(t *testing.T, chrome, pageURL string, ready func(string) bool) string {
	t.Helper()
	var dom string
	for _, b := range budgets {
		dom = string(runChromium(t, chrome, b, "--dump-dom", pageURL))
		if ready(dom) {
			return dom
		}
		t.Logf("%s not rendered yet after a %s budget (%d bytes of DOM); retrying", pageURL, b, len(dom))
	}
	if f := os.Getenv("PVP_DEBUG_DOM"); f != "" { // keep the whole DOM to see what the UI showed
		_ = os.WriteFile(f, []byte(dom), 0o644)
	}
	t.Fatalf("%s never rendered the expected content; DOM tail:\n%s", pageURL, tail(dom, 3000))
	return ""
}

// screenshot paints the page into file and checks it is not blank.
func screenshot(t *testing.T, chrome, pageURL, file string) {
	t.Helper()
	for i, b := range budgets {
		runChromium(t, chrome, b, "--screenshot="+file, pageURL)
		colours, inked, err := pngStats(file)
		require.NoError(t, err)
		t.Logf("%s: %d distinct colours, %.1f%% non-white pixels", file, colours, 100*inked)
		if colours >= 32 && inked >= 0.05 {
			return
		}
		if i == len(budgets)-1 {
			t.Fatalf("%s looks blank: %d distinct colours, %.1f%% non-white pixels", file, colours, 100*inked)
		}
	}
}

// pngStats counts distinct colours and the share of pixels that are not (near) white.
func pngStats(file string) (colours int, inked float64, err error) {
	f, err := os.Open(file)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		return 0, 0, fmt.Errorf("decode %s: %w", file, err)
	}
	b := img.Bounds()
	if b.Dx() < 800 || b.Dy() < 600 {
		return 0, 0, fmt.Errorf("%s is %dx%d, want the 1600x1000 window", file, b.Dx(), b.Dy())
	}
	seen := map[uint32]bool{}
	var dark, all int
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			seen[(r>>8)<<16|(g>>8)<<8|bl>>8] = true
			if r < 0xF000 || g < 0xF000 || bl < 0xF000 {
				dark++
			}
			all++
		}
	}
	return len(seen), float64(dark) / float64(all), nil
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}
