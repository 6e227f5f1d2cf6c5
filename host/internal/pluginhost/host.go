// Package pluginhost runs crewplan's plugins as separate processes: it
// finds them (built into the crewplan binary, or third-party binaries
// checked against a configured SHA-256), launches them with go-plugin over
// gRPC, checks their handshake and API version, restarts a plugin that
// died and retries the call, and kills every plugin on every error path and
// at shutdown — with Pdeathsig on Linux so that none outlives a host killed
// by SIGKILL.
package pluginhost

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"slices"
	"sync"
	"time"

	goplugin "github.com/hashicorp/go-plugin"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/crewplan/crewplan/sdk/plugin"
	"github.com/crewplan/crewplan/sdk/rule"
)

// InternalPluginCommand is the hidden subcommand that makes a crewplan
// binary serve one of its built-in plugins.
const InternalPluginCommand = "internal-plugin"

// ErrPlugin is wrapped by every error about a plugin that cannot be used:
// it did not start, failed its handshake or checksum, speaks no API
// version the host speaks, refused its configuration, or died and could
// not be brought back.
var ErrPlugin = errors.New("plugin unavailable")

// Options configure a Host.
type Options struct {
	// Executable is the crewplan binary the host re-executes to run its
	// built-in plugins; "" means this process's own executable.
	Executable string
	// Log receives the host's plugin events and each plugin's own log
	// lines, tagged with the plugin's name.
	Log *slog.Logger
	// StartTimeout bounds a plugin's start and handshake; zero means 10 s.
	StartTimeout time.Duration
	// CallTimeout bounds one call to a plugin; a plugin that takes longer
	// is taken for hung, killed and restarted. Zero means 60 s.
	CallTimeout time.Duration
	// Restarts is how many times one call restarts a dead plugin before it
	// fails; zero means 3. Restarts back off from 50 ms, doubling.
	Restarts int
}

// Host owns the plugin processes.
type Host struct {
	opts Options
	log  *slog.Logger

	mu      sync.Mutex
	plugins []*RulePlugin
	backups []*BackupPlugin
	closed  bool
	stop    chan struct{} // closed by Close: ends the health checks
}

// New returns a Host; it starts nothing yet.
func New(opts Options) (*Host, error) {
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.Executable == "" {
		exe, err := os.Executable()
		if err != nil {
			return nil, fmt.Errorf("plugin host: find own executable: %w", err)
		}
		opts.Executable = exe
	}
	if opts.StartTimeout <= 0 {
		opts.StartTimeout = 10 * time.Second
	}
	if opts.CallTimeout <= 0 {
		opts.CallTimeout = 60 * time.Second
	}
	if opts.Restarts <= 0 {
		opts.Restarts = 3
	}
	return &Host{opts: opts, log: opts.Log, stop: make(chan struct{})}, nil
}

// CheckHealth pings every plugin every interval and restarts one that does
// not answer, until Close; a plugin is also restarted by the first call
// that finds it dead, so this only shortens the wait of that call.
func (h *Host) CheckHealth(interval time.Duration) {
	go func() {
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-h.stop:
				return
			case <-t.C:
				h.checkOnce()
			}
		}
	}()
}

// checkOnce pings each plugin once and restarts the dead ones.
func (h *Host) checkOnce() {
	for _, p := range h.procs() {
		if p.Status().Healthy {
			continue
		}
		_, gen, err := p.current()
		if err != nil {
			continue // closed
		}
		h.log.Warn("plugin failed its health check", slog.String("plugin", p.spec.Name))
		ctx, cancel := context.WithTimeout(context.Background(), h.opts.StartTimeout+time.Second)
		if err := p.restart(ctx, gen, 0); err != nil {
			h.log.Error("plugin restart failed", slog.String("plugin", p.spec.Name), slog.Any("err", err))
		}
		cancel()
	}
}

// Spec says how to run one plugin.
type Spec struct {
	// Name names the plugin in logs and errors.
	Name string
	// Path is the executable and Args its arguments.
	Path string
	Args []string
	// Checksum, when set, is the SHA-256 the executable must have.
	Checksum []byte
	// Config is the plugin's configuration section, as JSON.
	Config []byte
}

// BuiltinSpec returns the spec of a built-in plugin: this binary in plugin
// mode.
func (h *Host) BuiltinSpec(name string) Spec {
	return Spec{Name: name, Path: h.opts.Executable, Args: []string{InternalPluginCommand, name}}
}

