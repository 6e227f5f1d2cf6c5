package sdktest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	goplugin "github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	"github.com/crewplan/crewplan/sdk/backup"
	"github.com/crewplan/crewplan/sdk/plugin"
)

// ServeTargetInProcessGRPC serves tg over real gRPC on an in-memory
// connection, with the plugin server's options and message limits, and
// returns the host's client of it: the wire path of a backup target
// without a binary. The server stops when the test ends.
func ServeTargetInProcessGRPC(t testing.TB, tg backup.Target) *backup.Client {
	t.Helper()
	cc := serveInMemory(t, func(s *grpc.Server) { backup.RegisterServer(s, tg) })
	return backup.NewClient(cc, inProcessName(t, tg))
}

// LaunchTarget starts the backup-target plugin binary at path, with args,
// as the host does: go-plugin's client with crewplan's handshake, gRPC
// only, the backup versioned plugin sets, raised message limits and a
// SHA-256 check of the binary. The plugin's logs go to the test's output.
// It returns the dispensed client; the process is killed when the test
// ends.
func LaunchTarget(t testing.TB, path string, args ...string) *backup.Client {
	t.Helper()
	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelInfo}))
	c, kill, err := StartTarget(log, path, args...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(kill)
	return c
}

// StartTarget is LaunchTarget outside a test — for a TestMain that shares
// one plugin process among the tests of a package. The caller calls kill
// when done; log receives the plugin's logs.
func StartTarget(log *slog.Logger, path string, args ...string) (c *backup.Client, kill func(), err error) {
	sum, err := fileSHA256(path)
	if err != nil {
		return nil, nil, fmt.Errorf("launch plugin: %w", err)
	}
	pc := goplugin.NewClient(&goplugin.ClientConfig{
		HandshakeConfig:  plugin.Handshake(),
		VersionedPlugins: backup.VersionedPlugins(filepath.Base(path)),
		Cmd:              exec.Command(path, args...),
		AllowedProtocols: []goplugin.Protocol{goplugin.ProtocolGRPC},
		SecureConfig:     &goplugin.SecureConfig{Checksum: sum, Hash: sha256.New()},
		GRPCDialOptions:  plugin.DialOptions(),
		Logger:           plugin.HCLogAdapter(log),
	})
	proto, err := pc.Client()
	if err != nil {
		pc.Kill()
		return nil, nil, fmt.Errorf("launch plugin %s: %w", path, err)
	}
	raw, err := proto.Dispense(backup.PluginName)
	if err != nil {
		pc.Kill()
		return nil, nil, fmt.Errorf("launch plugin %s: dispense: %w", path, err)
	}
	c, ok := raw.(*backup.Client)
	if !ok {
		pc.Kill()
		return nil, nil, fmt.Errorf("launch plugin %s: dispensed a %T, want *backup.Client", path, raw)
	}
	return c, pc.Kill, nil
}

// TestTarget is the conformance suite of backup targets: every target
// plugin runs it on its Target. newTarget returns a new, configured and
// empty target (a fresh t.TempDir(), a fresh bucket prefix) for each case.
//
// Each case runs twice: on the target directly ("direct/...") and through
// the SDK's gRPC server and client on an in-memory connection
// ("grpc/..."), so the transport's own behaviour is covered too. The
// cases: Info; SelfTest when the target has one; put and get round trips
// of an empty, a small and a multi-chunk object; an overwrite replacing
// the whole object; Stat and List (sorted by name, filtered by prefix,
// sizes right); Delete (then ErrNotFound; deleting again is no error); a
// Put whose reader fails halfway, and one whose ctx is cancelled halfway
// (its error wrapping context.Canceled), each leaving nothing and an
// earlier object of that name intact; concurrent Puts of different names;
// and bad names refused with ErrBadName — through gRPC only, unless the
// target is a *backup.Client: names are checked before they reach a
// Target, so the direct run of a Target skips it.
func TestTarget(t *testing.T, newTarget func(t *testing.T) backup.Target) {
	for _, via := range []struct {
		name string
		wrap func(*testing.T, backup.Target) backup.Target
	}{
		{"direct", func(_ *testing.T, tg backup.Target) backup.Target { return tg }},
		{"grpc", func(t *testing.T, tg backup.Target) backup.Target { return ServeTargetInProcessGRPC(t, tg) }},
	} {
		t.Run(via.name, func(t *testing.T) {
			for _, c := range targetCases {
				t.Run(c.name, func(t *testing.T) {
					tg := newTarget(t)
					if _, client := tg.(*backup.Client); c.remoteOnly && via.name == "direct" && !client {
						t.Skip("names are checked before they reach a Target (backup.ValidName): by the SDK's client and server")
					}
					c.run(t, via.wrap(t, tg))
				})
			}
		})
	}
}

