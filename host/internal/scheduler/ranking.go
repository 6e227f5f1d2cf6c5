package scheduler

import (
	"slices"

	"github.com/crewplan/crewplan/sdk/civil"
	"github.com/crewplan/crewplan/sdk/rule"
)

// rankKey names a ranking: who may take an event of a type on a day.
type rankKey struct {
	t        rule.EventType
	teardown bool
	d        civil.Date
}

func keyOf(ev *rule.Event, d civil.Date) rankKey {
	return rankKey{ev.Type, ev.Type == rule.EventDigital && ev.Kind == "teardown", d}
}

// ranking is a rule-based ranking as of a point in its week's log.
type ranking struct {
	choices []Choice
	adds    int // len(weekLog.adds) when made
	resets  int // weekLog.resets when made
}

// weekLog records a week's load changes: the employees (by index) whose
// load grew, in order, and how many times a load fell.
type weekLog struct {
	adds   []int
	resets int
}

// ranked returns who may be asked about ev on day d (the spec's automatic
// preference), in the rule-based order: tier, then fewest assignments
// that week, then lowest id. The slice is shared until the next change to
// the schedule and must not be changed.
//
// A ranking made before is brought up to date rather than made again:
// when loads only grew since, the employees whose load grew move to their
// new places and the rest keep their order.
func (s *state) ranked(ev *rule.Event, d civil.Date) []Choice {
	wk := d.WeekStart()
	k := keyOf(ev, d)
	log := s.weekLogs[wk]
	if log == nil {
		log = &weekLog{}
		s.weekLogs[wk] = log
	}
	r := s.rankings[k]
	switch {
	case r == nil || r.resets != log.resets:
		r = &ranking{choices: s.rank(ev, d)}
		s.rankings[k] = r
	case r.adds < len(log.adds):
		r.choices = s.rerank(r.choices, log.adds[r.adds:], wk)
	}
	r.adds, r.resets = len(log.adds), log.resets
	return r.choices
}

// rank makes the ranking of ev on day d.
func (s *state) rank(ev *rule.Event, d civil.Date) []Choice {
	wk := d.WeekStart()
	tier := s.tiers(ev, d)
	keys := s.keys[:0]
	for i, e := range s.emps {
		if t := tier(e); t >= 0 {
			keys = append(keys, choiceKey(t, s.weekLoad(i, wk), i))
		}
	}
	slices.Sort(keys) // emps are sorted by id
	out := make([]Choice, len(keys))
	for j, key := range keys {
		out[j] = s.choiceOf(key)
	}
	s.keys = keys
	return out
}

// rerank returns old with the employees in grew (whose week load grew)
// moved to their places by their current loads.
func (s *state) rerank(old []Choice, grew []int, wk civil.Date) []Choice {
	if s.moved == nil {
		s.moved = make([]bool, len(s.emps))
	}
	for _, i := range grew {
		s.moved[i] = true
	}
	keys := s.keys[:0]
	for _, c := range old {
		if s.moved[c.idx] {
			keys = append(keys, choiceKey(c.Tier, s.weekLoad(c.idx, wk), c.idx))
		}
	}
	slices.Sort(keys)
	out := make([]Choice, 0, len(old))
	j := 0
	for _, c := range old {
		if s.moved[c.idx] {
			continue
		}
		key := choiceKey(c.Tier, c.WeekLoad, c.idx)
		for ; j < len(keys) && keys[j] < key; j++ {
			out = append(out, s.choiceOf(keys[j]))
		}
		out = append(out, c)
	}
	for ; j < len(keys); j++ {
		out = append(out, s.choiceOf(keys[j]))
	}
	for _, i := range grew {
		s.moved[i] = false
	}
	s.keys = keys
	return out
}

// choiceKey packs a choice's place in the rule-based order.
func choiceKey(tier, load, idx int) uint64 {
	return uint64(tier)<<48 | uint64(min(load, 1<<16-1))<<32 | uint64(idx)
}

func (s *state) choiceOf(key uint64) Choice {
	i := int(uint32(key))
	return Choice{Employee: s.emps[i], Tier: int(key >> 48), WeekLoad: int(key >> 32 & (1<<16 - 1)), idx: i}
}
