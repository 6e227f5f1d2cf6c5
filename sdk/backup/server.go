package backup

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"

	goplugin "github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/crewplan/crewplan/sdk/plugin"
	backupv1 "github.com/crewplan/crewplan/sdk/proto/crewplan/backup/v1"
	pluginv1 "github.com/crewplan/crewplan/sdk/proto/crewplan/plugin/v1"
)

// Serve runs t as a backup-target plugin process: it is all a plugin's
// main needs. It speaks gRPC through go-plugin with crewplan's handshake,
// serves every backup API version this SDK knows (VersionedPlugins), and
// returns only when the host is done with the plugin. Run by hand, without
// the host, it says so on stderr and exits with status 1.
//
// Nothing may write to stdout before Serve; log with plugin.Logger().
func Serve(t Target) {
	goplugin.Serve(&goplugin.ServeConfig{
		HandshakeConfig:  plugin.Handshake(),
		VersionedPlugins: servedPlugins(t),
		GRPCServer:       plugin.NewGRPCServer,
		Logger:           plugin.HCLogAdapter(plugin.Logger()),
	})
}

// GRPCPlugin is the go-plugin plugin of backup-target plugins, over gRPC
// only. In a plugin process Serve sets Impl; on the host,
// VersionedPlugins sets Name.
type GRPCPlugin struct {
	goplugin.NetRPCUnsupportedPlugin
	// Impl is the target a plugin process serves.
	Impl Target
	// Name names the plugin in the host's errors (its file name or its
	// configured name).
	Name string
}

var _ goplugin.GRPCPlugin = (*GRPCPlugin)(nil)

// GRPCServer registers the target's service (plugin side).
func (p *GRPCPlugin) GRPCServer(_ *goplugin.GRPCBroker, s *grpc.Server) error {
	RegisterServer(s, p.Impl)
	return nil
}

// GRPCClient returns a *Client (host side).
func (p *GRPCPlugin) GRPCClient(_ context.Context, _ *goplugin.GRPCBroker, cc *grpc.ClientConn) (any, error) {
	return NewClient(cc, p.Name), nil
}

// VersionedPlugins are the plugin sets the host gives go-plugin's
// ClientConfig.VersionedPlugins, by backup API version; name names the
// plugin in errors. The value dispensed for PluginName is a *Client, which
// implements Target.
func VersionedPlugins(name string) map[int]goplugin.PluginSet {
	return map[int]goplugin.PluginSet{
		APIVersion: {PluginName: &GRPCPlugin{Name: name}},
	}
}

// servedPlugins are the plugin sets a plugin serves, by backup API
// version.
func servedPlugins(t Target) map[int]goplugin.PluginSet {
	return map[int]goplugin.PluginSet{
		APIVersion: {PluginName: &GRPCPlugin{Impl: t}},
	}
}

// RegisterServer registers t's gRPC service on s. Serve does it through
// go-plugin; tests and harnesses that run their own gRPC server use it.
//
// The server checks every name and prefix before it reaches t
// (codes.InvalidArgument), hands t.Put a reader that fails unless the
// stream ends with a commit matching the bytes received, and checks what
// t answers (codes.Internal when t breaks the contract).
func RegisterServer(s grpc.ServiceRegistrar, t Target) {
	backupv1.RegisterBackupTargetServiceServer(s, &server{t: t})
}

// server is the gRPC face of a Target in the plugin process.
type server struct {
	backupv1.UnimplementedBackupTargetServiceServer
	t Target
}

func (s *server) Info(ctx context.Context, _ *pluginv1.InfoRequest) (*pluginv1.InfoResponse, error) {
	info, err := s.t.Info(ctx)
	if err != nil {
		return nil, status.Error(codes.Internal, fmt.Sprintf("info: %v", err))
	}
	return &pluginv1.InfoResponse{Info: plugin.EncodeInfo(info)}, nil
}

func (s *server) Configure(ctx context.Context, req *pluginv1.ConfigureRequest) (*pluginv1.ConfigureResponse, error) {
	if err := s.t.Configure(ctx, req.GetConfig()); err != nil {
		if errors.Is(err, plugin.ErrBadConfig) {
			return nil, status.Error(codes.InvalidArgument, err.Error())
		}
		return nil, status.Error(codes.Internal, err.Error())
	}
	return &pluginv1.ConfigureResponse{}, nil
}

