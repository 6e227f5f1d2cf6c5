package ranker_test

import (
	"context"
	"log/slog"
	"math"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/crewplan/crewplan/host/internal/ranker"
	"github.com/crewplan/crewplan/ranker-wasm/gbdt"
	"github.com/crewplan/crewplan/ranker-wasm/logreg"
	abi "github.com/crewplan/crewplan/sdk/ranker"
)

// TestMemoryStaysFlat scores 100,000 decisions (50 candidates × 35
// features) on one instance that is never recycled, with the guest's
// garbage collector called every 1,000 calls as in production, and wants
// its linear memory and the host's heap after the last call where they
// were after the first 1,000: the guest does not allocate while scoring
// and the host keeps nothing per call. It runs the embedded gbdt evaluator
// with the default model shape (by the trust rule, on the fast runtime)
// and the logreg evaluator (forced fast: memory does not depend on the
// runtime, and the guarded one is 7× slower).
//
// One exception, measured and allowed: Go's runtime in the gbdt guest
// grows its memory by one page at its 43rd collection (the 41st after the
// two of instantiation, at call 41,000), whatever the model's size, the
// clocks, or whether anything was scored between collections (reproduced
// with bare wazero calls of load and gc), and never again in 30,000
// collections. So the pages must be exactly equal from call 50,000 to
// call 100,000, and at most that one page above call 1,000's.
//
// It is not parallel (the heap is the test process's) and takes about
// 25 s, 55 s under -race: -short skips it.
func TestMemoryStaysFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("100,000 calls per evaluator: not under -short")
	}
	const (
		warmCalls   = 1_000
		steadyCalls = 50_000
		totalCalls  = 100_000
		runtimePage = 1       // the Go runtime's one-off page, see above
		heapSlack   = 1 << 20 // bytes the heap may grow by: noise, not a leak
	)
	tests := []struct {
		name   string
		load   func(*testing.T, *ranker.Runtime) *ranker.Model
		native func(*testing.T, []float32) []float32
	}{
		{
			name: "gbdt",
			load: func(t *testing.T, rt *ranker.Runtime) *ranker.Model {
				m := loadTrust(t, rt, gbdtModule(t))
				if !m.Trusted() {
					t.Fatal("the embedded evaluator is not trusted")
				}
				return m
			},
			native: func(t *testing.T, x []float32) []float32 {
				m := gbdt.New()
				if err := m.Load(gbdt.Encode(gbdtParams(t))); err != nil {
					t.Fatal(err)
				}
				out, err := abi.ScoreNative(m, x, benchRows, benchCols)
				if err != nil {
					t.Fatal(err)
				}
				return out
			},
		},
		{
			name: "logreg",
			load: func(t *testing.T, rt *ranker.Runtime) *ranker.Model {
				return load(t, rt, withParams(t, benchParams()), true)
			},
			native: func(t *testing.T, x []float32) []float32 {
				m := logreg.New()
				if err := m.Load(benchParams()); err != nil {
					t.Fatal(err)
				}
				out, err := abi.ScoreNative(m, x, benchRows, benchCols)
				if err != nil {
					t.Fatal(err)
				}
				return out
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var log logRecords
			rt := newRuntime(t, ranker.Options{
				PoolSize:     1,
				RecycleAfter: 2 * totalCalls,
				Deadline:     5 * time.Second, // a slow call under -race is not what this tests
				Logger:       slog.New(&log),
			})
			m := tt.load(t, rt)
			x := benchMatrix()
			want := tt.native(t, x)
			ctx := context.Background()

			var pagesWarm, pagesSteady []uint32
			var heapWarm uint64
			var got []float32
			for call := 1; call <= totalCalls; call++ {
				var err error
				if got, err = m.Score(ctx, x, benchRows, benchCols); err != nil {
					t.Fatalf("call %d: %v", call, err)
				}
				switch call {
				case warmCalls:
					pagesWarm, heapWarm = m.InstancePages(), heapAlloc()
				case steadyCalls:
					pagesSteady = m.InstancePages()
				}
			}
			pages, heap := m.InstancePages(), heapAlloc()
			t.Logf("pages after %d, %d and %d calls: %v %v %v; heap after %d: %d KiB, after %d: %d KiB",
				warmCalls, steadyCalls, totalCalls, pagesWarm, pagesSteady, pages, warmCalls, heapWarm>>10, totalCalls, heap>>10)

			if n := log.count("ranker instance recycled") + log.count("ranker instance discarded"); n != 0 {
				t.Errorf("%d instances recycled or discarded; want the one instance throughout", n)
			}
			if len(pages) != 1 || len(pagesWarm) != 1 || !slices.Equal(pages, pagesSteady) || pages[0] > pagesWarm[0]+runtimePage {
				t.Errorf("linear memory: %v pages after %d calls, %v after %d, %v after %d; want one instance, "+
					"unchanged from call %d on and at most %d page above call %d's",
					pagesWarm, warmCalls, pagesSteady, steadyCalls, pages, totalCalls, steadyCalls, runtimePage, warmCalls)
			}
			if heap > heapWarm+heapSlack {
				t.Errorf("host heap: %d KiB after %d calls, %d KiB after %d; want at most %d KiB more",
					heapWarm>>10, warmCalls, heap>>10, totalCalls, heapSlack>>10)
			}
			for i := range want {
				if math.Abs(float64(got[i]-want[i])) > 1e-6 {
					t.Errorf("call %d, row %d scored %v, natively %v", totalCalls, i+1, got[i], want[i])
				}
			}
		})
	}
}

// heapAlloc returns the bytes of live heap objects after a collection.
func heapAlloc() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}
