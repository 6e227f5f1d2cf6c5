package backup_test

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"google.golang.org/grpc"

	"github.com/crewplan/crewplan/sdk/backup"
	backupv1 "github.com/crewplan/crewplan/sdk/proto/crewplan/backup/v1"
	pluginv1 "github.com/crewplan/crewplan/sdk/proto/crewplan/plugin/v1"
	"github.com/crewplan/crewplan/sdk/sdktest"
)

// liar is a plugin that answers whatever the test says.
type liar struct {
	backupv1.UnimplementedBackupTargetServiceServer
	info *pluginv1.PluginInfo
	obj  *backupv1.Object
	objs []*backupv1.Object
	get  []*backupv1.GetResponse
}

func (l *liar) Info(context.Context, *pluginv1.InfoRequest) (*pluginv1.InfoResponse, error) {
	return &pluginv1.InfoResponse{Info: l.info}, nil
}

func (l *liar) Put(stream backupv1.BackupTargetService_PutServer) error {
	for {
		if _, err := stream.Recv(); errors.Is(err, io.EOF) {
			return stream.SendAndClose(&backupv1.PutResponse{Object: l.obj})
		} else if err != nil {
			return err
		}
	}
}

func (l *liar) Get(_ *backupv1.GetRequest, stream backupv1.BackupTargetService_GetServer) error {
	for _, m := range l.get {
		if err := stream.Send(m); err != nil {
			return err
		}
	}
	return nil
}

func (l *liar) Stat(context.Context, *backupv1.StatRequest) (*backupv1.StatResponse, error) {
	return &backupv1.StatResponse{Object: l.obj}, nil
}

func (l *liar) List(context.Context, *backupv1.ListRequest) (*backupv1.ListResponse, error) {
	return &backupv1.ListResponse{Objects: l.objs}, nil
}

// liarClient serves l and returns a client named "liar".
func liarClient(t *testing.T, l *liar) *backup.Client {
	cc := dial(t, func(s grpc.ServiceRegistrar) { backupv1.RegisterBackupTargetServiceServer(s, l) })
	return backup.NewClient(cc, "liar")
}

func chunk(b []byte) *backupv1.GetResponse {
	return &backupv1.GetResponse{Part: &backupv1.GetResponse_Data{Data: b}}
}

func trailer(size int64, sum []byte) *backupv1.GetResponse {
	return &backupv1.GetResponse{Part: &backupv1.GetResponse_Trailer{Trailer: &backupv1.Commit{Size: size, Sha256: sum}}}
}

// TestClientGetChecksTrailer: a Get stream that ends without its trailer,
// or whose bytes do not match it, makes the reader fail rather than end.
func TestClientGetChecksTrailer(t *testing.T) {
	abc := []byte("abc")
	tests := []struct {
		name string
		get  []*backupv1.GetResponse
		want string
	}{
		{"no trailer", []*backupv1.GetResponse{chunk(abc)}, "the stream ended after 3 bytes without its trailer"},
		{"wrong size", []*backupv1.GetResponse{chunk(abc), trailer(4, sha(abc))}, "the trailer says 4 bytes, 3 arrived"},
		{"wrong SHA-256", []*backupv1.GetResponse{chunk(abc), trailer(3, sha([]byte("abd")))}, "the trailer's SHA-256"},
		{"chunk too big", []*backupv1.GetResponse{chunk(abc), chunk(make([]byte, backup.ChunkSize+1))}, "a chunk of 1048577 bytes"},
		{"empty message", []*backupv1.GetResponse{chunk(abc), {}}, "an empty message after 3 bytes"},
		{"data after a short trailer", []*backupv1.GetResponse{chunk(abc), trailer(2, sha(abc[:2])), chunk(abc)}, "the trailer says 2 bytes, 3 arrived"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := liarClient(t, &liar{get: tt.get})
			rc, err := c.Get(t.Context(), "x")
			if err != nil {
				t.Fatal(err)
			}
			defer rc.Close()
			b, err := io.ReadAll(rc)
			if !errors.Is(err, backup.ErrBadReply) || !strings.Contains(err.Error(), "backup plugin liar: get x: bad reply: "+tt.want) {
				t.Fatalf("read %q, %v; want ErrBadReply containing %q", b, err, tt.want)
			}
			// The error stays.
			if _, err2 := rc.Read(make([]byte, 1)); !errors.Is(err2, backup.ErrBadReply) {
				t.Fatalf("read after the error = %v", err2)
			}
		})
	}
}

