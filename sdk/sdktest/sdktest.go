package sdktest

import (
	"context"
	"crypto/sha256"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	goplugin "github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/test/bufconn"

	"github.com/crewplan/crewplan/sdk/plugin"
	"github.com/crewplan/crewplan/sdk/rule"
)

// Check runs r on b and returns its verdicts; it fails the test when the
// rule errs or answers what the host would refuse.
func Check(t testing.TB, r rule.Rule, b *rule.Batch) []rule.Verdict {
	t.Helper()
	vs, err := r.Check(t.Context(), b)
	if err != nil {
		t.Fatalf("check: %v", err)
	}
	if err := rule.ValidateVerdicts(vs, len(b.Candidates)); err != nil {
		t.Fatalf("check: the host would refuse the verdicts: %v", err)
	}
	return vs
}

// ServeInProcessGRPC serves r over real gRPC on an in-memory connection,
// with the plugin server's options and message limits, and returns the
// host's client of it: the wire path without a binary. The server stops
// when the test ends.
func ServeInProcessGRPC(t testing.TB, r rule.Rule) *rule.Client {
	t.Helper()
	ln := bufconn.Listen(1 << 20)
	s := plugin.NewGRPCServer(nil)
	rule.RegisterServer(s, r)
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
	name := "in-process"
	if info, err := r.Info(t.Context()); err == nil && info.Name != "" {
		name = info.Name
	}
	return rule.NewClient(cc, name)
}

// Build compiles the main package at pkg (an import path, or a directory
// relative to the test's package such as "./cmd") into t.TempDir() and
// returns the binary's path.
func Build(t testing.TB, pkg string) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("build plugin %s: %v", pkg, err)
	}
	bin := filepath.Join(t.TempDir(), "plugin")
	cmd := exec.Command(goBin, "build", "-o", bin, pkg)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build plugin %s: %v\n%s", pkg, err, out)
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
	sum, err := fileSHA256(path)
	if err != nil {
		t.Fatalf("launch plugin: %v", err)
	}
	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelInfo}))
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
	t.Cleanup(c.Kill)
	proto, err := c.Client()
	if err != nil {
		t.Fatalf("launch plugin %s: %v", path, err)
	}
	raw, err := proto.Dispense(rule.PluginName)
	if err != nil {
		t.Fatalf("launch plugin %s: dispense: %v", path, err)
	}
	r, ok := raw.(*rule.Client)
	if !ok {
		t.Fatalf("launch plugin %s: dispensed a %T, want *rule.Client", path, raw)
	}
	return r
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