// StartRules starts every built-in rule plugin, and the given external
// ones, each in its own process; on any failure it stops those it started
// and returns an error naming the plugin.
func (h *Host) StartRules(ctx context.Context, external ...Spec) ([]*RulePlugin, error) {
	specs := make([]Spec, 0, len(builtins)+len(external))
	for _, n := range BuiltinRules() {
		specs = append(specs, h.BuiltinSpec(n))
	}
	return h.Start(ctx, append(specs, external...))
}

// Start starts the plugins of specs at once; on any failure it stops those
// it started and returns every error, each naming its plugin.
func (h *Host) Start(ctx context.Context, specs []Spec) ([]*RulePlugin, error) {
	out := make([]*RulePlugin, len(specs))
	errs := make([]error, len(specs))
	var wg sync.WaitGroup
	for i, s := range specs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i], errs[i] = h.StartRule(ctx, s)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		for _, p := range out {
			if p != nil {
				p.Close()
			}
		}
		return nil, err
	}
	return out, nil
}

// StartRule starts one rule plugin and checks it: handshake, checksum,
// type and API version, and its configuration.
func (h *Host) StartRule(ctx context.Context, s Spec) (*RulePlugin, error) {
	p := &RulePlugin{proc{spec: s, host: h, kind: ruleKind}}
	if err := h.add(ctx, &p.proc, func() { h.plugins = append(h.plugins, p) }); err != nil {
		return nil, err
	}
	return p, nil
}

// add starts p and, unless the host closed meanwhile, keeps it with keep
// (called under h.mu).
func (h *Host) add(ctx context.Context, p *proc, keep func()) error {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return fmt.Errorf("%w: %s: the plugin host is closed", ErrPlugin, p.spec.Name)
	}
	h.mu.Unlock()
	if err := p.start(ctx); err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		p.Close()
		return fmt.Errorf("%w: %s: the plugin host is closed", ErrPlugin, p.spec.Name)
	}
	keep()
	return nil
}

// Plugins returns the rule plugins the host runs.
func (h *Host) Plugins() []*RulePlugin {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.plugins)
}

// procs returns every plugin process the host runs, of every type.
func (h *Host) procs() []*proc {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]*proc, 0, len(h.plugins)+len(h.backups))
	for _, p := range h.plugins {
		out = append(out, &p.proc)
	}
	for _, p := range h.backups {
		out = append(out, &p.proc)
	}
	return out
}

// Close kills every plugin process.
func (h *Host) Close() {
	h.mu.Lock()
	wasClosed := h.closed
	h.closed = true
	h.mu.Unlock()
	ps := h.procs()
	h.mu.Lock()
	h.plugins, h.backups = nil, nil
	h.mu.Unlock()
	if !wasClosed {
		close(h.stop)
	}
	for _, p := range ps {
		p.Close()
	}
}

// kind is a plugin type as the host runs it.
type kind struct {
	typ        plugin.Type
	apiVersion int
	// versioned returns go-plugin's plugin sets for a plugin of name.
	versioned func(name string) map[int]goplugin.PluginSet
	// dispensed is the go-plugin name of the type's client.
	dispensed string
}

// client is what the host asks of every plugin's client: the base
// contract.
type client interface {
	Info(ctx context.Context) (plugin.Info, error)
	Configure(ctx context.Context, raw []byte) error
}

var ruleKind = &kind{typ: plugin.TypeRule, apiVersion: rule.APIVersion, versioned: rule.VersionedPlugins, dispensed: rule.PluginName}

// RulePlugin is a rule plugin process under the host's care. It implements
// rule.Rule: a call that finds the process dead restarts it and is
// retried.
type RulePlugin struct{ proc }

var _ rule.Rule = (*RulePlugin)(nil)

// proc is a plugin process under the host's care, of any type.
type proc struct {
	spec Spec
	host *Host
	kind *kind

	restartMu sync.Mutex // one restart at a time

	mu       sync.Mutex
	client   *goplugin.Client
	impl     client // the type's client (*rule.Client, *backup.Client)
	info     plugin.Info
	gen      int // start generation, so concurrent failures restart once
	restarts int
	closed   bool
}

// Name returns the plugin's name.
func (p *proc) Name() string { return p.spec.Name }

func (p *proc) errorf(format string, args ...any) error {
	return fmt.Errorf("%w: %s: %s", ErrPlugin, p.spec.Name, fmt.Sprintf(format, args...))
}

