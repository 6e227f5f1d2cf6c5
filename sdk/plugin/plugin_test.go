package plugin_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/crewplan/crewplan/sdk/plugin"
)

func TestLoggerSpeaksHCLogJSON(t *testing.T) {
	var buf bytes.Buffer
	plugin.NewLogger(&buf, plugin.LevelTrace).Warn("slow batch", "candidates", 10000)
	var line map[string]any
	if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
		t.Fatalf("not JSON: %q", buf.String())
	}
	if line["@level"] != "warn" || line["@message"] != "slow batch" || line["candidates"] != 10000.0 {
		t.Errorf("line = %v", line)
	}
	// go-plugin's host side parses the timestamp with this layout.
	if _, err := time.Parse("2006-01-02T15:04:05.000000Z07:00", line["@timestamp"].(string)); err != nil {
		t.Errorf("timestamp: %v", err)
	}
}

func TestHCLogAdapter(t *testing.T) {
	var buf bytes.Buffer
	l := plugin.HCLogAdapter(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})))

	if l.IsTrace() || !l.IsDebug() || !l.IsError() {
		t.Errorf("IsTrace %v IsDebug %v IsError %v, want false true true", l.IsTrace(), l.IsDebug(), l.IsError())
	}
	if got := l.GetLevel(); got != hclog.Debug {
		t.Errorf("GetLevel = %v, want debug", got)
	}
	l.Trace("hidden")
	n := l.Named("plugin").Named("rules-calendar").With("pid", 42)
	n.Info("started", "path", "/usr/lib/crewplan/rules-calendar", "lonely")
	n.Error("formatted", "err", hclog.Fmt("exit %d", 2))
	l.SetLevel(hclog.Warn)
	n.Info("filtered by SetLevel")
	l.StandardLogger(&hclog.StandardLoggerOptions{ForceLevel: hclog.Error}).Print("from log.Logger")

	out := buf.String()
	for _, want := range []string{
		`level=INFO msg=started pid=42 logger=plugin.rules-calendar path=/usr/lib/crewplan/rules-calendar extra=lonely`,
		`level=ERROR msg=formatted pid=42 logger=plugin.rules-calendar err="exit 2"`,
		`level=ERROR msg="from log.Logger"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
	for _, not := range []string{"hidden", "filtered"} {
		if strings.Contains(out, not) {
			t.Errorf("log has %q:\n%s", not, out)
		}
	}
	if got := n.Name(); got != "plugin.rules-calendar" {
		t.Errorf("Name = %q", got)
	}
	if got := n.ImpliedArgs(); len(got) != 2 || got[0] != "pid" {
		t.Errorf("ImpliedArgs = %v", got)
	}
}

func TestHandshake(t *testing.T) {
	h := plugin.Handshake()
	if h.MagicCookieKey != plugin.MagicCookieKey || len(h.MagicCookieValue) < 32 || h.ProtocolVersion != plugin.ProtocolVersion {
		t.Errorf("Handshake = %+v", h)
	}
}

func TestDecodeConfig(t *testing.T) {
	type cfg struct {
		Keywords []string `json:"keywords"`
	}
	for _, tt := range []struct {
		raw  string
		want []string
		bad  string
	}{
		{raw: "", want: nil},
		{raw: " \n", want: nil},
		{raw: `{"keywords":["A"]}`, want: []string{"A"}},
		{raw: `{"keyword":["A"]}`, bad: `unknown field "keyword"`},
		{raw: `{"keywords":"A"}`, bad: "cannot unmarshal"},
		{raw: `{} {}`, bad: "trailing data"},
		{raw: `{`, bad: "unexpected EOF"},
	} {
		var c cfg
		err := plugin.DecodeConfig([]byte(tt.raw), &c)
		if tt.bad != "" {
			if !errors.Is(err, plugin.ErrBadConfig) || !strings.Contains(err.Error(), tt.bad) {
				t.Errorf("DecodeConfig(%q) = %v; want ErrBadConfig saying %q", tt.raw, err, tt.bad)
			}
			continue
		}
		if err != nil || len(c.Keywords) != len(tt.want) {
			t.Errorf("DecodeConfig(%q) = %+v, %v", tt.raw, c, err)
		}
	}
}
