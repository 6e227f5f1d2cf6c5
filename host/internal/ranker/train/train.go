package train

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/crewplan/crewplan/host/internal/ranker/boost"
	"github.com/crewplan/crewplan/host/internal/ranker/evaluator"
	"github.com/crewplan/crewplan/host/internal/ranker/features"
	"github.com/crewplan/crewplan/host/internal/ranker/metrics"
	"github.com/crewplan/crewplan/ranker-wasm/gbdt"
	"github.com/crewplan/crewplan/sdk/civil"
)

// DefaultName is the name of the models Train makes.
const DefaultName = "crewplan-gbdt"

// The defaults of Options.Boost, where they differ from boost's: a
// store's history is small (a dozen people's year is a few thousand
// assignments, one in twenty a failure), so the trees learn slowly, see
// a sample of the rows each, and need ten rows' worth of hessian in a
// leaf. On the demo store's history they keep its held-out AUC and
// precision@3 above the rule-based ranking's (TestTrainBeatsRules).
const (
	DefaultEarlyStopping  = 20
	DefaultLearningRate   = 0.05
	DefaultLambda         = 10
	DefaultMinChildWeight = 10
	DefaultSubsample      = 0.8
)

// Options tune Train. A zero field takes its default.
type Options struct {
	// Name and Version name the model (Version: the training time, as
	// 20261205-153000).
	Name, Version string
	// Boost tunes the trees: at most 100 of depth 4 by default, with the
	// defaults above and Seed 1.
	Boost boost.Options
	// ValidFraction and TestFraction split the days (see SplitByTime).
	ValidFraction, TestFraction float64
	// Now is the training time, for the card (time.Now when zero).
	Now time.Time
}

func (o Options) withDefaults() Options {
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	o.Now = o.Now.UTC()
	o.Name = cmp.Or(o.Name, DefaultName)
	o.Version = cmp.Or(o.Version, o.Now.Format("20060102-150405"))
	o.Boost.EarlyStopping = cmp.Or(o.Boost.EarlyStopping, DefaultEarlyStopping)
	o.Boost.LearningRate = cmp.Or(o.Boost.LearningRate, DefaultLearningRate)
	o.Boost.Lambda = cmp.Or(o.Boost.Lambda, DefaultLambda)
	o.Boost.MinChildWeight = cmp.Or(o.Boost.MinChildWeight, DefaultMinChildWeight)
	o.Boost.Subsample = cmp.Or(o.Boost.Subsample, DefaultSubsample)
	o.Boost.Seed = cmp.Or(o.Boost.Seed, 1)
	o.ValidFraction = cmp.Or(o.ValidFraction, DefaultValidFraction)
	o.TestFraction = cmp.Or(o.TestFraction, DefaultTestFraction)
	return o
}

// Result is a trained model.
type Result struct {
	// Module is the model's module file: the embedded evaluator with the
	// trained parameters and the card in its custom sections.
	Module []byte
	Params gbdt.Params
	Card   Card
}

// Card is a model card: what a model was trained on, how, and how it did
// on the held-out period. It travels in the module's crewplan.card
// section; the registry keeps its Metrics.
type Card struct {
	Name     string    `json:"name"`
	Version  string    `json:"version"`
	Created  time.Time `json:"created"`
	Kind     string    `json:"kind"`
	Features []string  `json:"features"`
	Data     CardData  `json:"data"`
	Training Training  `json:"training"`
	Metrics  Metrics   `json:"metrics"`
	// Importance is each feature's share of the split gain, largest
	// first.
	Importance []Importance `json:"importance"`
	// Evaluation is the full held-out report, from which the chart is
	// drawn.
	Evaluation *metrics.Report `json:"evaluation"`
}

// CardData describes the history a model learnt from.
type CardData struct {
	From  civil.Date `json:"from"`
	To    civil.Date `json:"to"`
	Train Period     `json:"train"`
	Valid Period     `json:"valid"`
	Test  Period     `json:"test"`
}

// Period is one period of a time split.
type Period struct {
	From      civil.Date `json:"from"`
	To        civil.Date `json:"to"` // the last day
	Rows      int        `json:"rows"`
	Positives int        `json:"positives"`
	Queries   int        `json:"queries,omitempty"`
}

// Training records how the trees were grown.
type Training struct {
	Trees         int     `json:"trees"` // kept
	Rounds        int     `json:"rounds"`
	MaxDepth      int     `json:"max_depth"`
	LearningRate  float64 `json:"learning_rate"`
	EarlyStopping int     `json:"early_stopping"`
	Seed          uint64  `json:"seed"`
	TrainLoss     float64 `json:"train_loss"`
	ValidLoss     float64 `json:"valid_loss"`
}