var targetCases = []struct {
	name       string
	run        func(*testing.T, backup.Target)
	remoteOnly bool
}{
	{name: "info", run: targetInfo},
	{name: "self-test", run: targetSelfTest},
	{name: "round-trip", run: targetRoundTrip},
	{name: "overwrite", run: targetOverwrite},
	{name: "stat-list", run: targetStatList},
	{name: "delete", run: targetDelete},
	{name: "reader-fails", run: targetReaderFails},
	{name: "cancelled", run: targetCancelled},
	{name: "concurrent", run: targetConcurrent},
	{name: "bad-names", run: targetBadNames, remoteOnly: true},
}

// randomBytes returns n deterministic pseudo-random bytes.
func randomBytes(n int, seed uint64) []byte {
	b := make([]byte, n)
	newBytes(seed).Read(b)
	return b
}

// newBytes returns a deterministic source of pseudo-random bytes.
func newBytes(seed uint64) *rand.ChaCha8 {
	var s [32]byte
	binary.LittleEndian.PutUint64(s[:], seed)
	return rand.NewChaCha8(s)
}

// multiChunk is the size of the multi-chunk objects: three and a half
// chunks.
const multiChunk = 3*backup.ChunkSize + backup.ChunkSize/2

// put stores data under name and checks the object Put returns.
func put(t *testing.T, tg backup.Target, name string, data []byte) {
	t.Helper()
	obj, err := tg.Put(t.Context(), name, bytes.NewReader(data))
	if err != nil {
		t.Fatalf("put %s: %v", name, err)
	}
	if obj.Name != name || obj.Size != int64(len(data)) {
		t.Fatalf("put %s of %d bytes returned %+v", name, len(data), obj)
	}
}

// get reads the object of name and fails the test unless it is want.
func get(t *testing.T, tg backup.Target, name string, want []byte) {
	t.Helper()
	rc, err := tg.Get(t.Context(), name)
	if err != nil {
		t.Fatalf("get %s: %v", name, err)
	}
	got, err := io.ReadAll(rc)
	if cerr := rc.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatalf("get %s: read: %v", name, err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("get %s: %d bytes (sha256 %x), want %d bytes (sha256 %x)", name, len(got), sha256.Sum256(got), len(want), sha256.Sum256(want))
	}
}

// missing fails the test unless Get and Stat of name give ErrNotFound.
func missing(t *testing.T, tg backup.Target, name string) {
	t.Helper()
	if rc, err := tg.Get(t.Context(), name); !errors.Is(err, backup.ErrNotFound) {
		if err == nil {
			rc.Close()
		}
		t.Fatalf("get %s = %v, want ErrNotFound", name, err)
	}
	if obj, err := tg.Stat(t.Context(), name); !errors.Is(err, backup.ErrNotFound) {
		t.Fatalf("stat %s = %+v, %v; want ErrNotFound", name, obj, err)
	}
}

// names lists prefix and returns the names, checking the sizes against
// sizes (by name) when given.
func names(t *testing.T, tg backup.Target, prefix string, sizes map[string]int) []string {
	t.Helper()
	objs, err := tg.List(t.Context(), prefix)
	if err != nil {
		t.Fatalf("list %q: %v", prefix, err)
	}
	out := []string{}
	for _, o := range objs {
		if want, ok := sizes[o.Name]; sizes != nil && (!ok || o.Size != int64(want)) {
			t.Errorf("list %q: %s has %d bytes, want %d", prefix, o.Name, o.Size, want)
		}
		out = append(out, o.Name)
	}
	return out
}

func targetInfo(t *testing.T, tg backup.Target) {
	info, err := tg.Info(t.Context())
	if err != nil {
		t.Fatalf("info: %v", err)
	}
	if info.Type != plugin.TypeBackup || info.Name == "" || !slices.Contains(info.APIVersions, backup.APIVersion) {
		t.Fatalf("info = %+v: want type %q, a name and API version %d", info, plugin.TypeBackup, backup.APIVersion)
	}
}

