package pluginhost_test

import (
	"context"
	"io"
	"log/slog"
	"syscall"
	"testing"

	"github.com/crewplan/crewplan/host/internal/pluginhost"
	"github.com/crewplan/crewplan/host/internal/rules"
	"github.com/crewplan/crewplan/sdk/sdktest"
)

func benchHost(b *testing.B) *pluginhost.Host {
	h, err := pluginhost.New(pluginhost.Options{Executable: crewplan, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(h.Close)
	return h
}

// benchCheck checks sdktest.SyntheticBatch(10000) with e, b.N times, with
// the batch's context key set to key. Each iteration is a new batch, as
// each step of a run is: Reindex drops what the last one built (the host's
// wire encoding, the in-process rules' lookups).
func benchCheck(b *testing.B, e *rules.Engine, key uint64) {
	ctx := context.Background()
	batch := sdktest.SyntheticBatch(10000)
	batch.ContextKey = key
	for b.Loop() {
		batch.Reindex()
		if _, err := e.Check(ctx, batch); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCheck10kPlugins checks a batch of 10,000 candidates through
// the four built-in rule plugins, each a separate process, called at once.
func BenchmarkCheck10kPlugins(b *testing.B) {
	ps, err := benchHost(b).StartRules(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	benchCheck(b, engineOf(ps), 0)
}

// BenchmarkCheck10kPluginsContextKey is the same with the batch's context
// key set, as a run sets it: the plugins keep the run's events, employees
// and calendar between calls, and each call carries the candidates and
// assignments only.
func BenchmarkCheck10kPluginsContextKey(b *testing.B) {
	ps, err := benchHost(b).StartRules(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	benchCheck(b, engineOf(ps), 42)
}

// BenchmarkCheck10kInProcess is the baseline: the same rule code on the
// same batch, called in process.
func BenchmarkCheck10kInProcess(b *testing.B) {
	benchCheck(b, pluginhost.InProcessRules(), 0)
}

// BenchmarkPluginStartToReady starts one built-in plugin process: exec,
// handshake, Info, Configure — ready for its first batch.
func BenchmarkPluginStartToReady(b *testing.B) {
	ctx := context.Background()
	h := benchHost(b)
	for b.Loop() {
		p, err := h.StartRule(ctx, h.BuiltinSpec("rules-calendar"))
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		p.Close()
		b.StartTimer()
	}
}

// BenchmarkKilledPluginBackInService kills a plugin process with SIGKILL
// and measures until a batch is answered again (restart with its first
// 50 ms backoff, handshake, retry).
func BenchmarkKilledPluginBackInService(b *testing.B) {
	ctx := context.Background()
	h := benchHost(b)
	p, err := h.StartRule(ctx, h.BuiltinSpec("rules-calendar"))
	if err != nil {
		b.Fatal(err)
	}
	batch := sdktest.SyntheticBatch(100)
	for b.Loop() {
		syscall.Kill(p.PID(), syscall.SIGKILL)
		if _, err := p.Check(ctx, batch); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCheckSmallPluginsContextKey is the floor of a rule batch: ten
// candidates and ten assignments through the four plugins, with the
// context kept.
func BenchmarkCheckSmallPluginsContextKey(b *testing.B) {
	ps, err := benchHost(b).StartRules(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	batch := sdktest.SyntheticBatch(10)
	batch.ContextKey = 42
	batch.Assignments = batch.Assignments[:10]
	e := engineOf(ps)
	for b.Loop() {
		batch.Reindex()
		if _, err := e.Check(ctx, batch); err != nil {
			b.Fatal(err)
		}
	}
}
