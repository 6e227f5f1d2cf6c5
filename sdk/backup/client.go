package backup

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/crewplan/crewplan/sdk/plugin"
	backupv1 "github.com/crewplan/crewplan/sdk/proto/crewplan/backup/v1"
	pluginv1 "github.com/crewplan/crewplan/sdk/proto/crewplan/plugin/v1"
)

// ErrBadReply is wrapped by the errors about a plugin reply that breaks
// the protocol: an invalid object name, a negative size, a list out of
// order, a Get stream that ends without its trailer or whose bytes do not
// match it.
var ErrBadReply = errors.New("bad reply")

// Client is a backup-target plugin seen from the host: it implements
// Target over gRPC and checks every reply (ErrBadReply). Its errors name
// the plugin and wrap the contract's errors (errors.Is(err, ErrNotFound)
// holds across gRPC) and the gRPC status (status.Code(err)). A call to a
// dead plugin process fails with codes.Unavailable, which also wraps
// ErrUnavailable; the host tells the two apart with go-plugin's
// Client.Exited, restarts the plugin and retries.
type Client struct {
	name string
	rpc  backupv1.BackupTargetServiceClient
}

var (
	_ Target     = (*Client)(nil)
	_ SelfTester = (*Client)(nil)
)

// NewClient returns a client of the backup-target plugin served on cc;
// name names it in errors.
func NewClient(cc grpc.ClientConnInterface, name string) *Client {
	if name == "" {
		name = "(unnamed)"
	}
	return &Client{name: name, rpc: backupv1.NewBackupTargetServiceClient(cc)}
}

// Name returns the name the client's errors give the plugin.
func (c *Client) Name() string { return c.name }

func (c *Client) errorf(op string, err error) error {
	return fmt.Errorf("backup plugin %s: %s: %w", c.name, op, err)
}

// badReply is an error about a reply that breaks the protocol.
func (c *Client) badReply(op string, format string, args ...any) error {
	return c.errorf(op, fmt.Errorf("%w: %s", ErrBadReply, fmt.Sprintf(format, args...)))
}

// Info asks the plugin to describe itself and checks the answer: a backup
// type, a valid name, API versions including APIVersion.
func (c *Client) Info(ctx context.Context) (plugin.Info, error) {
	resp, err := c.rpc.Info(ctx, &pluginv1.InfoRequest{}, plugin.CallOptions()...)
	if err != nil {
		return plugin.Info{}, c.errorf("info", callError(ctx, err))
	}
	info, err := plugin.DecodeInfo(resp.GetInfo(), plugin.TypeBackup, APIVersion)
	if err != nil {
		return plugin.Info{}, c.errorf("info", fmt.Errorf("%w: %w", ErrBadReply, err))
	}
	return info, nil
}

// Configure hands the plugin its configuration. A configuration the plugin
// refused gives an error wrapping plugin.ErrBadConfig.
func (c *Client) Configure(ctx context.Context, raw []byte) error {
	_, err := c.rpc.Configure(ctx, &pluginv1.ConfigureRequest{Config: raw}, plugin.CallOptions()...)
	if err != nil {
		if s, ok := status.FromError(err); ok && s.Code() == codes.InvalidArgument {
			return c.errorf("configure", fmt.Errorf("%w: %s", plugin.ErrBadConfig, s.Message()))
		}
		return c.errorf("configure", callError(ctx, err))
	}
	return nil
}

