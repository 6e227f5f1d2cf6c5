// Package adultbeverage is the example third-party rule of the plugin
// guide (docs/plugins.md): demos of alcoholic products — an event whose
// name contains WINE, BEER or SPIRITS — need an employee trained to serve
// adult beverages. It uses the SDK alone, as any third party's rule would.
//
// Build it as a plugin binary with
//
//	go build -o adult-beverage ./sdk/examples/adultbeverage/cmd
package adultbeverage

import (
	"context"
	"fmt"
	"strings"

	"github.com/crewplan/crewplan/sdk/plugin"
	"github.com/crewplan/crewplan/sdk/rule"
)

// RuleID is the id of the rule in violations.
const RuleID = "adult_beverage"

// TrainedAttribute is the employee attribute the host sets from the
// employee's "adult beverage trained" flag.
const TrainedAttribute = "adult_beverage_trained"

// Rule is the adult-beverage rule.
type Rule struct {
	keywords []string
}

var (
	_ rule.Rule       = (*Rule)(nil)
	_ rule.SelfTester = (*Rule)(nil)
)

// New returns the rule with its default keywords.
func New() *Rule { return &Rule{keywords: []string{"WINE", "BEER", "SPIRITS"}} }

// Info describes the plugin.
func (r *Rule) Info(context.Context) (plugin.Info, error) {
	return plugin.Info{
		Type:        plugin.TypeRule,
		Name:        "adult-beverage",
		Version:     "1.0.0",
		APIVersions: []int{rule.APIVersion},
		Description: "Demos of alcoholic products need an adult-beverage-trained employee.",
	}, nil
}

// Configure reads {"keywords": ["WINE", "BEER", "SPIRITS", "CIDER"]}, the
// words (matched in the upper-cased event name) that make a demo
// alcoholic. An empty configuration keeps the defaults.
func (r *Rule) Configure(_ context.Context, raw []byte) error {
	var cfg struct {
		Keywords []string `json:"keywords"`
	}
	if err := plugin.DecodeConfig(raw, &cfg); err != nil {
		return err
	}
	if cfg.Keywords == nil {
		return nil
	}
	var kw []string
	for i, k := range cfg.Keywords {
		k = strings.ToUpper(strings.TrimSpace(k))
		if k == "" {
			return fmt.Errorf("%w: keywords[%d] is empty", plugin.ErrBadConfig, i)
		}
		kw = append(kw, k)
	}
	if len(kw) == 0 {
		return fmt.Errorf("%w: keywords is empty: leave it out to keep WINE, BEER and SPIRITS", plugin.ErrBadConfig)
	}
	r.keywords = kw
	return nil
}

// alcoholic reports whether an event's name makes it a demo of an
// alcoholic product.
func (r *Rule) alcoholic(name string) bool {
	u := strings.ToUpper(name)
	for _, k := range r.keywords {
		if strings.Contains(u, k) {
			return true
		}
	}
	return false
}

// Check flags each alcoholic demo whose employee is not trained.
func (r *Rule) Check(_ context.Context, b *rule.Batch) ([]rule.Verdict, error) {
	out := make([]rule.Verdict, len(b.Candidates))
	for i, c := range b.Candidates {
		ev, emp := b.Event(c.Event), b.Employee(c.Employee)
		if ev == nil || emp == nil || !r.alcoholic(ev.Name) {
			continue // other rules report missing events and employees
		}
		if emp.Attributes[TrainedAttribute] != "true" {
			out[i].Violations = []rule.Violation{{
				Rule:     RuleID,
				Severity: rule.Hard,
				Message:  fmt.Sprintf("%s is not trained to serve adult beverages, which event %d (%s) needs", emp.Name, ev.Ref, ev.Name),
			}}
		}
	}
	return out, nil
}

// SelfTest checks the rule on a trained and an untrained employee.
func (r *Rule) SelfTest(ctx context.Context) error {
	b := &rule.Batch{
		Events: []rule.Event{{Ref: 1, Name: "SELF-TEST " + r.keywords[0] + " DEMO - V2-CORE", Type: rule.EventCore}},
		Employees: []rule.Employee{
			{ID: "a", Name: "A", Attributes: map[string]string{TrainedAttribute: "true"}},
			{ID: "b", Name: "B"},
		},
		Candidates: []rule.Candidate{{Event: 1, Employee: "a"}, {Event: 1, Employee: "b"}},
	}
	vs, err := r.Check(ctx, b)
	if err != nil {
		return err
	}
	if !vs[0].OK() || vs[1].OK() {
		return fmt.Errorf("self-test: trained passes = %v, untrained fails = %v", vs[0].OK(), !vs[1].OK())
	}
	return nil
}
