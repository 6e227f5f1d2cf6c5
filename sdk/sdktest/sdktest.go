package sdktest

import (
	"context"
	"crypto/sha256"
	"fmt"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	goplugin "github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/test/bufconn"

	"github.com/crewplan/crewplan/sdk/plugin"
	"github.com/crewplan/crewplan/sdk/rule"
)

// Check runs r on b and returns its verdicts; it fails the test when the
// rule errs or answers what the host would refuse, or when a violation
// that reaches beyond its candidate (rule.Reach) names the candidate's
// event.
func Check(t testing.TB, r rule.Rule, b *rule.Batch) []rule.Verdict {
	t.Helper()
	vs, err := r.Check(t.Context(), b)
	if err != nil {
		t.Fatalf("check: %v", err)
	}
	if err := rule.ValidateVerdicts(vs, len(b.Candidates)); err != nil {
		t.Fatalf("check: the host would refuse the verdicts: %v", err)
	}
	for i, v := range vs {
		ref := "event " + strconv.FormatInt(b.Candidates[i].Event, 10)
		for _, x := range v.Violations {
			// A violation shown for other candidates must not name this
			// one's event (see rule.Reach).
			if x.Reach != rule.ReachCandidate && containsWord(x.Message, ref) {
				t.Errorf("check: candidate %d: %s violation %q reaches %s but names the candidate's %s", i, x.Rule, x.Message, x.Reach, ref)
			}
		}
	}
	return vs
}

// containsWord reports whether s holds w not followed by another digit.
func containsWord(s, w string) bool {
	for i := strings.Index(s, w); i >= 0; {
		end := i + len(w)
		if end == len(s) || s[end] < '0' || s[end] > '9' {
			return true
		}
		j := strings.Index(s[end:], w)
		if j < 0 {
			return false
		}
		i = end + j
	}
	return false
}

// CheckSame checks b with each of rs — typically the rule in process and
// the same rule as a plugin process (see MainWithPlugin) — fails the test
// unless every one answers exactly as the first, and returns the first's
// verdicts. Nil rules are skipped.
func CheckSame(t testing.TB, b *rule.Batch, rs ...rule.Rule) []rule.Verdict {
	t.Helper()
	var first []rule.Verdict
	for i, r := range rs {
		if r == nil {
			continue
		}
		vs := Check(t, r, b)
		if first == nil {
			first = vs
			continue
		}
		if diff := cmp.Diff(first, vs, cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("rule %d answers differently from rule 0 (-first +this):\n%s", i, diff)
		}
	}
	return first
}

// ServeInProcessGRPC serves r over real gRPC on an in-memory connection,
// with the plugin server's options and message limits, and returns the
// host's client of it: the wire path without a binary. The server stops
// when the test ends.
func ServeInProcessGRPC(t testing.TB, r rule.Rule) *rule.Client {
	t.Helper()
	cc := serveInMemory(t, func(s *grpc.Server) { rule.RegisterServer(s, r) })
	return rule.NewClient(cc, inProcessName(t, r))
}

// serveInMemory starts a plugin's gRPC server (its services registered by
// register) on an in-memory connection, with the plugin server's options
// and message limits, and returns the host side's connection to it. Both
// end when the test ends.
func serveInMemory(t testing.TB, register func(s *grpc.Server)) *grpc.ClientConn {
	t.Helper()
	ln := bufconn.Listen(1 << 20)
	s := plugin.NewGRPCServer(nil)
	register(s)
	go func() { _ = s.Serve(ln) }()

	opts := append([]grpc.DialOption{
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return ln.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()),
	}, plugin.DialOptions()...)
	cc, err := grpc.NewClient("passthrough:///sdktest", opts...)
	if err != nil {
		t.Fatalf("dial in-memory gRPC: %v", err)
	}
	t.Cleanup(func() {
		_ = cc.Close()
		s.Stop()
	})
	return cc
}

