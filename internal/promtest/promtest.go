// Package promtest reads a Prometheus /metrics page for tests (ops, faults): parse, pick series by
// labels, add their values.
package promtest

import (
	"io"
	"net/http"
	"strings"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// Families are a page's metric families by name.
type Families = map[string]*dto.MetricFamily

// Scrape reads url and parses it; it also returns the page as served.
func Scrape(url string) (Families, string, error) {
	resp, err := http.Get(url) // #nosec G107 -- a test's own endpoint on 127.0.0.1
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, "", err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, string(b), &statusError{resp.Status}
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(strings.NewReader(string(b)))
	return fams, string(b), err
}

type statusError struct{ status string }

func (e *statusError) Error() string { return "GET /metrics: " + e.status }

// Series lists the series of family name whose labels include want.
func Series(fams Families, name string, want map[string]string) []*dto.Metric {
	var out []*dto.Metric
	for _, s := range fams[name].GetMetric() {
		have := Labels(s)
		match := true
		for k, v := range want {
			match = match && have[k] == v
		}
		if match {
			out = append(out, s)
		}
	}
	return out
}

// Sum adds the counter, gauge or untyped values of the series whose labels include want.
func Sum(fams Families, name string, want map[string]string) float64 {
	var total float64
	for _, s := range Series(fams, name, want) {
		total += s.GetCounter().GetValue() + s.GetGauge().GetValue() + s.GetUntyped().GetValue()
	}
	return total
}

// Labels are a series' labels by name.
func Labels(s *dto.Metric) map[string]string {
	out := map[string]string{}
	for _, l := range s.GetLabel() {
		out[l.GetName()] = l.GetValue()
	}
	return out
}
