package backup_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"strings"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"

	"github.com/crewplan/crewplan/sdk/backup"
	"github.com/crewplan/crewplan/sdk/plugin"
	backupv1 "github.com/crewplan/crewplan/sdk/proto/crewplan/backup/v1"
	"github.com/crewplan/crewplan/sdk/sdktest"
)

// dial serves srv (registered by register) on an in-memory gRPC
// connection and returns the connection.
func dial(t *testing.T, register func(grpc.ServiceRegistrar)) *grpc.ClientConn {
	t.Helper()
	ln := bufconn.Listen(1 << 20)
	s := plugin.NewGRPCServer(nil)
	register(s)
	go func() { _ = s.Serve(ln) }()
	opts := append([]grpc.DialOption{
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return ln.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()),
	}, plugin.DialOptions()...)
	cc, err := grpc.NewClient("passthrough:///test", opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cc.Close(); s.Stop() })
	return cc
}

// rawClient serves tg with the SDK's server and returns a raw gRPC client
// of it, which can break the protocol.
func rawClient(t *testing.T, tg backup.Target) backupv1.BackupTargetServiceClient {
	t.Helper()
	cc := dial(t, func(s grpc.ServiceRegistrar) { backup.RegisterServer(s, tg) })
	return backupv1.NewBackupTargetServiceClient(cc)
}

// watched is a Target whose Put closes reading once it read some bytes
// and reports on done when it returns.
type watched struct {
	backup.Target
	reading chan struct{}
	done    chan error
}

func (w *watched) Put(ctx context.Context, name string, r io.Reader) (backup.Object, error) {
	obj, err := w.Target.Put(ctx, name, &firstRead{r: r, c: w.reading})
	w.done <- err
	return obj, err
}

// firstRead closes c after its first read of some bytes.
type firstRead struct {
	r io.Reader
	c chan struct{}
}

func (f *firstRead) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	if n > 0 && f.c != nil {
		close(f.c)
		f.c = nil
	}
	return n, err
}

func header(name string) *backupv1.PutRequest {
	return &backupv1.PutRequest{Part: &backupv1.PutRequest_Header{Header: &backupv1.PutHeader{Name: name}}}
}

func data(b []byte) *backupv1.PutRequest {
	return &backupv1.PutRequest{Part: &backupv1.PutRequest_Data{Data: b}}
}

func commit(size int64, sum []byte) *backupv1.PutRequest {
	return &backupv1.PutRequest{Part: &backupv1.PutRequest_Commit{Commit: &backupv1.Commit{Size: size, Sha256: sum}}}
}

func sha(b []byte) []byte { s := sha256.Sum256(b); return s[:] }

