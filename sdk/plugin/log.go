package plugin

import (
	"context"
	"fmt"
	"io"
	"log"
	"log/slog"
	"os"
	"strings"
	"sync/atomic"

	"github.com/hashicorp/go-hclog"
)

// LevelTrace is the slog level hclog's Trace maps to.
const LevelTrace = slog.LevelDebug - 4

// Logger returns the logger a plugin process should use: JSON lines on
// stderr with hclog's keys (@timestamp, @level, @message), which the host's
// go-plugin client parses and passes on to the host's own log at the right
// level, with the other attributes kept. Never log to stdout in a plugin.
func Logger() *slog.Logger { return NewLogger(stderr, slog.LevelDebug) }

// stderr is the process's stderr as it was at start: go-plugin's Serve
// replaces os.Stderr with a pipe the host discards by default.
var stderr = os.Stderr

// NewLogger is Logger writing to w from level up.
func NewLogger(w io.Writer, level slog.Leveler) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{
		Level:       level,
		ReplaceAttr: hclogKeys,
	}))
}

func hclogKeys(groups []string, a slog.Attr) slog.Attr {
	if len(groups) > 0 {
		return a
	}
	switch a.Key {
	case slog.TimeKey:
		return slog.String("@timestamp", a.Value.Time().Format("2006-01-02T15:04:05.000000Z07:00"))
	case slog.LevelKey:
		l, _ := a.Value.Any().(slog.Level)
		return slog.String("@level", hclogLevel(l).String())
	case slog.MessageKey:
		return slog.String("@message", a.Value.String())
	}
	return a
}

// HCLogAdapter returns an hclog.Logger that writes to l: go-plugin takes
// an hclog.Logger, crewplan logs with slog. Trace maps to LevelTrace;
// names given with Named go in a "logger" attribute.
func HCLogAdapter(l *slog.Logger) hclog.Logger {
	lv := new(atomic.Int32)
	lv.Store(int32(hclog.NoLevel))
	return &hclogAdapter{base: l, l: l, level: lv}
}

type hclogAdapter struct {
	// base has the attributes given by With, l has the name too.
	base, l *slog.Logger
	name    string
	implied []any
	// level is the minimum level SetLevel set, shared with the loggers
	// derived by With and Named as in hclog; NoLevel leaves it to l.
	level *atomic.Int32
}

var _ hclog.Logger = (*hclogAdapter)(nil)

func slogLevel(l hclog.Level) slog.Level {
	switch l {
	case hclog.Trace:
		return LevelTrace
	case hclog.Debug:
		return slog.LevelDebug
	case hclog.Warn:
		return slog.LevelWarn
	case hclog.Error:
		return slog.LevelError
	default:
		return slog.LevelInfo
	}
}

func hclogLevel(l slog.Level) hclog.Level {
	switch {
	case l < slog.LevelDebug:
		return hclog.Trace
	case l < slog.LevelInfo:
		return hclog.Debug
	case l < slog.LevelWarn:
		return hclog.Info
	case l < slog.LevelError:
		return hclog.Warn
	default:
		return hclog.Error
	}
}

func (a *hclogAdapter) enabled(level hclog.Level) bool {
	if level == hclog.Off {
		return false
	}
	if min := hclog.Level(a.level.Load()); min != hclog.NoLevel && level < min {
		return false
	}
	return a.l.Enabled(context.Background(), slogLevel(level))
}

func (a *hclogAdapter) Log(level hclog.Level, msg string, args ...any) {
	if level == hclog.NoLevel {
		level = hclog.Info
	}
	if !a.enabled(level) {
		return
	}
	a.l.Log(context.Background(), slogLevel(level), msg, cleanArgs(args)...)
}

// cleanArgs turns hclog's argument conventions into slog's: a lone last
// argument becomes "extra", hclog.Format is formatted.
func cleanArgs(args []any) []any {
	if len(args)%2 == 1 {
		args = append(args[:len(args)-1:len(args)-1], "extra", args[len(args)-1])
	}
	for i := 1; i < len(args); i += 2 {
		if f, ok := args[i].(hclog.Format); ok {
			args[i] = hclogFormat(f)
		}
	}
	return args
}

func hclogFormat(f hclog.Format) string {
	if len(f) == 0 {
		return ""
	}
	s, _ := f[0].(string)
	return strings.TrimSpace(fmt.Sprintf(s, f[1:]...))
}

func (a *hclogAdapter) Trace(msg string, args ...any) { a.Log(hclog.Trace, msg, args...) }
func (a *hclogAdapter) Debug(msg string, args ...any) { a.Log(hclog.Debug, msg, args...) }
func (a *hclogAdapter) Info(msg string, args ...any)  { a.Log(hclog.Info, msg, args...) }
func (a *hclogAdapter) Warn(msg string, args ...any)  { a.Log(hclog.Warn, msg, args...) }
func (a *hclogAdapter) Error(msg string, args ...any) { a.Log(hclog.Error, msg, args...) }

func (a *hclogAdapter) IsTrace() bool { return a.enabled(hclog.Trace) }
func (a *hclogAdapter) IsDebug() bool { return a.enabled(hclog.Debug) }
func (a *hclogAdapter) IsInfo() bool  { return a.enabled(hclog.Info) }
func (a *hclogAdapter) IsWarn() bool  { return a.enabled(hclog.Warn) }
func (a *hclogAdapter) IsError() bool { return a.enabled(hclog.Error) }

func (a *hclogAdapter) ImpliedArgs() []any { return a.implied }

func (a *hclogAdapter) With(args ...any) hclog.Logger {
	args = cleanArgs(args)
	b := *a
	b.base = a.base.With(args...)
	b.l = b.named()
	b.implied = append(a.implied[:len(a.implied):len(a.implied)], args...)
	return &b
}

func (a *hclogAdapter) Name() string { return a.name }

func (a *hclogAdapter) Named(name string) hclog.Logger {
	if a.name != "" {
		name = a.name + "." + name
	}
	return a.ResetNamed(name)
}

func (a *hclogAdapter) ResetNamed(name string) hclog.Logger {
	b := *a
	b.name = name
	b.l = b.named()
	return &b
}

func (a *hclogAdapter) named() *slog.Logger {
	if a.name == "" {
		return a.base
	}
	return a.base.With("logger", a.name)
}

func (a *hclogAdapter) SetLevel(level hclog.Level) { a.level.Store(int32(level)) }

// GetLevel returns the level SetLevel set, or else the lowest level the
// slog handler takes.
func (a *hclogAdapter) GetLevel() hclog.Level {
	if l := hclog.Level(a.level.Load()); l != hclog.NoLevel {
		return l
	}
	for _, l := range []hclog.Level{hclog.Trace, hclog.Debug, hclog.Info, hclog.Warn, hclog.Error} {
		if a.l.Enabled(context.Background(), slogLevel(l)) {
			return l
		}
	}
	return hclog.Off
}

func (a *hclogAdapter) StandardLogger(opts *hclog.StandardLoggerOptions) *log.Logger {
	level := slog.LevelInfo
	if opts != nil && opts.ForceLevel != hclog.NoLevel {
		level = slogLevel(opts.ForceLevel)
	}
	return slog.NewLogLogger(a.l.Handler(), level)
}

func (a *hclogAdapter) StandardWriter(opts *hclog.StandardLoggerOptions) io.Writer {
	return a.StandardLogger(opts).Writer()
}
