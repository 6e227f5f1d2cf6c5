package rule

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime/debug"

	goplugin "github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/crewplan/crewplan/sdk/plugin"
	pluginv1 "github.com/crewplan/crewplan/sdk/proto/crewplan/plugin/v1"
	rulev1 "github.com/crewplan/crewplan/sdk/proto/crewplan/rule/v1"
)

// SelfTester is a Rule that can check itself: `crewplan plugins check`
// runs SelfTest. A Rule without it is self-tested by checking an empty
// batch.
type SelfTester interface {
	SelfTest(ctx context.Context) error
}

// Serve runs r as a rule plugin process: it is all a plugin's main needs.
// It speaks gRPC through go-plugin with crewplan's handshake, serves every
// rule API version this SDK knows (VersionedPlugins), and returns only when
// the host is done with the plugin. Run by hand, without the host, it says
// so on stderr and exits with status 1.
//
// Serve sets the process's GOGC to 400 unless the GOGC environment variable
// is set (see tuneGC). Nothing may write to stdout before Serve; log with
// plugin.Logger().
func Serve(r Rule) {
	tuneGC()
	goplugin.Serve(&goplugin.ServeConfig{
		HandshakeConfig:  plugin.Handshake(),
		VersionedPlugins: servedPlugins(r),
		GRPCServer:       plugin.NewGRPCServer,
		Logger:           plugin.HCLogAdapter(plugin.Logger()),
	})
}

// tuneGC sets the plugin process's garbage collector to let the heap grow
// to five times what is live (GOGC=400) unless the GOGC environment
// variable says otherwise. A rule plugin keeps little between calls but
// allocates a few megabytes decoding and answering each batch; at Go's
// default (GOGC=100, 4 MiB minimum) it would collect after almost every
// batch. The price is some tens of megabytes per plugin process.
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
}

// gcPercent is the GOGC a rule plugin process runs with by default.
const gcPercent = 400

// servedPlugins are the plugin sets a plugin serves, by rule API version.
// When API version 2 arrives, a plugin built with the new SDK serves both
// 1 and 2, and an old plugin binary keeps serving 1 to the new host.
func servedPlugins(r Rule) map[int]goplugin.PluginSet {
	return map[int]goplugin.PluginSet{
		APIVersion: {PluginName: &GRPCPlugin{Impl: r}},
	}
}

// RegisterServer registers r's gRPC service on s. Serve does it through
// go-plugin; tests and harnesses that run their own gRPC server use it.
func RegisterServer(s grpc.ServiceRegistrar, r Rule) {
	rulev1.RegisterRuleServiceServer(s, &server{r: r})
}

// server is the gRPC face of a Rule in the plugin process.
type server struct {
	rulev1.UnimplementedRuleServiceServer
	r Rule
	// kept holds the batch contexts received, by ContextKey.
	kept contextCache
}

func (s *server) Info(ctx context.Context, _ *pluginv1.InfoRequest) (*pluginv1.InfoResponse, error) {
	info, err := s.r.Info(ctx)
	if err != nil {
		return nil, status.Error(codes.Internal, fmt.Sprintf("info: %v", err))
	}
	return &pluginv1.InfoResponse{Info: plugin.EncodeInfo(info)}, nil
}

func (s *server) Configure(ctx context.Context, req *pluginv1.ConfigureRequest) (*pluginv1.ConfigureResponse, error) {
	if err := s.r.Configure(ctx, req.GetConfig()); err != nil {
		if errors.Is(err, plugin.ErrBadConfig) {
			return nil, status.Error(codes.InvalidArgument, err.Error())
		}
		return nil, status.Error(codes.Internal, err.Error())
	}
	return &pluginv1.ConfigureResponse{}, nil
}

func (s *server) Check(ctx context.Context, req *rulev1.CheckRequest) (*rulev1.CheckResponse, error) {
	b, err := decodeBatch(req.GetBatch(), &s.kept)
	if errors.Is(err, errUnknownContext) {
		return nil, status.Error(codes.FailedPrecondition, err.Error())
	}
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	vs, err := s.r.Check(ctx, b)
	if err != nil {
		return nil, status.Error(codeOf(ctx, err), err.Error())
	}
	if err := ValidateVerdicts(vs, len(b.Candidates)); err != nil {
		return nil, status.Error(codes.Internal, fmt.Sprintf("rule answered wrongly: %v", err))
	}
	return encodeVerdicts(vs), nil
}

func (s *server) SelfTest(ctx context.Context, _ *rulev1.SelfTestRequest) (*rulev1.SelfTestResponse, error) {
	if err := selfTest(ctx, s.r); err != nil {
		return nil, status.Error(codeOf(ctx, err), err.Error())
	}
	return &rulev1.SelfTestResponse{}, nil
}

// selfTest runs r's SelfTest, or checks that r describes itself as a rule
// and answers an empty batch.
func selfTest(ctx context.Context, r Rule) error {
	info, err := r.Info(ctx)
	if err != nil {
		return fmt.Errorf("info: %w", err)
	}
	if err := info.Check(plugin.TypeRule, 0); err != nil {
		return fmt.Errorf("info: %w", err)
	}
	if st, ok := r.(SelfTester); ok {
		return st.SelfTest(ctx)
	}
	vs, err := r.Check(ctx, &Batch{})
	if err != nil {
		return fmt.Errorf("check an empty batch: %w", err)
	}
	if err := ValidateVerdicts(vs, 0); err != nil {
		return fmt.Errorf("check an empty batch: %w", err)
	}
	return nil
}

func codeOf(ctx context.Context, err error) codes.Code {
	switch {
	case errors.Is(err, context.Canceled) && ctx.Err() != nil:
		return codes.Canceled
	case errors.Is(err, context.DeadlineExceeded):
		return codes.DeadlineExceeded
	}
	return codes.Unknown
}
