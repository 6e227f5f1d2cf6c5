package rule_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"

	"github.com/crewplan/crewplan/sdk/internal/examplerule"
	"github.com/crewplan/crewplan/sdk/plugin"
	pluginv1 "github.com/crewplan/crewplan/sdk/proto/crewplan/plugin/v1"
	rulev1 "github.com/crewplan/crewplan/sdk/proto/crewplan/rule/v1"
	"github.com/crewplan/crewplan/sdk/rule"
	"github.com/crewplan/crewplan/sdk/sdktest"
)

// liar is a plugin that answers whatever the test says.
type liar struct {
	rulev1.UnimplementedRuleServiceServer
	info  *pluginv1.PluginInfo
	check *rulev1.CheckResponse
	err   error
}

func (l *liar) Info(context.Context, *pluginv1.InfoRequest) (*pluginv1.InfoResponse, error) {
	return &pluginv1.InfoResponse{Info: l.info}, l.err
}

func (l *liar) Check(context.Context, *rulev1.CheckRequest) (*rulev1.CheckResponse, error) {
	return l.check, l.err
}

// serveRaw serves srv on an in-memory gRPC connection and returns a
// client named "liar".
func serveRaw(t *testing.T, srv rulev1.RuleServiceServer) *rule.Client {
	t.Helper()
	ln := bufconn.Listen(1 << 20)
	s := plugin.NewGRPCServer(nil)
	rulev1.RegisterRuleServiceServer(s, srv)
	go func() { _ = s.Serve(ln) }()
	cc, err := grpc.NewClient("passthrough:///liar",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return ln.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cc.Close(); s.Stop() })
	return rule.NewClient(cc, "liar")
}

func TestClientRejectsGarbage(t *testing.T) {
	b := fullBatch() // 3 candidates
	tests := []struct {
		name string
		resp *rulev1.CheckResponse
		want string
	}{
		{"wrong count", &rulev1.CheckResponse{Count: 1}, "rule plugin liar: check: bad reply: 1 verdicts for 3 candidates"},
		{"unknown severity", reply(3, wireViolation{0, "r", 5, "m"}), "unknown severity 5"},
		{"empty rule id", reply(3, wireViolation{0, "", rulev1.Severity_SEVERITY_HARD, "m"}), "empty rule id"},
		{"unknown reach", withReach(reply(3, wireViolation{0, "r", rulev1.Severity_SEVERITY_HARD, "m"}), 9), `(candidate 0, rule "r"): unknown reach 9`},
		{"reach column length", withReach(reply(3, wireViolation{0, "r", rulev1.Severity_SEVERITY_HARD, "m"}), 1, 1), "2 reaches for 1 violations"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := serveRaw(t, &liar{check: tt.resp})
			vs, err := c.Check(t.Context(), b)
			if !errors.Is(err, rule.ErrBadReply) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Check = %v, %v; want ErrBadReply containing %q", vs, err, tt.want)
			}
		})
	}
}

func TestClientRejectsBadInfo(t *testing.T) {
	tests := []struct {
		name string
		info *pluginv1.PluginInfo
		want string
	}{
		{"none", nil, "no info"},
		{"type", &pluginv1.PluginInfo{Type: "backup", Name: "x", ApiVersions: []int32{1}}, `type "backup", want "rule"`},
		{"name", &pluginv1.PluginInfo{Type: "rule", Name: "Bad Name", ApiVersions: []int32{1}}, `name "Bad Name"`},
		{"versions", &pluginv1.PluginInfo{Type: "rule", Name: "x"}, "no API versions"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := serveRaw(t, &liar{info: tt.info}).Info(t.Context())
			if !errors.Is(err, rule.ErrBadReply) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Info = %v, want ErrBadReply containing %q", err, tt.want)
			}
		})
	}
}

func TestClientErrors(t *testing.T) {
	c := serveRaw(t, &liar{err: status.Error(codes.Unavailable, "gone")})
	_, err := c.Check(t.Context(), fullBatch())
	if status.Code(err) != codes.Unavailable || !strings.HasPrefix(err.Error(), "rule plugin liar: check: ") {
		t.Fatalf("Check = %v, want a codes.Unavailable error naming the plugin", err)
	}
	// Unimplemented calls are errors too, not silent passes.
	if err := c.SelfTest(t.Context()); status.Code(err) != codes.Unimplemented {
		t.Fatalf("SelfTest = %v, want codes.Unimplemented", err)
	}
}

