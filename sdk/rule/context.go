package rule

import (
	"sync"

	"github.com/crewplan/crewplan/sdk/civil"
)

// keptContexts is how many batch contexts a plugin keeps, and a client
// believes its plugin keeps: a run uses one, a host checking manual edits
// next to a run a second.
const keptContexts = 4

// Context is the part of a batch that stays the same over many batches —
// a run's events, employees and calendar, what a ContextKey names — with
// its lookups (events by ref, employees by id, the calendar's days) built
// once for all of them. A host that checks many batches against the same
// data makes one Context and sets it on each batch with Batch.SetContext;
// a plugin keeps the contexts it received the same way. The slices must
// not change once the Context is in use.
type Context struct {
	events    []Event
	employees []Employee
	holidays  []civil.Date
	locked    []civil.Date

	once  sync.Once
	index *contextIndex

	mu      sync.Mutex
	derived map[any]any // see Batch.Derived
}

// NewContext returns the context of events, employees, holidays and
// locked days; the slices are shared, not copied.
func NewContext(events []Event, employees []Employee, holidays, locked []civil.Date) *Context {
	return &Context{events: events, employees: employees, holidays: holidays, locked: locked}
}

// SetContext makes c the batch's context: its Events, Employees,
// Holidays and LockedDays, with c's lookups shared instead of built again
// for this batch.
func (b *Batch) SetContext(c *Context) {
	b.Events, b.Employees, b.Holidays, b.LockedDays = c.events, c.employees, c.holidays, c.locked
	b.kept = c
}

// lookups returns the context's lookups, built on first use.
func (c *Context) lookups() *contextIndex {
	c.once.Do(func() { c.index = newContextIndex(c.events, c.employees, c.holidays, c.locked) })
	return c.index
}

// contextCache keeps the most recently used contexts by key, for the
// plugin side; a nil *contextCache keeps nothing.
type contextCache struct {
	mu      sync.Mutex
	entries []keptContext // most recently used last
}

type keptContext struct {
	key uint64
	c   *Context
}

func (k *contextCache) get(key uint64) (*Context, bool) {
	if k == nil {
		return nil, false
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	for i, e := range k.entries {
		if e.key == key {
			k.entries = append(append(k.entries[:i:i], k.entries[i+1:]...), e)
			return e.c, true
		}
	}
	return nil, false
}

func (k *contextCache) put(key uint64, c *Context) {
	if k == nil {
		return
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	for i, e := range k.entries {
		if e.key == key {
			k.entries = append(k.entries[:i:i], k.entries[i+1:]...)
			break
		}
	}
	if len(k.entries) == keptContexts {
		k.entries = k.entries[1:]
	}
	k.entries = append(k.entries, keptContext{key, c})
}

// sentKeys remembers, on the host side, the context keys a plugin was
// sent in full, most recent last; like the plugin's cache it holds
// keptContexts keys, and a plugin that forgot one says so.
type sentKeys struct {
	mu   sync.Mutex
	keys []uint64
}

func (s *sentKeys) has(key uint64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, k := range s.keys {
		if k == key {
			s.keys = append(append(s.keys[:i:i], s.keys[i+1:]...), k)
			return true
		}
	}
	return false
}

func (s *sentKeys) add(key uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, k := range s.keys {
		if k == key {
			return
		}
	}
	if len(s.keys) == keptContexts {
		s.keys = s.keys[1:]
	}
	s.keys = append(s.keys, key)
}

func (s *sentKeys) forget(key uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, k := range s.keys {
		if k == key {
			s.keys = append(s.keys[:i:i], s.keys[i+1:]...)
			return
		}
	}
}

// Derived returns what build computes from the batch's context (its
// events, employees and calendar, never its candidates or assignments),
// computed once per context and kept with it: a rule's own lookups, such
// as core events by number, then cost nothing on later batches of the
// same ContextKey. key identifies the value among the rule's others (use
// an unexported type, as with context.Context values). build must not
// keep b.
func (b *Batch) Derived(key any, build func(b *Batch) any) any {
	c := b.kept
	if c == nil {
		b.wireMu.Lock()
		if b.derived == nil {
			b.derived = NewContext(b.Events, b.Employees, b.Holidays, b.LockedDays)
		}
		c = b.derived
		b.wireMu.Unlock()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if v, ok := c.derived[key]; ok {
		return v
	}
	v := build(b)
	if c.derived == nil {
		c.derived = make(map[any]any)
	}
	c.derived[key] = v
	return v
}