// start launches the process and checks it. It holds no lock: callers
// serialise starts.
func (p *proc) start(ctx context.Context) error {
	h := p.host
	cmd := exec.Command(p.spec.Path, p.spec.Args...)
	dieWithHost(cmd)
	cfg := &goplugin.ClientConfig{
		HandshakeConfig:  plugin.Handshake(),
		VersionedPlugins: p.kind.versioned(p.spec.Name),
		Cmd:              cmd,
		AllowedProtocols: []goplugin.Protocol{goplugin.ProtocolGRPC},
		GRPCDialOptions:  plugin.DialOptions(),
		StartTimeout:     h.opts.StartTimeout,
		Logger:           plugin.HCLogAdapter(h.log.With(slog.String("plugin", p.spec.Name))),
		// Plugin stderr lines that are not structured logs go to the log too.
		SyncStderr: newLineWriter(h.log.With(slog.String("plugin", p.spec.Name))),
	}
	if p.spec.Checksum != nil {
		cfg.SecureConfig = &goplugin.SecureConfig{Checksum: p.spec.Checksum, Hash: sha256.New()}
	}
	c := goplugin.NewClient(cfg)
	fail := func(format string, args ...any) error {
		c.Kill()
		return p.errorf(format, args...)
	}
	proto, err := c.Client()
	if err != nil {
		return fail("start %s: %v", p.spec.Path, err)
	}
	raw, err := proto.Dispense(p.kind.dispensed)
	if err != nil {
		return fail("dispense: %v", err)
	}
	rc, ok := raw.(client)
	if !ok {
		return fail("dispensed a %T, not a %s client", raw, p.kind.typ)
	}
	if v := c.NegotiatedVersion(); v != p.kind.apiVersion {
		return fail("speaks %s API version %d; this host speaks %d", p.kind.typ, v, p.kind.apiVersion)
	}
	cctx, cancel := context.WithTimeout(ctx, h.opts.StartTimeout)
	defer cancel()
	info, err := rc.Info(cctx)
	if err != nil {
		return fail("info: %v", err)
	}
	if info.Type != p.kind.typ || !slices.Contains(info.APIVersions, p.kind.apiVersion) {
		return fail("is a %q plugin speaking API versions %v; want a %s plugin speaking %d", info.Type, info.APIVersions, p.kind.typ, p.kind.apiVersion)
	}
	conf := p.spec.Config
	if len(conf) == 0 {
		conf = []byte("{}")
	}
	if err := rc.Configure(cctx, conf); err != nil {
		return fail("configure: %v", err)
	}
	p.mu.Lock()
	p.client, p.impl, p.info = c, rc, info
	p.gen++
	p.mu.Unlock()
	h.log.Info("plugin started", slog.String("plugin", p.spec.Name), slog.String("version", info.Version),
		slog.Int("pid", pidOf(c)))
	return nil
}

func pidOf(c *goplugin.Client) int {
	if rc := c.ReattachConfig(); rc != nil {
		return rc.Pid
	}
	return 0
}

// current returns the live client and its generation.
func (p *proc) current() (client, int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil, 0, p.errorf("closed")
	}
	return p.impl, p.gen, nil
}

// restart replaces the process of generation gen, unless another caller
// already did, backing off between attempts.
func (p *proc) restart(ctx context.Context, gen int, attempt int) error {
	p.restartMu.Lock()
	defer p.restartMu.Unlock()
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return p.errorf("closed")
	}
	if p.gen != gen {
		p.mu.Unlock()
		return nil // someone else restarted it
	}
	old := p.client
	p.restarts++
	p.mu.Unlock()
	old.Kill()
	delay := (50 * time.Millisecond) << attempt
	select {
	case <-time.After(delay):
	case <-ctx.Done():
		return ctx.Err()
	}
	p.host.log.Warn("restarting plugin", slog.String("plugin", p.spec.Name), slog.Int("attempt", attempt+1))
	return p.start(ctx)
}

// dead reports whether err means the process is gone or hung, so that a
// restart and a retry may help; a wrong answer from a live plugin does
// not qualify.
func dead(err error) bool {
	switch status.Code(err) {
	case codes.Unavailable, codes.Canceled, codes.DeadlineExceeded:
		return true
	}
	return errors.Is(err, context.DeadlineExceeded)
}

// call runs f against the live plugin, restarting it and retrying when it
// died or hung.
func (p *proc) call(ctx context.Context, op string, f func(ctx context.Context, c client) error) error {
	var last error
	for attempt := 0; attempt <= p.host.opts.Restarts; attempt++ {
		c, gen, err := p.current()
		if err != nil {
			return err
		}
		cctx, cancel := context.WithTimeout(ctx, p.host.opts.CallTimeout)
		err = f(cctx, c)
		cancel()
		if err == nil {
			return nil
		}
		if ctx.Err() != nil || !dead(err) || p.answers(err) {
			return fmt.Errorf("%s: %w", op, err)
		}
		last = err
		if attempt == p.host.opts.Restarts {
			break
		}
		if rerr := p.restart(ctx, gen, attempt); rerr != nil {
			last = rerr
		}
	}
	return p.errorf("%s failed after %d restarts: %v", op, p.host.opts.Restarts, last)
}