// failing is a rule that errs or answers wrongly.
type failing struct {
	examplerule.Pass
	err   error
	wrong bool
}

func (f failing) Configure(context.Context, []byte) error { return f.err }

func (f failing) Check(_ context.Context, b *rule.Batch) ([]rule.Verdict, error) {
	if f.wrong {
		return make([]rule.Verdict, len(b.Candidates)+1), nil
	}
	return nil, f.err
}

func TestServerErrors(t *testing.T) {
	ctx := t.Context()
	bad := sdktest.ServeInProcessGRPC(t, failing{err: errors.New("max: -1 is negative: " + plugin.ErrBadConfig.Error())})
	if err := bad.Configure(ctx, nil); errors.Is(err, plugin.ErrBadConfig) {
		t.Errorf("Configure = %v: an error not wrapping ErrBadConfig must not become one", err)
	}
	badCfg := sdktest.ServeInProcessGRPC(t, failing{err: errors.Join(plugin.ErrBadConfig, errors.New("max: -1 is negative"))})
	if err := badCfg.Configure(ctx, []byte(`{"max":-1}`)); !errors.Is(err, plugin.ErrBadConfig) || !strings.Contains(err.Error(), "max: -1 is negative") {
		t.Errorf("Configure = %v, want ErrBadConfig with the plugin's reason", err)
	}
	_, err := badCfg.Check(ctx, fullBatch())
	if err == nil || !strings.Contains(err.Error(), "max: -1 is negative") {
		t.Errorf("Check = %v, want the rule's error", err)
	}
	wrong := sdktest.ServeInProcessGRPC(t, failing{wrong: true})
	if _, err := wrong.Check(ctx, fullBatch()); status.Code(err) != codes.Internal || !strings.Contains(err.Error(), "4 verdicts for 3 candidates") {
		t.Errorf("Check = %v, want codes.Internal naming the wrong count", err)
	}
	if err := wrong.SelfTest(ctx); err == nil {
		t.Error("SelfTest passed a rule that answers an empty batch with a verdict")
	}
}

// reacher answers every candidate with violations of the given reaches.
type reacher struct {
	examplerule.Pass
	reaches []rule.Reach
}

func (r reacher) Check(_ context.Context, b *rule.Batch) ([]rule.Verdict, error) {
	out := make([]rule.Verdict, len(b.Candidates))
	for i := range out {
		for _, x := range r.reaches {
			out[i].Violations = append(out[i].Violations, rule.Hardf("reacher", "reaches %v", x).Reaching(x))
		}
	}
	return out, nil
}

// Reaches travel from a plugin to the host over gRPC.
func TestReachOverGRPC(t *testing.T) {
	r := reacher{reaches: []rule.Reach{rule.ReachCandidate, rule.ReachEventType, rule.ReachDay}}
	want := sdktest.Check(t, r, fullBatch())
	got := sdktest.Check(t, sdktest.ServeInProcessGRPC(t, r), fullBatch())
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		t.Fatalf("(-in-process +gRPC):\n%s", diff)
	}
}

// The plugin's server refuses to send a reach the protocol does not know.
func TestServerRefusesUnknownReach(t *testing.T) {
	for _, bad := range []rule.Reach{rule.ReachDay + 1, -1} {
		c := sdktest.ServeInProcessGRPC(t, reacher{reaches: []rule.Reach{rule.ReachDay, bad}})
		_, err := c.Check(t.Context(), fullBatch())
		if status.Code(err) != codes.Internal || !strings.Contains(err.Error(), fmt.Sprintf(`candidate 0 violation 1: rule "reacher": unknown reach %d`, int(bad))) {
			t.Errorf("reach %d: Check = %v, want codes.Internal naming the unknown reach", int(bad), err)
		}
	}
}

func TestInProcessMatchesGRPC(t *testing.T) {
	for _, n := range []int{0, 1, 10000} {
		b := sdktest.SyntheticBatch(n)
		b.Candidates = append(b.Candidates, rule.Candidate{Employee: "ghost", Date: b.Holidays[0]})
		want := sdktest.Check(t, &examplerule.Availability{}, b)
		got := sdktest.Check(t, sdktest.ServeInProcessGRPC(t, &examplerule.Availability{}), b)
		if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("%d candidates (-in-process +gRPC):\n%s", n, diff)
		}
	}
}