// TestClientGetFirstMessage: a stream whose first message already breaks
// the protocol fails Get itself.
func TestClientGetFirstMessage(t *testing.T) {
	for name, get := range map[string][]*backupv1.GetResponse{
		"nothing":       nil,
		"wrong trailer": {trailer(1, sha(nil))},
		"chunk too big": {chunk(make([]byte, backup.ChunkSize+1))},
	} {
		c := liarClient(t, &liar{get: get})
		if rc, err := c.Get(t.Context(), "x"); !errors.Is(err, backup.ErrBadReply) {
			t.Errorf("%s: Get = %v, %v; want ErrBadReply", name, rc, err)
		}
	}
	c := liarClient(t, &liar{get: []*backupv1.GetResponse{trailer(0, sha(nil))}})
	rc, err := c.Get(t.Context(), "empty")
	if err != nil {
		t.Fatal(err)
	}
	if b, err := io.ReadAll(rc); err != nil || len(b) != 0 {
		t.Fatalf("empty object: read %q, %v", b, err)
	}
}

// TestClientRejectsGarbage: replies that break the protocol give errors
// wrapping ErrBadReply.
func TestClientRejectsGarbage(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		l    *liar
		call func(*backup.Client) error
		want string
	}{
		{"stat: another name", &liar{obj: &backupv1.Object{Name: "y", Size: 1}},
			func(c *backup.Client) error { _, err := c.Stat(ctx, "x"); return err }, `stat x: bad reply: described "y"`},
		{"stat: negative size", &liar{obj: &backupv1.Object{Name: "x", Size: -1}},
			func(c *backup.Client) error { _, err := c.Stat(ctx, "x"); return err }, "negative size -1"},
		{"stat: nothing", &liar{},
			func(c *backup.Client) error { _, err := c.Stat(ctx, "x"); return err }, "no object"},
		{"list: bad name", &liar{objs: []*backupv1.Object{{Name: "../x"}}},
			func(c *backup.Client) error { _, err := c.List(ctx, ""); return err }, "bad object name"},
		{"list: unsorted", &liar{objs: []*backupv1.Object{{Name: "b"}, {Name: "a"}}},
			func(c *backup.Client) error { _, err := c.List(ctx, ""); return err }, `not sorted by name: "b" before "a"`},
		{"list: twice", &liar{objs: []*backupv1.Object{{Name: "a"}, {Name: "a"}}},
			func(c *backup.Client) error { _, err := c.List(ctx, ""); return err }, "not sorted"},
		{"list: outside the prefix", &liar{objs: []*backupv1.Object{{Name: "b/1"}}},
			func(c *backup.Client) error { _, err := c.List(ctx, "a/"); return err }, `does not start with the prefix "a/"`},
		{"list: negative size", &liar{objs: []*backupv1.Object{{Name: "a", Size: -5}}},
			func(c *backup.Client) error { _, err := c.List(ctx, ""); return err }, "negative size"},
		{"put: wrong size", &liar{obj: &backupv1.Object{Name: "x", Size: 2}},
			func(c *backup.Client) error { _, err := c.Put(ctx, "x", strings.NewReader("abc")); return err }, "stored \"x\" of 2 bytes, sent 3 bytes"},
		{"info: wrong type", &liar{info: &pluginv1.PluginInfo{Type: "rule", Name: "x", ApiVersions: []int32{1}}},
			func(c *backup.Client) error { _, err := c.Info(ctx); return err }, `type "rule", want "backup"`},
		{"info: no versions", &liar{info: &pluginv1.PluginInfo{Type: "backup", Name: "x"}},
			func(c *backup.Client) error { _, err := c.Info(ctx); return err }, "no API versions"},
		{"info: another version", &liar{info: &pluginv1.PluginInfo{Type: "backup", Name: "x", ApiVersions: []int32{2}}},
			func(c *backup.Client) error { _, err := c.Info(ctx); return err }, "none is 1"},
		{"info: bad name", &liar{info: &pluginv1.PluginInfo{Type: "backup", Name: "X Y", ApiVersions: []int32{1}}},
			func(c *backup.Client) error { _, err := c.Info(ctx); return err }, "is not lowercase"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call(liarClient(t, tt.l))
			if !errors.Is(err, backup.ErrBadReply) || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "backup plugin liar: ") {
				t.Fatalf("got %v; want ErrBadReply containing %q", err, tt.want)
			}
		})
	}
}

// TestClientPutReaderFails: a failing reader abandons the upload; the
// error wraps the reader's.
func TestClientPutReaderFails(t *testing.T) {
	mem := newMem()
	c := sdktest.ServeTargetInProcessGRPC(t, mem)
	errDisk := errors.New("read snapshot: I/O error")
	r := io.MultiReader(strings.NewReader(strings.Repeat("x", 3*backup.ChunkSize/2)), iotestErrReader{errDisk})
	if _, err := c.Put(t.Context(), "a", r); !errors.Is(err, errDisk) || !strings.HasPrefix(err.Error(), "backup plugin backup-memory: put a: read after 1572864 bytes: ") {
		t.Fatalf("Put = %v, want the reader's error", err)
	}
}