func (s *server) Put(stream backupv1.BackupTargetService_PutServer) error {
	ctx := stream.Context()
	first, err := stream.Recv()
	if err != nil {
		return recvStatus(err, "no header")
	}
	h := first.GetHeader()
	if h == nil {
		return status.Error(codes.InvalidArgument, "the first message is not a header")
	}
	name := h.GetName()
	if err := ValidName(name); err != nil {
		return status.Error(codes.InvalidArgument, err.Error())
	}
	r := &putReader{stream: stream, chunks: chunks{sum: sha256.New()}}
	obj, err := s.t.Put(ctx, name, r)
	if r.err != nil {
		// The stream broke: whatever the target answered, it saw a
		// reader error and stored nothing.
		return r.err
	}
	if err != nil {
		return statusOf(ctx, err)
	}
	if !r.done {
		return status.Error(codes.Internal, "target answered wrongly: it stored the object before the end of its bytes")
	}
	if err := validObject(obj); err != nil {
		return status.Error(codes.Internal, fmt.Sprintf("target answered wrongly: %v", err))
	}
	if obj.Name != name || obj.Size != r.n {
		return status.Error(codes.Internal, fmt.Sprintf("target answered wrongly: stored %q of %d bytes, sent %q of %d bytes", obj.Name, obj.Size, name, r.n))
	}
	return stream.SendAndClose(&backupv1.PutResponse{Object: encodeObject(obj)})
}

// putReader reads a Put stream's data chunks for Target.Put. It returns
// io.EOF only after a commit whose size and SHA-256 match the bytes
// received; a stream that ends otherwise (the host died, cancelled, sent
// a commit that does not match) gives an error, so the target discards
// the object.
type putReader struct {
	stream backupv1.BackupTargetService_PutServer
	// chunks' err is the stream's failure, a gRPC status error.
	chunks
}

func (r *putReader) Read(p []byte) (int, error) { return r.read(p, r.next) }

// next receives the stream's next message.
func (r *putReader) next() error {
	msg, err := r.stream.Recv()
	if err != nil {
		return recvStatus(err, fmt.Sprintf("the stream ended after %d bytes without a commit", r.n))
	}
	switch part := msg.GetPart().(type) {
	case *backupv1.PutRequest_Data:
		if len(part.Data) > ChunkSize {
			return status.Error(codes.InvalidArgument, fmt.Sprintf("a chunk of %d bytes, at most %d", len(part.Data), ChunkSize))
		}
		r.buf = part.Data
		r.n += int64(len(part.Data))
		r.sum.Write(part.Data)
		return nil
	case *backupv1.PutRequest_Commit:
		c := part.Commit
		if c.GetSize() != r.n {
			return status.Error(codes.DataLoss, fmt.Sprintf("the commit says %d bytes, %d arrived", c.GetSize(), r.n))
		}
		if sum := r.sum.Sum(nil); !bytes.Equal(c.GetSha256(), sum) {
			return status.Error(codes.DataLoss, fmt.Sprintf("the commit's SHA-256 is %x, the bytes' %x", c.GetSha256(), sum))
		}
		r.done = true
		return nil
	case *backupv1.PutRequest_Header:
		return status.Error(codes.InvalidArgument, "a second header")
	default:
		return status.Error(codes.InvalidArgument, "an empty message")
	}
}

// recvStatus is the status of a failed Recv on a server stream: the
// stream's own (cancelled, deadline) or, when the client closed it early,
// InvalidArgument with msg. It is never io.EOF.
func recvStatus(err error, msg string) error {
	if errors.Is(err, io.EOF) {
		return status.Error(codes.InvalidArgument, msg)
	}
	if _, ok := status.FromError(err); ok {
		return err
	}
	return status.Error(codes.Unknown, fmt.Sprintf("%s: %v", msg, err))
}

func (s *server) Get(req *backupv1.GetRequest, stream backupv1.BackupTargetService_GetServer) error {
	ctx := stream.Context()
	name := req.GetName()
	if err := ValidName(name); err != nil {
		return status.Error(codes.InvalidArgument, err.Error())
	}
	rc, err := s.t.Get(ctx, name)
	if err != nil {
		return statusOf(ctx, err)
	}
	defer rc.Close()
	sum := sha256.New()
	var n int64
	for {
		// A new buffer each time: gRPC may hold a message after Send.
		buf := make([]byte, ChunkSize)
		k, err := io.ReadFull(rc, buf)
		if k > 0 {
			sum.Write(buf[:k])
			n += int64(k)
			if err := stream.Send(&backupv1.GetResponse{Part: &backupv1.GetResponse_Data{Data: buf[:k]}}); err != nil {
				return err
			}
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			break
		}
		if err != nil {
			return statusOf(ctx, fmt.Errorf("read after %d bytes: %w", n, err))
		}
	}
	trailer := &backupv1.Commit{Size: n, Sha256: sum.Sum(nil)}
	return stream.Send(&backupv1.GetResponse{Part: &backupv1.GetResponse_Trailer{Trailer: trailer}})
}