// once runs f once against the live plugin, bounded by ctx only (a
// stream may outlive the call, and an upload may take longer than
// CallTimeout); when the process died, it is restarted for the next call
// and the error returned.
func (p *proc) once(ctx context.Context, op string, f func(ctx context.Context, c client) error) error {
	c, gen, err := p.current()
	if err != nil {
		return err
	}
	err = f(ctx, c)
	if err == nil {
		return nil
	}
	if ctx.Err() == nil && dead(err) && !p.answers(err) {
		if rerr := p.restart(ctx, gen, 0); rerr != nil {
			p.host.log.Error("plugin restart failed", slog.String("plugin", p.spec.Name), slog.Any("err", rerr))
		}
	}
	return fmt.Errorf("%s: %w", op, err)
}

// answers reports whether err, which looks like a dead process, is the
// plugin's own answer: codes.Unavailable from a process that runs and
// answers a ping (a backup target that cannot reach its storage, say),
// which restarting the process would not help. A hung call
// (DeadlineExceeded) is never one.
func (p *proc) answers(err error) bool {
	if status.Code(err) != codes.Unavailable {
		return false
	}
	p.mu.Lock()
	c := p.client
	p.mu.Unlock()
	if c == nil || c.Exited() {
		return false
	}
	proto, err := c.Client()
	return err == nil && proto.Ping() == nil
}

// Info returns the plugin's Info as it reported it at start.
func (p *proc) Info(context.Context) (plugin.Info, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.info, nil
}

// Configure reconfigures the running plugin; restarts reuse the new
// configuration.
func (p *proc) Configure(ctx context.Context, raw []byte) error {
	err := p.call(ctx, "configure", func(ctx context.Context, c client) error { return c.Configure(ctx, raw) })
	if err == nil {
		p.mu.Lock()
		p.spec.Config = raw
		p.mu.Unlock()
	}
	return err
}

// Check checks a batch, restarting the plugin and retrying the batch when
// the process died or hung.
func (p *RulePlugin) Check(ctx context.Context, b *rule.Batch) ([]rule.Verdict, error) {
	var out []rule.Verdict
	err := p.call(ctx, "check", func(ctx context.Context, c client) error {
		vs, err := c.(*rule.Client).Check(ctx, b)
		out = vs
		return err
	})
	return out, err
}

// SelfTest runs the plugin's self-test.
func (p *RulePlugin) SelfTest(ctx context.Context) error {
	return p.call(ctx, "self-test", func(ctx context.Context, c client) error { return c.(*rule.Client).SelfTest(ctx) })
}

// Status is what `crewplan plugins list` shows of a plugin.
type Status struct {
	Name     string      `json:"name"`
	Info     plugin.Info `json:"info"`
	Path     string      `json:"path"`
	Checksum string      `json:"sha256,omitempty"`
	Builtin  bool        `json:"builtin"`
	PID      int         `json:"pid"`
	Healthy  bool        `json:"healthy"`
	Restarts int         `json:"restarts"`
}

// Status pings the plugin and reports on it.
func (p *proc) Status() Status {
	p.mu.Lock()
	c := p.client
	st := Status{Name: p.spec.Name, Info: p.info, Path: p.spec.Path, Restarts: p.restarts,
		Builtin: len(p.spec.Args) == 2 && p.spec.Args[0] == InternalPluginCommand}
	if p.spec.Checksum != nil {
		st.Checksum = fmt.Sprintf("%x", p.spec.Checksum)
	}
	closed := p.closed
	p.mu.Unlock()
	if closed || c == nil {
		return st
	}
	st.PID = pidOf(c)
	if proto, err := c.Client(); err == nil && proto.Ping() == nil {
		st.Healthy = true
	}
	return st
}

// PID returns the plugin process's id, 0 when it has none.
func (p *proc) PID() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.client == nil {
		return 0
	}
	return pidOf(p.client)
}

// Close kills the plugin process.
func (p *proc) Close() {
	p.mu.Lock()
	c := p.client
	p.closed = true
	p.mu.Unlock()
	if c != nil {
		c.Kill()
	}
}