// inProcessName is the name a client of an in-process plugin gives it:
// the plugin's own, else "in-process".
func inProcessName(t testing.TB, p plugin.Plugin) string {
	if info, err := p.Info(t.Context()); err == nil && info.Name != "" {
		return info.Name
	}
	return "in-process"
}

// Build compiles the main package at pkg (an import path, or a directory
// relative to the test's package such as "./cmd") into t.TempDir() and
// returns the binary's path.
func Build(t testing.TB, pkg string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "plugin")
	if err := BuildTo(pkg, bin); err != nil {
		t.Fatal(err)
	}
	return bin
}

// Launch starts the plugin binary at path, with args, as the host does:
// go-plugin's client with crewplan's handshake, gRPC only, the rule's
// versioned plugin sets, raised message limits and a SHA-256 check of the
// binary. The plugin's logs go to the test's output. It returns the dispensed
// client; the process is killed when the test ends.
func Launch(t testing.TB, path string, args ...string) *rule.Client {
	t.Helper()
	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelInfo}))
	r, kill, err := Start(log, path, args...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(kill)
	return r
}

// Start is Launch outside a test — for a TestMain that shares one plugin
// process among all the tests of a package. The caller calls kill when
// done; log receives the plugin's logs.
func Start(log *slog.Logger, path string, args ...string) (r *rule.Client, kill func(), err error) {
	sum, err := fileSHA256(path)
	if err != nil {
		return nil, nil, fmt.Errorf("launch plugin: %w", err)
	}
	name := filepath.Base(path)
	c := goplugin.NewClient(&goplugin.ClientConfig{
		HandshakeConfig:  plugin.Handshake(),
		VersionedPlugins: rule.VersionedPlugins(name),
		Cmd:              exec.Command(path, args...),
		AllowedProtocols: []goplugin.Protocol{goplugin.ProtocolGRPC},
		SecureConfig:     &goplugin.SecureConfig{Checksum: sum, Hash: sha256.New()},
		GRPCDialOptions:  plugin.DialOptions(),
		Logger:           plugin.HCLogAdapter(log),
	})
	proto, err := c.Client()
	if err != nil {
		c.Kill()
		return nil, nil, fmt.Errorf("launch plugin %s: %w", path, err)
	}
	raw, err := proto.Dispense(rule.PluginName)
	if err != nil {
		c.Kill()
		return nil, nil, fmt.Errorf("launch plugin %s: dispense: %w", path, err)
	}
	rc, ok := raw.(*rule.Client)
	if !ok {
		c.Kill()
		return nil, nil, fmt.Errorf("launch plugin %s: dispensed a %T, want *rule.Client", path, raw)
	}
	return rc, c.Kill, nil
}

// BuildTo compiles the main package at pkg into the file bin: Build
// outside a test, for a TestMain.
func BuildTo(pkg, bin string) error {
	goBin, err := exec.LookPath("go")
	if err != nil {
		return fmt.Errorf("build plugin %s: %w", pkg, err)
	}
	cmd := exec.Command(goBin, "build", "-o", bin, pkg)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("build plugin %s: %w\n%s", pkg, err, out)
	}
	return nil
}

func fileSHA256(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return nil, err
	}
	return h.Sum(nil), nil
}

// MainWithPlugin is a TestMain for a plugin's own package: it builds the
// plugin's main package pkg, starts it once, points *process at it, runs
// the tests and stops it, returning the exit code for os.Exit. Tests then
// check each case both in process and through the real plugin process:
//
//	var process *rule.Client
//
//	func TestMain(m *testing.M) {
//		os.Exit(sdktest.MainWithPlugin(m, "example.com/you/yourrule/cmd", &process))
//	}
func MainWithPlugin(m *testing.M, pkg string, process **rule.Client) int {
	dir, err := os.MkdirTemp("", "sdktest-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, filepath.Base(filepath.Dir(pkg+"/x")))
	if err := BuildTo(pkg, bin); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	r, kill, err := Start(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})), bin)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer kill()
	*process = r
	return m.Run()
}
