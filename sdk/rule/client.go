package rule

import (
	"context"
	"fmt"

	goplugin "github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/encoding"
	_ "google.golang.org/grpc/encoding/proto" // registers the codec wireCodec wraps
	"google.golang.org/grpc/mem"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/crewplan/crewplan/sdk/plugin"
	pluginv1 "github.com/crewplan/crewplan/sdk/proto/crewplan/plugin/v1"
	rulev1 "github.com/crewplan/crewplan/sdk/proto/crewplan/rule/v1"
)

// PluginName is the name a rule plugin has in go-plugin's plugin sets: the
// host dispenses it with ClientProtocol.Dispense(rule.PluginName).
const PluginName = "rule"

// GRPCPlugin is the go-plugin plugin of rule plugins, over gRPC only. In a
// plugin process Serve sets Impl; on the host, VersionedPlugins sets Name.
type GRPCPlugin struct {
	goplugin.NetRPCUnsupportedPlugin
	// Impl is the rule a plugin process serves.
	Impl Rule
	// Name names the plugin in the host's errors (its file name or its
	// configured name).
	Name string
}

var _ goplugin.GRPCPlugin = (*GRPCPlugin)(nil)

// GRPCServer registers the rule's service (plugin side).
func (p *GRPCPlugin) GRPCServer(_ *goplugin.GRPCBroker, s *grpc.Server) error {
	RegisterServer(s, p.Impl)
	return nil
}

// GRPCClient returns a *Client (host side).
func (p *GRPCPlugin) GRPCClient(_ context.Context, _ *goplugin.GRPCBroker, cc *grpc.ClientConn) (any, error) {
	return NewClient(cc, p.Name), nil
}

// VersionedPlugins are the plugin sets the host gives go-plugin's
// ClientConfig.VersionedPlugins, by rule API version; name names the
// plugin in errors. The value dispensed for PluginName is a *Client, which
// implements Rule. With API version 2 this map gets a second entry, whose
// client adapts v2 to Rule, and the host still runs v1 plugin binaries.
func VersionedPlugins(name string) map[int]goplugin.PluginSet {
	return map[int]goplugin.PluginSet{
		APIVersion: {PluginName: &GRPCPlugin{Name: name}},
	}
}

// Client is a rule plugin seen from the host: it implements Rule over
// gRPC and checks every reply. Its errors name the plugin; an error from a
// dead plugin process carries gRPC's codes.Unavailable
// (status.Code(err) == codes.Unavailable), on which the host restarts the
// plugin and retries.
type Client struct {
	name string
	cc   grpc.ClientConnInterface
	rpc  rulev1.RuleServiceClient
	// sent are the context keys the plugin was sent in full.
	sent sentKeys
}

var (
	_ Rule       = (*Client)(nil)
	_ SelfTester = (*Client)(nil)
)

// NewClient returns a client of the rule plugin served on cc; name names
// it in errors.
func NewClient(cc grpc.ClientConnInterface, name string) *Client {
	if name == "" {
		name = "(unnamed)"
	}
	return &Client{name: name, cc: cc, rpc: rulev1.NewRuleServiceClient(cc)}
}

// Name returns the name the client's errors give the plugin.
func (c *Client) Name() string { return c.name }

func (c *Client) errorf(op string, err error) error {
	return fmt.Errorf("rule plugin %s: %s: %w", c.name, op, err)
}

// Info asks the plugin to describe itself and checks the answer: a rule
// type, a valid name, API versions.
func (c *Client) Info(ctx context.Context) (plugin.Info, error) {
	resp, err := c.rpc.Info(ctx, &pluginv1.InfoRequest{}, plugin.CallOptions()...)
	if err != nil {
		return plugin.Info{}, c.errorf("info", err)
	}
	info, err := plugin.DecodeInfo(resp.GetInfo(), plugin.TypeRule, 0)
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
		return c.errorf("configure", err)
	}
	return nil
}

// Check sends b to the plugin and returns its verdicts, one per candidate;
// a reply that breaks the protocol gives an error wrapping ErrBadReply.
// When b has a ContextKey the plugin was already sent, b goes without its
// context (and again in full if the plugin no longer has it).
func (c *Client) Check(ctx context.Context, b *Batch) ([]Verdict, error) {
	key := b.ContextKey
	omit := key != 0 && c.sent.has(key)
	resp, err := c.check(ctx, b, omit)
	if omit && status.Code(err) == codes.FailedPrecondition {
		c.sent.forget(key)
		omit = false
		resp, err = c.check(ctx, b, false)
	}
	if err != nil {
		return nil, c.errorf("check", err)
	}
	if key != 0 && !omit {
		c.sent.add(key)
	}
	vs, err := decodeVerdicts(resp, len(b.Candidates))
	if err != nil {
		return nil, c.errorf("check", err)
	}
	return vs, nil
}

// SelfTest runs the plugin's self-test.
func (c *Client) SelfTest(ctx context.Context) error {
	if _, err := c.rpc.SelfTest(ctx, &rulev1.SelfTestRequest{}, plugin.CallOptions()...); err != nil {
		return c.errorf("self-test", err)
	}
	return nil
}

// check sends the batch's CheckRequest, marshaled once however many plugin
// clients send it (the host asks every rule plugin about the same batch at
// once).
func (c *Client) check(ctx context.Context, b *Batch, omitContext bool) (*rulev1.CheckResponse, error) {
	req, err := b.marshaled(omitContext)
	if err != nil {
		return nil, err
	}
	resp := new(rulev1.CheckResponse)
	opts := append(plugin.CallOptions(), grpc.ForceCodecV2(wireCodec{}))
	if err := c.cc.Invoke(ctx, rulev1.RuleService_Check_FullMethodName, req, resp, opts...); err != nil {
		return nil, err
	}
	return resp, nil
}

// marshaled returns the batch's CheckRequest in wire form, encoded and
// marshaled once per context key and form.
func (b *Batch) marshaled(omitContext bool) (*preMarshaled, error) {
	i := 0
	if omitContext {
		i = 1
	}
	b.wireMu.Lock()
	defer b.wireMu.Unlock()
	w := &b.wire[i]
	if w.req == nil || w.key != b.ContextKey {
		w.key = b.ContextKey
		w.req, w.err = proto.Marshal(&rulev1.CheckRequest{Batch: encodeBatch(b, omitContext)})
	}
	if w.err != nil {
		return nil, fmt.Errorf("marshal batch: %w", w.err)
	}
	return &preMarshaled{b: w.req}, nil
}

// preMarshaled is a message already in its protobuf wire form.
type preMarshaled struct{ b []byte }

// wireCodec is gRPC's protobuf codec that sends a preMarshaled message as
// it is; the plugin reads it as the protobuf it is.
type wireCodec struct{}

func (wireCodec) Marshal(v any) (mem.BufferSlice, error) {
	if p, ok := v.(*preMarshaled); ok {
		return mem.BufferSlice{mem.SliceBuffer(p.b)}, nil
	}
	return encoding.GetCodecV2(protoCodec).Marshal(v)
}

func (wireCodec) Unmarshal(data mem.BufferSlice, v any) error {
	return encoding.GetCodecV2(protoCodec).Unmarshal(data, v)
}

// Name is protobuf's: the plugin decodes what it receives as usual.
func (wireCodec) Name() string { return protoCodec }

const protoCodec = "proto"