// Put streams the bytes of r to the plugin in chunks of ChunkSize — it
// never holds more than a chunk — and commits them with their size and
// SHA-256, which the plugin checks before it stores the object. When r
// fails or ctx ends, Put abandons the stream without a commit, and the
// plugin stores nothing; the error wraps r's or ctx's.
func (c *Client) Put(ctx context.Context, name string, r io.Reader) (Object, error) {
	op := "put " + name
	if err := ValidName(name); err != nil {
		return Object{}, c.errorf(op, err)
	}
	// Cancelling the stream is how a Put is abandoned: the plugin's
	// reader then fails.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stream, err := c.rpc.Put(ctx, plugin.CallOptions()...)
	if err != nil {
		return Object{}, c.errorf(op, callError(ctx, err))
	}
	send := func(m *backupv1.PutRequest) error {
		err := stream.Send(m)
		if errors.Is(err, io.EOF) {
			// The plugin ended the stream; its status says why.
			if _, err = stream.CloseAndRecv(); err == nil {
				return fmt.Errorf("%w: the plugin answered before the commit", ErrBadReply)
			}
		}
		if err != nil {
			return callError(ctx, err)
		}
		return nil
	}
	if err := send(&backupv1.PutRequest{Part: &backupv1.PutRequest_Header{Header: &backupv1.PutHeader{Name: name}}}); err != nil {
		return Object{}, c.errorf(op, err)
	}
	sum := sha256.New()
	var n int64
	for {
		if err := ctx.Err(); err != nil {
			return Object{}, c.errorf(op, fmt.Errorf("after %d bytes: %w", n, err))
		}
		// A new buffer each time: gRPC may hold a message after Send.
		buf := make([]byte, ChunkSize)
		k, err := io.ReadFull(r, buf)
		if k > 0 {
			sum.Write(buf[:k])
			n += int64(k)
			if err := send(&backupv1.PutRequest{Part: &backupv1.PutRequest_Data{Data: buf[:k]}}); err != nil {
				return Object{}, c.errorf(op, err)
			}
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			break
		}
		if err != nil {
			return Object{}, c.errorf(op, fmt.Errorf("read after %d bytes: %w", n, err))
		}
	}
	commit := &backupv1.Commit{Size: n, Sha256: sum.Sum(nil)}
	if err := send(&backupv1.PutRequest{Part: &backupv1.PutRequest_Commit{Commit: commit}}); err != nil {
		return Object{}, c.errorf(op, err)
	}
	resp, err := stream.CloseAndRecv()
	if err != nil {
		return Object{}, c.errorf(op, callError(ctx, err))
	}
	obj, err := decodeObject(resp.GetObject())
	if err != nil {
		return Object{}, c.badReply(op, "%v", err)
	}
	if obj.Name != name || obj.Size != n {
		return Object{}, c.badReply(op, "stored %q of %d bytes, sent %d bytes", obj.Name, obj.Size, n)
	}
	return obj, nil
}

// Get returns a reader of the object's bytes as the plugin streams them;
// the caller closes it. The reader checks the stream's trailer: when the
// stream ends without it, or the bytes do not match its size and
// SHA-256, the reader's last Read returns an error wrapping ErrBadReply
// instead of io.EOF. No such object gives an error wrapping ErrNotFound.
func (c *Client) Get(ctx context.Context, name string) (io.ReadCloser, error) {
	op := "get " + name
	if err := ValidName(name); err != nil {
		return nil, c.errorf(op, err)
	}
	ctx, cancel := context.WithCancel(ctx)
	stream, err := c.rpc.Get(ctx, &backupv1.GetRequest{Name: name}, plugin.CallOptions()...)
	if err != nil {
		cancel()
		return nil, c.errorf(op, callError(ctx, err))
	}
	r := &getReader{c: c, op: op, ctx: ctx, cancel: cancel, stream: stream, chunks: chunks{sum: sha256.New()}}
	// The first message tells whether there is an object.
	if r.err = r.next(); r.err != nil {
		cancel()
		return nil, r.err
	}
	return r, nil
}

// getReader reads a Get stream's data chunks. It returns io.EOF only
// after a trailer that matches the bytes received.
type getReader struct {
	c      *Client
	op     string
	ctx    context.Context // the stream's; cancel ends it
	cancel context.CancelFunc
	stream backupv1.BackupTargetService_GetClient
	chunks
}

func (r *getReader) Read(p []byte) (int, error) {
	return r.read(p, func() error {
		err := r.next()
		if err != nil {
			r.cancel()
		}
		return err
	})
}

// Close ends the stream.
func (r *getReader) Close() error {
	r.cancel()
	return nil
}

// next receives the stream's next message.
func (r *getReader) next() error {
	msg, err := r.stream.Recv()
	if errors.Is(err, io.EOF) {
		return r.c.badReply(r.op, "the stream ended after %d bytes without its trailer", r.n)
	}
	if err != nil {
		return r.c.errorf(r.op, callError(r.ctx, err))
	}
	switch part := msg.GetPart().(type) {
	case *backupv1.GetResponse_Data:
		if len(part.Data) > ChunkSize {
			return r.c.badReply(r.op, "a chunk of %d bytes, at most %d", len(part.Data), ChunkSize)
		}
		r.buf = part.Data
		r.n += int64(len(part.Data))
		r.sum.Write(part.Data)
		return nil
	case *backupv1.GetResponse_Trailer:
		t := part.Trailer
		if t.GetSize() != r.n {
			return r.c.badReply(r.op, "the trailer says %d bytes, %d arrived", t.GetSize(), r.n)
		}
		if sum := r.sum.Sum(nil); !bytes.Equal(t.GetSha256(), sum) {
			return r.c.badReply(r.op, "the trailer's SHA-256 is %x, the bytes' %x", t.GetSha256(), sum)
		}
		r.done = true
		r.cancel()
		return nil
	default:
		return r.c.badReply(r.op, "an empty message after %d bytes", r.n)
	}
}

