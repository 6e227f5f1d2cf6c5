package metrics_test

import (
	"bytes"
	"errors"
	"image/png"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/crewplan/crewplan/host/internal/ranker/metrics"
)

func TestChart(t *testing.T) {
	model, rules := syntheticQueries(rand.New(rand.NewPCG(11, 12)), 300)
	r, err := metrics.Evaluate(model, rules)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := metrics.Chart(&buf, r, "Ranking model vs rules, held-out period"); err != nil {
		t.Fatal(err)
	}
	// METRICS_SAMPLE=/tmp/metrics-sample.png keeps the image to look at.
	if path := os.Getenv("METRICS_SAMPLE"); path != "" {
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	img, err := png.Decode(&buf)
	if err != nil {
		t.Fatalf("Chart wrote no valid PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 1200 || b.Dy() != 500 {
		t.Errorf("image is %dx%d, want 1200x500", b.Dx(), b.Dy())
	}
	colours := map[[4]uint32]int{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, a := img.At(x, y).RGBA()
			colours[[4]uint32{r, g, bl, a}]++
		}
	}
	if len(colours) < 50 {
		t.Errorf("image has %d distinct colours; it looks blank", len(colours))
	}
	white := colours[[4]uint32{0xffff, 0xffff, 0xffff, 0xffff}]
	if total := b.Dx() * b.Dy(); white > total*99/100 || white < total/2 {
		t.Errorf("%d of %d pixels are white; want a white chart with something drawn on it", white, total)
	}
	// Both rankers' colours are drawn (line interiors are solid).
	for name, c := range map[string][4]uint32{
		"model blue":   {31 * 0x101, 119 * 0x101, 180 * 0x101, 0xffff},
		"rules orange": {230 * 0x101, 120 * 0x101, 20 * 0x101, 0xffff},
	} {
		if colours[c] < 100 {
			t.Errorf("only %d pixels in %s", colours[c], name)
		}
	}
}

func TestChartEmptyReport(t *testing.T) {
	for name, r := range map[string]*metrics.Report{"nil": nil, "zero": {}} {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			err := metrics.Chart(&buf, r, "x")
			if !errors.Is(err, metrics.ErrEmptyReport) {
				t.Errorf("Chart error = %v, want ErrEmptyReport", err)
			}
			if buf.Len() != 0 {
				t.Errorf("Chart wrote %d bytes for an empty report", buf.Len())
			}
		})
	}
}

type failingWriter struct{}

var errDiskFull = errors.New("disk full")

func (failingWriter) Write([]byte) (int, error) { return 0, errDiskFull }

func TestChartWriteError(t *testing.T) {
	model, rules := syntheticQueries(rand.New(rand.NewPCG(13, 14)), 20)
	r, err := metrics.Evaluate(model, rules)
	if err != nil {
		t.Fatal(err)
	}
	if err := metrics.Chart(failingWriter{}, r, ""); !errors.Is(err, errDiskFull) {
		t.Errorf("Chart error = %v, want it to wrap the writer's error", err)
	}
}
