package bench

import (
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pvpsync/pvpsync/fakeblizzard"
	"github.com/pvpsync/pvpsync/internal/teststack"
	"github.com/pvpsync/pvpsync/internal/testtemporal"
	"github.com/pvpsync/pvpsync/workflows"
)

func TestMain(m *testing.M) { testtemporal.Main(m) }

// BenchmarkSync5000 syncs one 5,000-character board against an unthrottled fake and reports wall time,
// characters/s, Battle.net requests and PostgreSQL statements per character, and the process's peak RSS
// (workers, fake and harness together: an upper bound for the worker).
func BenchmarkSync5000(b *testing.B) {
	size := 5000
	if v, err := strconv.Atoi(os.Getenv("PVP_BENCH_CHARACTERS")); err == nil && v > 0 {
		size = v
	}
	// PVP_BENCH_LOCAL_FETCH=1 makes the Battle.net requests local activities (SyncRegionInput.LocalFetch).
	localFetch := os.Getenv("PVP_BENCH_LOCAL_FETCH") == "1"
	window := workflows.DefaultWindow
	if v, err := strconv.Atoi(os.Getenv("PVP_BENCH_WINDOW")); err == nil && v > 0 {
		window = v
	}
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		s := teststack.New(b, teststack.Options{Quiet: true, Fake: fakeblizzard.Options{
			Seed: int64(100 + i), Characters: size, Brackets: []string{"3v3"}, PrivateFraction: -1,
		}})
		s.Fake.ResetStats()
		s.Statements.Reset()
		b.StartTimer()
		began := time.Now()
		res, err := s.SyncRegion(b, workflows.SyncRegionInput{Region: "us", Window: window, LocalFetch: localFetch}, time.Hour)
		wall := time.Since(began)
		b.StopTimer()
		if err != nil {
			b.Fatalf("sync: %v", err)
		}
		p := res.Totals
		if p.Done != size || p.Failed != 0 {
			b.Fatalf("sync incomplete: %+v", p)
		}
		st := s.Fake.Stats()
		profileRequests := st.ByEndpoint[fakeblizzard.EndpointEquipment]["200"] + st.ByEndpoint[fakeblizzard.EndpointSpecializations]["200"] +
			st.ByEndpoint[fakeblizzard.EndpointProfile]["200"]
		b.ReportMetric(wall.Seconds(), "wall-s")
		b.ReportMetric(float64(size)/wall.Seconds(), "chars/s")
		b.ReportMetric(float64(profileRequests)/float64(size), "requests/char")
		b.ReportMetric(float64(s.Statements.Count())/float64(size), "stmts/char")
		b.ReportMetric(float64(peakRSSKiB())/1024, "peak-RSS-MiB")
		b.Logf("local_fetch=%v: %d characters in %s: %.1f characters/s, %d profile-endpoint requests, %d statements (+%d tx control)",
			localFetch, size, wall.Round(time.Millisecond), float64(size)/wall.Seconds(), profileRequests, s.Statements.Count(), s.Statements.TxControl())
	}
}

// peakRSSKiB reads VmHWM (peak resident set) of this process.
func peakRSSKiB() int {
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return n
		}
	}
	return 0
}
