// Command faulty is a rule plugin that misbehaves on purpose, for the
// plugin host's fault tests: `faulty MODE`, MODE one of
//
//	liar     answers one verdict too few
//	hang     never answers a check
//	badapi   says it speaks only rule API version 99
//	cookie   serves with another handshake cookie
//	panic    panics on every check
package main

import (
	"context"
	"os"
	"time"

	goplugin "github.com/hashicorp/go-plugin"

	"github.com/crewplan/crewplan/sdk/plugin"
	"github.com/crewplan/crewplan/sdk/rule"
)

type faulty struct{ mode string }

func (f *faulty) Info(context.Context) (plugin.Info, error) {
	api := []int{rule.APIVersion}
	if f.mode == "badapi" {
		api = []int{99}
	}
	return plugin.Info{Type: plugin.TypeRule, Name: "faulty", Version: "0.0.1", APIVersions: api}, nil
}

func (f *faulty) Configure(context.Context, []byte) error { return nil }

func (f *faulty) Check(ctx context.Context, b *rule.Batch) ([]rule.Verdict, error) {
	switch f.mode {
	case "liar":
		return make([]rule.Verdict, max(len(b.Candidates)-1, 0)), nil
	case "hang":
		<-ctx.Done()
		time.Sleep(time.Hour)
	case "panic":
		panic("faulty plugin panics")
	}
	return make([]rule.Verdict, len(b.Candidates)), nil
}

func main() {
	mode := ""
	if len(os.Args) > 1 {
		mode = os.Args[1]
	}
	if mode == "cookie" {
		hs := plugin.Handshake()
		hs.MagicCookieValue = "not-crewplan"
		goplugin.Serve(&goplugin.ServeConfig{
			HandshakeConfig:  hs,
			VersionedPlugins: map[int]goplugin.PluginSet{rule.APIVersion: {rule.PluginName: &rule.GRPCPlugin{Impl: &faulty{}}}},
			GRPCServer:       plugin.NewGRPCServer,
		})
		return
	}
	rule.Serve(&faulty{mode: mode})
}
