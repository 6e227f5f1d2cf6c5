// Package examplerule is a small rule the SDK's own tests run in-process,
// over in-memory gRPC and as a real plugin binary (cmd/): an employee must
// exist, work on the candidate's weekday and not be placed on a holiday.
package examplerule

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/crewplan/crewplan/sdk/plugin"
	"github.com/crewplan/crewplan/sdk/rule"
)

// log is the plugin's logger: stderr, in the form the host reads.
var log = plugin.Logger()

// Availability is the example rule.
type Availability struct {
	// holidaySeverity is the severity of a placement on a holiday.
	holidaySeverity rule.Severity
}

var (
	_ rule.Rule       = (*Availability)(nil)
	_ rule.SelfTester = (*Availability)(nil)
)

// Info describes the rule.
func (a *Availability) Info(context.Context) (plugin.Info, error) {
	return plugin.Info{
		Type:        plugin.TypeRule,
		Name:        "rules-example",
		Version:     "0.1.0",
		APIVersions: []int{rule.APIVersion},
		Description: "employees work on their weekdays, not on holidays (SDK example)",
	}, nil
}

// Configure reads {"holidays_soft": true} to make holidays advice only.
func (a *Availability) Configure(_ context.Context, raw []byte) error {
	var cfg struct {
		HolidaysSoft bool `json:"holidays_soft"`
	}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &cfg); err != nil {
			return fmt.Errorf("%w: %v", plugin.ErrBadConfig, err)
		}
	}
	a.holidaySeverity = rule.Hard
	if cfg.HolidaysSoft {
		a.holidaySeverity = rule.Soft
	}
	log.Info("configured", "holidays_soft", cfg.HolidaysSoft)
	return nil
}

// Check checks each candidate.
func (a *Availability) Check(ctx context.Context, b *rule.Batch) ([]rule.Verdict, error) {
	out := make([]rule.Verdict, len(b.Candidates))
	for i, c := range b.Candidates {
		if i%1024 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		e := b.Employee(c.Employee)
		if e == nil {
			out[i].Violations = append(out[i].Violations, rule.Violation{
				Rule: "known_employee", Severity: rule.Hard,
				Message: fmt.Sprintf("employee %s is not known", c.Employee),
			})
			continue
		}
		if e.Weekly != nil && !e.Weekly[c.Date.Weekday()] {
			out[i].Violations = append(out[i].Violations, rule.Violation{
				Rule: "weekday", Severity: rule.Hard,
				Message: fmt.Sprintf("%s does not work on %ss", e.Name, c.Date.Weekday()),
			})
		}
		if b.IsHoliday(c.Date) {
			out[i].Violations = append(out[i].Violations, rule.Violation{
				Rule: "holiday", Severity: a.holidaySeverity,
				Message: fmt.Sprintf("%s is a company holiday", c.Date),
			})
		}
	}
	return out, nil
}

// SelfTest checks one known answer.
func (a *Availability) SelfTest(ctx context.Context) error {
	vs, err := a.Check(ctx, &rule.Batch{Candidates: []rule.Candidate{{Employee: "nobody"}}})
	if err != nil {
		return err
	}
	if len(vs) != 1 || vs[0].OK() {
		return fmt.Errorf("an unknown employee passed")
	}
	return nil
}

// Pass is a rule that passes every candidate: it measures the transport.
type Pass struct{}

// Info describes the rule.
func (Pass) Info(context.Context) (plugin.Info, error) {
	return plugin.Info{Type: plugin.TypeRule, Name: "rules-pass", Version: "0.1.0", APIVersions: []int{rule.APIVersion}}, nil
}

// Configure accepts anything.
func (Pass) Configure(context.Context, []byte) error { return nil }

// Check passes every candidate.
func (Pass) Check(_ context.Context, b *rule.Batch) ([]rule.Verdict, error) {
	return make([]rule.Verdict, len(b.Candidates)), nil
}