func (s *server) Stat(ctx context.Context, req *backupv1.StatRequest) (*backupv1.StatResponse, error) {
	name := req.GetName()
	if err := ValidName(name); err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	obj, err := s.t.Stat(ctx, name)
	if err != nil {
		return nil, statusOf(ctx, err)
	}
	if err := validObject(obj); err != nil || obj.Name != name {
		return nil, status.Error(codes.Internal, fmt.Sprintf("target answered wrongly: %+v for %q (%v)", obj, name, err))
	}
	return &backupv1.StatResponse{Object: encodeObject(obj)}, nil
}

func (s *server) List(ctx context.Context, req *backupv1.ListRequest) (*backupv1.ListResponse, error) {
	prefix := req.GetPrefix()
	if err := ValidPrefix(prefix); err != nil {
		return nil, status.Error(codes.InvalidArgument, fmt.Sprintf("prefix: %v", err))
	}
	objs, err := list(ctx, s.t, prefix)
	if err != nil {
		return nil, statusOf(ctx, err)
	}
	resp := &backupv1.ListResponse{Objects: make([]*backupv1.Object, len(objs))}
	for i, o := range objs {
		resp.Objects[i] = encodeObject(o)
	}
	return resp, nil
}

// list runs t.List and checks the answer; an answer that breaks the
// contract gives an error wrapping errBroken.
func list(ctx context.Context, t Target, prefix string) ([]Object, error) {
	objs, err := t.List(ctx, prefix)
	if err != nil {
		return nil, err
	}
	if err := validList(objs, prefix); err != nil {
		return nil, fmt.Errorf("%w: %w", errBroken, err)
	}
	return objs, nil
}

// errBroken is wrapped by the errors about a Target's answer that breaks
// the contract, in the plugin process (codes.Internal).
var errBroken = errors.New("target answered wrongly")

func (s *server) Delete(ctx context.Context, req *backupv1.DeleteRequest) (*backupv1.DeleteResponse, error) {
	name := req.GetName()
	if err := ValidName(name); err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	if err := s.t.Delete(ctx, name); err != nil {
		return nil, statusOf(ctx, err)
	}
	return &backupv1.DeleteResponse{}, nil
}

func (s *server) SelfTest(ctx context.Context, _ *backupv1.SelfTestRequest) (*backupv1.SelfTestResponse, error) {
	if err := selfTest(ctx, s.t); err != nil {
		return nil, statusOf(ctx, err)
	}
	return &backupv1.SelfTestResponse{}, nil
}

// selfTest checks that t describes itself as a backup target, then runs
// its SelfTest, or lists all its objects.
func selfTest(ctx context.Context, t Target) error {
	info, err := t.Info(ctx)
	if err != nil {
		return fmt.Errorf("info: %w", err)
	}
	if err := info.Check(plugin.TypeBackup, APIVersion); err != nil {
		return fmt.Errorf("info: %w: %w", errBroken, err)
	}
	if st, ok := t.(SelfTester); ok {
		return st.SelfTest(ctx)
	}
	if _, err := list(ctx, t, ""); err != nil {
		return fmt.Errorf("list: %w", err)
	}
	return nil
}

// statusOf is the gRPC status error of err, a Target's error: the
// contract's errors become their codes (see the errors' docs), a context
// that ended its code, anything else codes.Internal.
func statusOf(ctx context.Context, err error) error {
	code := codes.Internal
	switch {
	case errors.Is(err, ErrNotFound):
		code = codes.NotFound
	case errors.Is(err, ErrFull):
		code = codes.ResourceExhausted
	case errors.Is(err, ErrUnavailable):
		code = codes.Unavailable
	case errors.Is(err, ErrBadName):
		code = codes.InvalidArgument
	case errors.Is(err, context.Canceled) && ctx.Err() != nil:
		code = codes.Canceled
	case errors.Is(err, context.DeadlineExceeded) && ctx.Err() != nil:
		code = codes.DeadlineExceeded
	}
	return status.Error(code, err.Error())
}