// Metrics are the held-out metrics the registry lists.
type Metrics struct {
	AUC          float64  `json:"auc"`
	PAt3         float64  `json:"p_at_3"`
	NDCGAt5      float64  `json:"ndcg_at_5"`
	RulesAUC     float64  `json:"rules_auc"`
	RulesPAt3    float64  `json:"rules_p_at_3"`
	RulesNDCGAt5 float64  `json:"rules_ndcg_at_5"`
	LiftPAt3     *float64 `json:"lift_p_at_3"`
	LiftNDCGAt5  *float64 `json:"lift_ndcg_at_5"`
	Queries      int      `json:"queries"`
}

// Importance is one feature's share of the split gain.
type Importance struct {
	Feature string  `json:"feature"`
	Share   float64 `json:"share"`
}

// Train trains a model on d: splits its days by time, grows trees on the
// first period with early stopping on the second, evaluates the model on
// the held-out third against the rule-based ranking, and writes the module
// with its card.
func Train(ctx context.Context, d *Data, opt Options) (*Result, error) {
	opt = opt.withDefaults()
	sp, err := d.SplitByTime(opt.ValidFraction, opt.TestFraction)
	if err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	tr, va := d.Examples(0, sp.Valid), d.Examples(sp.Valid, sp.Test)
	trainData := boost.Data{X: tr.X, Rows: tr.Rows, Cols: features.Count, Y: tr.Y}
	validData := boost.Data{X: va.X, Rows: va.Rows, Cols: features.Count, Y: va.Y}
	m, err := boost.Train(ctx, trainData, &validData, opt.Boost)
	if err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	p, err := m.Params(opt.Name, opt.Version, features.Names)
	if err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	native, err := Native(p)
	if err != nil {
		return nil, err
	}
	report, nq, err := Evaluate(ctx, d, sp.Test, native)
	if err != nil {
		return nil, fmt.Errorf("train: evaluate on the held-out period: %w", err)
	}
	te := d.Examples(sp.Test, 0)
	first, last := d.Span()
	card := Card{
		Name: opt.Name, Version: opt.Version, Created: opt.Now, Kind: "gbdt", Features: features.Names,
		Data: CardData{
			From: first, To: last,
			Train: d.period(first, sp.Valid, tr, 0),
			Valid: d.period(sp.Valid, sp.Test, va, 0),
			Test:  d.period(sp.Test, last.AddDays(1), te, nq),
		},
		Training: Training{
			Trees: m.Best, Rounds: len(m.Rounds), MaxDepth: cmp.Or(opt.Boost.MaxDepth, boost.DefaultMaxDepth),
			LearningRate: opt.Boost.LearningRate, EarlyStopping: opt.Boost.EarlyStopping,
			Seed: opt.Boost.Seed,
		},
		Metrics: Metrics{
			AUC: report.Model.AUC, PAt3: report.Model.PAt3, NDCGAt5: report.Model.NDCGAt5,
			RulesAUC: report.Rules.AUC, RulesPAt3: report.Rules.PAt3, RulesNDCGAt5: report.Rules.NDCGAt5,
			LiftPAt3: report.LiftPAt3, LiftNDCGAt5: report.LiftNDCGAt5, Queries: report.Queries,
		},
		Evaluation: report,
	}
	if m.Best > 0 && m.Best <= len(m.Rounds) {
		card.Training.TrainLoss, card.Training.ValidLoss = m.Rounds[m.Best-1].TrainLoss, m.Rounds[m.Best-1].ValidLoss
	}
	for i, share := range m.Importance() {
		card.Importance = append(card.Importance, Importance{features.Names[i], share})
	}
	slices.SortStableFunc(card.Importance, func(a, b Importance) int { return cmp.Compare(b.Share, a.Share) })
	raw, err := json.Marshal(card)
	if err != nil {
		return nil, fmt.Errorf("train: model card: %w", err)
	}
	module, err := evaluator.Module(p, raw)
	if err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	return &Result{Module: module, Params: p, Card: card}, nil
}

// period describes the days from from up to before to, with ex's rows.
func (d *Data) period(from, to civil.Date, ex Examples, queries int) Period {
	p := Period{From: from, To: from, Rows: ex.Rows, Positives: ex.Positives(), Queries: queries}
	for _, day := range d.days {
		if day >= from && day < to {
			p.To = day
		}
	}
	return p
}