// TestServerPutNeedsCommit: a Put stream that does not end with a commit
// matching its bytes stores nothing, and an object of that name stays.
func TestServerPutNeedsCommit(t *testing.T) {
	payload := bytes.Repeat([]byte("backup "), 200000) // 1.4 MB: two chunks
	tests := []struct {
		name string
		msgs []*backupv1.PutRequest
		code codes.Code
		want string
	}{
		{"closed without commit", []*backupv1.PutRequest{header("kept"), data(payload[:backup.ChunkSize]), data(payload[backup.ChunkSize:])},
			codes.InvalidArgument, "ended after 1400000 bytes without a commit"},
		{"closed after the header", []*backupv1.PutRequest{header("kept")}, codes.InvalidArgument, "without a commit"},
		{"wrong SHA-256", []*backupv1.PutRequest{header("kept"), data(payload[:10]), commit(10, sha(payload[:11]))},
			codes.DataLoss, "SHA-256"},
		{"no SHA-256", []*backupv1.PutRequest{header("kept"), data(payload[:10]), commit(10, nil)}, codes.DataLoss, "SHA-256"},
		{"wrong size", []*backupv1.PutRequest{header("kept"), data(payload[:10]), commit(11, sha(payload[:10]))},
			codes.DataLoss, "the commit says 11 bytes, 10 arrived"},
		{"chunk too big", []*backupv1.PutRequest{header("kept"), data(make([]byte, backup.ChunkSize+1))},
			codes.InvalidArgument, "a chunk of 1048577 bytes"},
		{"second header", []*backupv1.PutRequest{header("kept"), header("other")}, codes.InvalidArgument, "a second header"},
		{"empty message", []*backupv1.PutRequest{header("kept"), {}}, codes.InvalidArgument, "an empty message"},
		{"no header", []*backupv1.PutRequest{data(payload[:10]), commit(10, sha(payload[:10]))},
			codes.InvalidArgument, "the first message is not a header"},
		{"nothing", nil, codes.InvalidArgument, "no header"},
		{"bad name", []*backupv1.PutRequest{header("../kept"), data(payload[:10]), commit(10, sha(payload[:10]))},
			codes.InvalidArgument, "bad object name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mem := newMem()
			if _, err := mem.Put(t.Context(), "kept", strings.NewReader("old")); err != nil {
				t.Fatal(err)
			}
			c := rawClient(t, mem)
			stream, err := c.Put(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range tt.msgs {
				if err := stream.Send(m); err != nil {
					break // the server ended the stream; CloseAndRecv says why
				}
			}
			resp, err := stream.CloseAndRecv()
			if status.Code(err) != tt.code || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Put = %v, %v; want %v containing %q", resp, err, tt.code, tt.want)
			}
			if got := mem.names(); !slices.Equal(got, []string{"kept"}) {
				t.Fatalf("objects %q, want [kept]", got)
			}
			if b, _ := io.ReadAll(must(mem.Get(t.Context(), "kept"))); string(b) != "old" {
				t.Fatalf("kept = %q, want the old object", b)
			}
		})
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestServerPutHostDies: a host that goes away mid-upload (its stream
// cancelled) leaves no object.
func TestServerPutHostDies(t *testing.T) {
	mem := newMem()
	w := &watched{Target: mem, reading: make(chan struct{}), done: make(chan error, 1)}
	c := rawClient(t, w)
	ctx, cancel := context.WithCancel(t.Context())
	stream, err := c.Put(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := stream.Send(header("half")); err != nil {
		t.Fatal(err)
	}
	if err := stream.Send(data(make([]byte, backup.ChunkSize))); err != nil {
		t.Fatal(err)
	}
	<-w.reading // the target is storing the object
	cancel()
	if err := <-w.done; err == nil {
		t.Fatal("the target's Put succeeded on a cancelled stream")
	}
	if got := mem.names(); len(got) != 0 {
		t.Fatalf("objects %q after a cancelled upload, want none", got)
	}
}

// TestServerPutCommit: a well-formed stream, chunk by chunk, is stored.
func TestServerPutCommit(t *testing.T) {
	mem := newMem()
	c := rawClient(t, mem)
	stream, err := c.Put(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []*backupv1.PutRequest{header("a/b"), data([]byte("hello, ")), data(nil), data([]byte("world")), commit(12, sha([]byte("hello, world")))} {
		if err := stream.Send(m); err != nil {
			t.Fatal(err)
		}
	}
	resp, err := stream.CloseAndRecv()
	if err != nil || resp.GetObject().GetName() != "a/b" || resp.GetObject().GetSize() != 12 || resp.GetObject().GetModified() == nil {
		t.Fatalf("Put = %v, %v", resp, err)
	}
	if b, _ := io.ReadAll(must(mem.Get(t.Context(), "a/b"))); string(b) != "hello, world" {
		t.Fatalf("stored %q", b)
	}
}

// spy is a Target that records whether it was called.
type spy struct {
	memTarget
	called bool
}

func (s *spy) Get(ctx context.Context, name string) (io.ReadCloser, error) {
	s.called = true
	return s.memTarget.Get(ctx, name)
}

func (s *spy) Stat(ctx context.Context, name string) (backup.Object, error) {
	s.called = true
	return s.memTarget.Stat(ctx, name)
}

func (s *spy) List(ctx context.Context, prefix string) ([]backup.Object, error) {
	s.called = true
	return s.memTarget.List(ctx, prefix)
}

func (s *spy) Delete(ctx context.Context, name string) error {
	s.called = true
	return s.memTarget.Delete(ctx, name)
}

// TestServerChecksNames: bad names never reach the Target.
func TestServerChecksNames(t *testing.T) {
	s := &spy{memTarget: *newMem()}
	c := rawClient(t, s)
	ctx := t.Context()
	for _, name := range []string{"", "../etc/passwd", "a//b", ".tmp", "a/", "/abs"} {
		calls := map[string]error{}
		_, calls["stat"] = c.Stat(ctx, &backupv1.StatRequest{Name: name})
		_, calls["delete"] = c.Delete(ctx, &backupv1.DeleteRequest{Name: name})
		if stream, err := c.Get(ctx, &backupv1.GetRequest{Name: name}); err != nil {
			calls["get"] = err
		} else {
			_, calls["get"] = stream.Recv()
		}
		for op, err := range calls {
			if status.Code(err) != codes.InvalidArgument || !strings.Contains(err.Error(), "bad object name") {
				t.Errorf("%s %q = %v, want InvalidArgument", op, name, err)
			}
		}
	}
	for _, prefix := range []string{"/", "a//", "../", ".x"} {
		if _, err := c.List(ctx, &backupv1.ListRequest{Prefix: prefix}); status.Code(err) != codes.InvalidArgument {
			t.Errorf("list %q = %v, want InvalidArgument", prefix, err)
		}
	}
	if s.called {
		t.Fatal("a bad name reached the target")
	}
}

// failing is a Target whose calls fail with err.
type failing struct {
	memTarget
	err error
}

func (f *failing) Put(ctx context.Context, name string, r io.Reader) (backup.Object, error) {
	_, _ = io.Copy(io.Discard, r)
	return backup.Object{}, f.err
}
func (f *failing) Get(context.Context, string) (io.ReadCloser, error) { return nil, f.err }
func (f *failing) Stat(context.Context, string) (backup.Object, error) {
	return backup.Object{}, f.err
}
func (f *failing) List(context.Context, string) ([]backup.Object, error) { return nil, f.err }
func (f *failing) Delete(context.Context, string) error                  { return f.err }
func (f *failing) SelfTest(context.Context) error                        { return f.err }
func (f *failing) Configure(context.Context, []byte) error               { return f.err }

// TestErrorsCrossGRPC: the contract's errors reach the host as
// themselves, with their status codes, naming the plugin and the call.
func TestErrorsCrossGRPC(t *testing.T) {
	tests := []struct {
		err  error
		is   error
		code codes.Code
	}{
		{backup.ErrNotFound, backup.ErrNotFound, codes.NotFound},
		{fmt.Errorf("disk /mnt/backup: %w", backup.ErrFull), backup.ErrFull, codes.ResourceExhausted},
		{fmt.Errorf("share not mounted: %w", backup.ErrUnavailable), backup.ErrUnavailable, codes.Unavailable},
		{fmt.Errorf("no: %w", backup.ErrBadName), backup.ErrBadName, codes.InvalidArgument},
		{errors.New("disk on fire"), nil, codes.Internal},
	}
	for _, tt := range tests {
		t.Run(tt.code.String(), func(t *testing.T) {
			c := sdktest.ServeTargetInProcessGRPC(t, &failing{memTarget: *newMem(), err: tt.err})
			ctx := t.Context()
			_, putErr := c.Put(ctx, "x/y", strings.NewReader("data"))
			_, getErr := c.Get(ctx, "x/y")
			_, statErr := c.Stat(ctx, "x/y")
			_, listErr := c.List(ctx, "x/")
			for op, err := range map[string]error{
				"put x/y":    putErr,
				"get x/y":    getErr,
				"stat x/y":   statErr,
				`list "x/"`:  listErr,
				"delete x/y": c.Delete(ctx, "x/y"),
				"self-test":  c.SelfTest(ctx),
			} {
				prefix := "backup plugin backup-memory: " + op + ": "
				if err == nil || !strings.HasPrefix(err.Error(), prefix) || !strings.Contains(err.Error(), tt.err.Error()) {
					t.Errorf("%s = %v, want %q + %q", op, err, prefix, tt.err)
				}
				if tt.is != nil && !errors.Is(err, tt.is) {
					t.Errorf("%s = %v, not errors.Is %v", op, err, tt.is)
				}
				if status.Code(err) != tt.code {
					t.Errorf("%s: code %v, want %v", op, status.Code(err), tt.code)
				}
			}
		})
	}
}

func TestConfigureCrossesGRPC(t *testing.T) {
	c := sdktest.ServeTargetInProcessGRPC(t, newMem())
	err := c.Configure(t.Context(), []byte(`{"dir": "/x"}`))
	if !errors.Is(err, plugin.ErrBadConfig) || !strings.Contains(err.Error(), `unknown field "dir"`) {
		t.Fatalf("Configure = %v, want ErrBadConfig naming the field", err)
	}
	c = sdktest.ServeTargetInProcessGRPC(t, &failing{memTarget: *newMem(), err: errors.New("cannot reach the bucket")})
	err = c.Configure(t.Context(), nil)
	if err == nil || errors.Is(err, plugin.ErrBadConfig) || status.Code(err) != codes.Internal {
		t.Fatalf("Configure = %v, want an Internal error", err)
	}
}

// infoOnly answers Info and Configure as memTarget does, and has no
// SelfTest.
type infoOnly struct{}

func (infoOnly) Info(ctx context.Context) (plugin.Info, error) { return newMem().Info(ctx) }
func (infoOnly) Configure(context.Context, []byte) error       { return nil }

// wrong is a Target that answers what breaks the contract.
type wrong struct {
	infoOnly
	obj  backup.Object
	objs []backup.Object
	r    io.Reader
}

func (w *wrong) Put(context.Context, string, io.Reader) (backup.Object, error) { return w.obj, nil }
func (w *wrong) Stat(context.Context, string) (backup.Object, error)           { return w.obj, nil }
func (w *wrong) List(context.Context, string) ([]backup.Object, error)         { return w.objs, nil }
func (w *wrong) Get(context.Context, string) (io.ReadCloser, error)            { return io.NopCloser(w.r), nil }
func (w *wrong) Delete(context.Context, string) error                          { return nil }

// TestServerChecksTarget: the server refuses to pass on what a Target
// answers wrongly (codes.Internal), and a Get whose reader fails ends
// without a trailer, so the host's reader fails.
func TestServerChecksTarget(t *testing.T) {
	ctx := t.Context()
	c := sdktest.ServeTargetInProcessGRPC(t, &wrong{obj: backup.Object{Name: "other", Size: 3}})
	if _, err := c.Put(ctx, "x", strings.NewReader("abc")); status.Code(err) != codes.Internal || !strings.Contains(err.Error(), "before the end of its bytes") {
		t.Errorf("Put of a target that did not read = %v", err)
	}
	if _, err := c.Stat(ctx, "x"); status.Code(err) != codes.Internal {
		t.Errorf("Stat answering another name = %v", err)
	}
	c = sdktest.ServeTargetInProcessGRPC(t, &wrong{objs: []backup.Object{{Name: "b"}, {Name: "a"}}})
	if _, err := c.List(ctx, ""); status.Code(err) != codes.Internal || !strings.Contains(err.Error(), "not sorted") {
		t.Errorf("List unsorted = %v", err)
	}
	if err := c.SelfTest(ctx); status.Code(err) != codes.Internal {
		t.Errorf("SelfTest listing unsorted = %v", err)
	}
	c = sdktest.ServeTargetInProcessGRPC(t, &wrong{objs: []backup.Object{{Name: "a", Size: -1}}})
	if _, err := c.List(ctx, ""); status.Code(err) != codes.Internal || !strings.Contains(err.Error(), "negative size") {
		t.Errorf("List with a negative size = %v", err)
	}
	c = sdktest.ServeTargetInProcessGRPC(t, &wrong{objs: []backup.Object{{Name: "b/x"}}})
	if _, err := c.List(ctx, "a/"); status.Code(err) != codes.Internal || !strings.Contains(err.Error(), "prefix") {
		t.Errorf("List outside the prefix = %v", err)
	}

	broken := io.MultiReader(bytes.NewReader(make([]byte, backup.ChunkSize+10)), iotestErrReader{errors.New("disk read error")})
	c = sdktest.ServeTargetInProcessGRPC(t, &wrong{r: broken})
	rc, err := c.Get(ctx, "x")
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err == nil || !strings.Contains(err.Error(), "disk read error") || status.Code(err) != codes.Internal {
		t.Fatalf("Get of a failing reader read %d bytes, %v; want an error", len(b), err)
	}
}

type iotestErrReader struct{ err error }

func (r iotestErrReader) Read([]byte) (int, error) { return 0, r.err }
