package metrics

import (
	"fmt"
	"image/color"
	"io"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// The chart's size in pixels and its resolution.
const (
	chartWidth  = 1200
	chartHeight = 500
	chartDPI    = 96
)

// The chart's colours: the model blue, the rules orange, chance grey.
var (
	modelColor  = color.RGBA{R: 31, G: 119, B: 180, A: 255}
	rulesColor  = color.RGBA{R: 230, G: 120, B: 20, A: 255}
	chanceColor = color.RGBA{R: 140, G: 140, B: 140, A: 255}
	gridColor   = color.RGBA{R: 225, G: 225, B: 225, A: 255}
)

// chartFont is the chart's typeface: sans-serif reads better on screen
// than gonum's default serif.
var chartFont = font.Font{Typeface: "Liberation", Variant: "Sans"}

// Chart writes r as one 1200×500 PNG image: on the left the pooled ROC
// curves of the model and the rules with the chance diagonal, on the right
// precision@k for k = 1..CurveK; each legend gives the headline numbers
// (AUC, P@3). title, if not empty, heads the image. It returns
// ErrEmptyReport when r is nil or lacks a curve.
func Chart(w io.Writer, r *Report, title string) error {
	if r == nil || len(r.Model.ROC) < 2 || len(r.Rules.ROC) < 2 ||
		len(r.Model.PrecisionCurve) == 0 || len(r.Rules.PrecisionCurve) == 0 {
		return fmt.Errorf("chart: %w", ErrEmptyReport)
	}
	roc, err := rocPlot(r)
	if err != nil {
		return fmt.Errorf("chart roc: %w", err)
	}
	prec, err := precisionPlot(r)
	if err != nil {
		return fmt.Errorf("chart precision@k: %w", err)
	}

	px := func(n int) vg.Length { return vg.Length(n) * vg.Inch / chartDPI }
	img := vgimg.NewWith(vgimg.UseWH(px(chartWidth), px(chartHeight)), vgimg.UseDPI(chartDPI))
	dc := draw.New(img)
	dc.SetColor(color.White)
	dc.Fill(dc.Rectangle.Path())
	if title != "" {
		sty := text.Style{
			Color:   color.Black,
			Font:    font.From(chartFont, 15),
			XAlign:  draw.XCenter,
			YAlign:  draw.YTop,
			Handler: plot.DefaultTextHandler,
		}
		top := vg.Points(8)
		dc.FillText(sty, vg.Point{X: dc.Center().X, Y: dc.Max.Y - top}, title)
		dc = draw.Crop(dc, 0, 0, 0, -(top + sty.Height(title) + vg.Points(4)))
	}
	tiles := draw.Tiles{
		Rows: 1, Cols: 2,
		PadX:   vg.Points(28),
		PadTop: vg.Points(6), PadBottom: vg.Points(8),
		PadLeft: vg.Points(10), PadRight: vg.Points(14),
	}
	plots := [][]*plot.Plot{{roc, prec}}
	cs := plot.Align(plots, tiles, dc)
	roc.Draw(cs[0][0])
	prec.Draw(cs[0][1])

	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(w); err != nil {
		return fmt.Errorf("chart: write png: %w", err)
	}
	return nil
}

// rocPlot draws the left panel.
func rocPlot(r *Report) (*plot.Plot, error) {
	title := fmt.Sprintf("ROC, pooled over %d queries (%d candidates)", r.Queries, r.Examples)
	p := newPanel(title, "false positive rate", "true positive rate")
	p.X.Min, p.X.Max = 0, 1
	p.X.Tick.Marker = unitTicks()
	p.Legend.Top, p.Legend.Left = false, false
	p.Legend.YOffs = vg.Points(6)

	chance, err := plotter.NewLine(plotter.XYs{{X: 0, Y: 0}, {X: 1, Y: 1}})
	if err != nil {
		return nil, err
	}
	chance.Color = chanceColor
	chance.Width = vg.Points(1)
	chance.Dashes = []vg.Length{vg.Points(5), vg.Points(4)}

	rules, err := curve(r.Rules.ROC, rulesColor)
	if err != nil {
		return nil, err
	}
	model, err := curve(r.Model.ROC, modelColor)
	if err != nil {
		return nil, err
	}
	p.Add(chance, rules, model)
	p.Legend.Add(fmt.Sprintf("model, AUC %.3f", r.Model.AUC), model)
	p.Legend.Add(fmt.Sprintf("rules, AUC %.3f", r.Rules.AUC), rules)
	p.Legend.Add("chance, AUC 0.500", chance)
	return p, nil
}

// precisionPlot draws the right panel.
func precisionPlot(r *Report) (*plot.Plot, error) {
	p := newPanel("Precision@k, mean over queries", "k (top candidates)", "precision@k")
	n := max(len(r.Model.PrecisionCurve), len(r.Rules.PrecisionCurve))
	p.X.Min, p.X.Max = 0.5, float64(n)+0.5
	var ticks plot.ConstantTicks
	for k := 1; k <= n; k++ {
		ticks = append(ticks, plot.Tick{Value: float64(k), Label: fmt.Sprint(k)})
	}
	p.X.Tick.Marker = ticks
	// The legend goes top right, unless the curves run high there (a high
	// success rate); then bottom right, where they do not.
	p.Legend.Top, p.Legend.YOffs = true, -vg.Points(6)
	for _, ys := range [][]float64{r.Model.PrecisionCurve, r.Rules.PrecisionCurve} {
		if slices.Max(ys[len(ys)/2:]) > 0.65 {
			p.Legend.Top, p.Legend.YOffs = false, vg.Points(6)
		}
	}

	add := func(ys []float64, c color.Color, label string) error {
		xys := make(plotter.XYs, len(ys))
		for i, y := range ys {
			xys[i] = plotter.XY{X: float64(i + 1), Y: y}
		}
		l, s, err := plotter.NewLinePoints(xys)
		if err != nil {
			return err
		}
		l.Color, l.Width = c, vg.Points(2)
		s.Color, s.Shape, s.Radius = c, draw.CircleGlyph{}, vg.Points(3)
		p.Add(l, s)
		p.Legend.Add(label, l, s)
		return nil
	}
	if err := add(r.Model.PrecisionCurve, modelColor, fmt.Sprintf("model, P@%d %.3f", PrecisionK, r.Model.PAt3)); err != nil {
		return nil, err
	}
	if err := add(r.Rules.PrecisionCurve, rulesColor, fmt.Sprintf("rules, P@%d %.3f", PrecisionK, r.Rules.PAt3)); err != nil {
		return nil, err
	}
	if r.LiftPAt3 != nil {
		p.Legend.Add(fmt.Sprintf("P@%d lift %.2f×", PrecisionK, *r.LiftPAt3))
	}
	return p, nil
}

// newPanel returns a plot in the chart's sans-serif font, with a title,
// axis labels, a light grid and a y axis from 0 to 1 ticked every 0.1.
func newPanel(title, x, y string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font = font.From(chartFont, 13)
	p.Title.Padding = vg.Points(8)
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = font.From(chartFont, 12)
		a.Tick.Label.Font = font.From(chartFont, 10)
	}
	p.X.Label.Text = x
	p.Y.Label.Text = y
	p.Y.Min, p.Y.Max = 0, 1
	p.Y.Tick.Marker = unitTicks()
	p.Legend.TextStyle.Font = font.From(chartFont, 11)
	p.Legend.Padding = vg.Points(3)
	p.Legend.XOffs = -vg.Points(8)
	g := plotter.NewGrid()
	g.Vertical.Color, g.Horizontal.Color = gridColor, gridColor
	p.Add(g)
	return p
}

// unitTicks marks 0 to 1: labelled every 0.2, minor ticks between.
func unitTicks() plot.ConstantTicks {
	var ts plot.ConstantTicks
	for i := 0; i <= 10; i++ {
		t := plot.Tick{Value: float64(i) / 10}
		if i%2 == 0 {
			t.Label = fmt.Sprintf("%.1f", t.Value)
		}
		ts = append(ts, t)
	}
	return ts
}

// curve returns a line through pts in colour c.
func curve(pts []Point, c color.Color) (*plotter.Line, error) {
	xys := make(plotter.XYs, len(pts))
	for i, pt := range pts {
		xys[i] = plotter.XY{X: pt.X, Y: pt.Y}
	}
	l, err := plotter.NewLine(xys)
	if err != nil {
		return nil, err
	}
	l.Color, l.Width = c, vg.Points(2)
	return l, nil
}