func targetSelfTest(t *testing.T, tg backup.Target) {
	st, ok := tg.(backup.SelfTester)
	if !ok {
		t.Skip("the target has no SelfTest (the plugin self-tests by listing)")
	}
	if err := st.SelfTest(t.Context()); err != nil {
		t.Fatalf("self-test: %v", err)
	}
}

func targetRoundTrip(t *testing.T, tg backup.Target) {
	for _, tt := range []struct {
		name string
		data []byte
	}{
		{"rt/empty", []byte{}},
		{"rt/small.json", []byte(`{"hello":"world"}`)},
		{"rt/chunk", randomBytes(backup.ChunkSize, 1)},
		{"rt/multi-chunk.zst", randomBytes(multiChunk, 2)},
	} {
		put(t, tg, tt.name, tt.data)
		get(t, tg, tt.name, tt.data)
		obj, err := tg.Stat(t.Context(), tt.name)
		if err != nil || obj.Name != tt.name || obj.Size != int64(len(tt.data)) {
			t.Fatalf("stat %s = %+v, %v; want %d bytes", tt.name, obj, err, len(tt.data))
		}
	}
}

func targetOverwrite(t *testing.T, tg backup.Target) {
	big, small := randomBytes(multiChunk, 3), []byte("short")
	put(t, tg, "ow/a", big)
	put(t, tg, "ow/a", small)
	get(t, tg, "ow/a", small)
	if got := names(t, tg, "", map[string]int{"ow/a": len(small)}); !slices.Equal(got, []string{"ow/a"}) {
		t.Fatalf("list after overwrite = %q", got)
	}
	put(t, tg, "ow/a", big)
	get(t, tg, "ow/a", big)
}

func targetStatList(t *testing.T, tg backup.Target) {
	sizes := map[string]int{"b/2": 2, "a/1": 1, "b/1": 11, "b/10": 10, "c": 3, "bb": 5, "b/sub/x.json": 7}
	for _, n := range []string{"b/2", "a/1", "b/1", "b/10", "c", "bb", "b/sub/x.json"} {
		put(t, tg, n, randomBytes(sizes[n], 4))
	}
	for _, tt := range []struct {
		prefix string
		want   []string
	}{
		{"", []string{"a/1", "b/1", "b/10", "b/2", "b/sub/x.json", "bb", "c"}},
		{"b/", []string{"b/1", "b/10", "b/2", "b/sub/x.json"}},
		{"b", []string{"b/1", "b/10", "b/2", "b/sub/x.json", "bb"}},
		{"b/1", []string{"b/1", "b/10"}},
		{"b/sub/", []string{"b/sub/x.json"}},
		{"c", []string{"c"}},
		{"none/", []string{}},
		{"d", []string{}},
	} {
		if got := names(t, tg, tt.prefix, sizes); !slices.Equal(got, tt.want) {
			t.Errorf("list %q = %q, want %q", tt.prefix, got, tt.want)
		}
	}
	for n, size := range sizes {
		obj, err := tg.Stat(t.Context(), n)
		if err != nil || obj.Name != n || obj.Size != int64(size) {
			t.Errorf("stat %s = %+v, %v; want %d bytes", n, obj, err, size)
		}
	}
	missing(t, tg, "b/3")
	missing(t, tg, "b") // a prefix of objects is not an object
}

func targetDelete(t *testing.T, tg backup.Target) {
	put(t, tg, "del/a", []byte("a"))
	put(t, tg, "del/b", randomBytes(multiChunk, 5))
	for range 2 { // deleting again is not an error
		if err := tg.Delete(t.Context(), "del/b"); err != nil {
			t.Fatalf("delete del/b: %v", err)
		}
	}
	missing(t, tg, "del/b")
	if got := names(t, tg, "", nil); !slices.Equal(got, []string{"del/a"}) {
		t.Fatalf("list after delete = %q, want [del/a]", got)
	}
	if err := tg.Delete(t.Context(), "never/stored"); err != nil {
		t.Fatalf("delete never/stored: %v", err)
	}
	get(t, tg, "del/a", []byte("a"))
}

// failingReader gives n pseudo-random bytes, then calls then and returns
// its error (or, when it returns nil, goes on giving bytes until end).
type failingReader struct {
	n, end int
	then   func() error
	rng    *rand.ChaCha8
}