// Stat returns the object of name; an error wrapping ErrNotFound when
// there is none.
func (c *Client) Stat(ctx context.Context, name string) (Object, error) {
	op := "stat " + name
	if err := ValidName(name); err != nil {
		return Object{}, c.errorf(op, err)
	}
	resp, err := c.rpc.Stat(ctx, &backupv1.StatRequest{Name: name}, plugin.CallOptions()...)
	if err != nil {
		return Object{}, c.errorf(op, callError(ctx, err))
	}
	obj, err := decodeObject(resp.GetObject())
	if err != nil {
		return Object{}, c.badReply(op, "%v", err)
	}
	if obj.Name != name {
		return Object{}, c.badReply(op, "described %q", obj.Name)
	}
	return obj, nil
}

// List returns the objects whose names start with prefix, sorted by name,
// after checking the plugin's answer.
func (c *Client) List(ctx context.Context, prefix string) ([]Object, error) {
	op := fmt.Sprintf("list %q", prefix)
	if err := ValidPrefix(prefix); err != nil {
		return nil, c.errorf(op, err)
	}
	resp, err := c.rpc.List(ctx, &backupv1.ListRequest{Prefix: prefix}, plugin.CallOptions()...)
	if err != nil {
		return nil, c.errorf(op, callError(ctx, err))
	}
	objs := make([]Object, len(resp.GetObjects()))
	for i, pb := range resp.GetObjects() {
		if objs[i], err = decodeObject(pb); err != nil {
			return nil, c.badReply(op, "%v", err)
		}
	}
	if err := validList(objs, prefix); err != nil {
		return nil, c.badReply(op, "%v", err)
	}
	return objs, nil
}

// Delete removes the object of name; deleting a name that holds nothing
// is not an error.
func (c *Client) Delete(ctx context.Context, name string) error {
	op := "delete " + name
	if err := ValidName(name); err != nil {
		return c.errorf(op, err)
	}
	if _, err := c.rpc.Delete(ctx, &backupv1.DeleteRequest{Name: name}, plugin.CallOptions()...); err != nil {
		return c.errorf(op, callError(ctx, err))
	}
	return nil
}

// SelfTest runs the plugin's self-test: its target's SelfTest, or a
// listing of all its objects.
func (c *Client) SelfTest(ctx context.Context) error {
	if _, err := c.rpc.SelfTest(ctx, &backupv1.SelfTestRequest{}, plugin.CallOptions()...); err != nil {
		return c.errorf("self-test", callError(ctx, err))
	}
	return nil
}

// callError is the error of a failed call: the gRPC status error,
// wrapping the contract's error of its code (ErrNotFound for
// codes.NotFound, ...) or ctx's error when ctx ended.
func callError(ctx context.Context, err error) error {
	st, ok := status.FromError(err)
	if !ok {
		return err
	}
	var is error
	switch st.Code() {
	case codes.NotFound:
		is = ErrNotFound
	case codes.ResourceExhausted:
		is = ErrFull
	case codes.Unavailable:
		is = ErrUnavailable
	case codes.InvalidArgument:
		is = ErrBadName
	case codes.Canceled, codes.DeadlineExceeded:
		is = ctx.Err()
	}
	if is == nil {
		return err
	}
	return &statusError{st: st, is: is}
}

// statusError is a gRPC status that wraps the error of its code.
type statusError struct {
	st *status.Status
	is error
}

func (e *statusError) Error() string {
	msg := e.st.Message()
	if strings.Contains(msg, e.is.Error()) {
		return msg
	}
	return e.is.Error() + ": " + msg
}

func (e *statusError) Unwrap() error { return e.is }

// GRPCStatus makes status.Code and status.FromError see the status.
func (e *statusError) GRPCStatus() *status.Status { return e.st }