func (r *failingReader) Read(p []byte) (int, error) {
	if r.n <= 0 && r.then != nil {
		err := r.then()
		r.then = nil
		if err != nil {
			return 0, err
		}
	}
	limit := r.n
	if limit <= 0 {
		limit = r.end
	}
	if limit <= 0 {
		return 0, io.EOF
	}
	p = p[:min(len(p), limit)]
	_, _ = r.rng.Read(p)
	if r.n > 0 {
		r.n -= len(p)
	} else {
		r.end -= len(p)
	}
	return len(p), nil
}

var errReader = errors.New("sdktest: the reader failed on purpose")

func targetReaderFails(t *testing.T, tg backup.Target) {
	old := []byte("the object that must stay")
	put(t, tg, "rf/kept", old)
	for _, n := range []string{"rf/kept", "rf/new"} {
		r := &failingReader{n: multiChunk / 2, then: func() error { return errReader }, rng: newBytes(6)}
		if obj, err := tg.Put(t.Context(), n, r); err == nil {
			t.Fatalf("put %s with a failing reader = %+v, want an error", n, obj)
		}
	}
	get(t, tg, "rf/kept", old)
	missing(t, tg, "rf/new")
	if got := names(t, tg, "", nil); !slices.Equal(got, []string{"rf/kept"}) {
		t.Fatalf("list after failed puts = %q, want [rf/kept]", got)
	}
}

func targetCancelled(t *testing.T, tg backup.Target) {
	old := []byte("the object that must stay")
	put(t, tg, "cx/kept", old)
	for _, n := range []string{"cx/kept", "cx/new"} {
		ctx, cancel := context.WithCancel(t.Context())
		// The reader cancels halfway and goes on to the end: the
		// target must see ctx ended before it stores the object.
		r := &failingReader{n: multiChunk / 2, end: multiChunk / 2, then: func() error { cancel(); return nil }, rng: newBytes(7)}
		obj, err := tg.Put(ctx, n, r)
		cancel()
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("put %s cancelled halfway = %+v, %v; want an error wrapping context.Canceled", n, obj, err)
		}
	}
	get(t, tg, "cx/kept", old)
	missing(t, tg, "cx/new")
	if got := names(t, tg, "", nil); !slices.Equal(got, []string{"cx/kept"}) {
		t.Fatalf("list after cancelled puts = %q, want [cx/kept]", got)
	}
}

func targetConcurrent(t *testing.T, tg backup.Target) {
	const n = 8
	data := make([][]byte, n)
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		data[i] = randomBytes(backup.ChunkSize/2+i*backup.ChunkSize/4, uint64(10+i))
		wg.Go(func() {
			_, errs[i] = tg.Put(t.Context(), fmt.Sprintf("conc/%d", i), bytes.NewReader(data[i]))
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	sizes := map[string]int{}
	for i := range n {
		get(t, tg, fmt.Sprintf("conc/%d", i), data[i])
		sizes[fmt.Sprintf("conc/%d", i)] = len(data[i])
	}
	if got := names(t, tg, "conc/", sizes); len(got) != n {
		t.Fatalf("list conc/ = %q, want %d objects", got, n)
	}
}

func targetBadNames(t *testing.T, tg backup.Target) {
	bad := []string{"", "/a", "a/", "a//b", ".", "..", "../x", "a/../b", ".hidden", "a/.tmp", "a b", "a\\b", "ü", "a\x00", strings.Repeat("a", backup.MaxNameLen+1)}
	ctx := t.Context()
	for _, n := range bad {
		if _, err := tg.Put(ctx, n, strings.NewReader("x")); !errors.Is(err, backup.ErrBadName) {
			t.Errorf("put %q = %v, want ErrBadName", n, err)
		}
		if rc, err := tg.Get(ctx, n); !errors.Is(err, backup.ErrBadName) {
			if err == nil {
				rc.Close()
			}
			t.Errorf("get %q = %v, want ErrBadName", n, err)
		}
		if _, err := tg.Stat(ctx, n); !errors.Is(err, backup.ErrBadName) {
			t.Errorf("stat %q = %v, want ErrBadName", n, err)
		}
		if err := tg.Delete(ctx, n); !errors.Is(err, backup.ErrBadName) {
			t.Errorf("delete %q = %v, want ErrBadName", n, err)
		}
	}
	for _, p := range []string{"/", "a//", "../", ".x/", "a/./"} {
		if _, err := tg.List(ctx, p); !errors.Is(err, backup.ErrBadName) {
			t.Errorf("list %q = %v, want ErrBadName", p, err)
		}
	}
	if got := names(t, tg, "", nil); len(got) != 0 {
		t.Fatalf("list after refused puts = %q, want nothing", got)
	}
}
