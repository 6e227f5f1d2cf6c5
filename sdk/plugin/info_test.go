package plugin_test

import (
	"strings"
	"testing"

	"github.com/crewplan/crewplan/sdk/plugin"
)

func TestInfoRoundTripAndCheck(t *testing.T) {
	in := plugin.Info{Type: plugin.TypeBackup, Name: "backup-ftp", Version: "1.2.0", APIVersions: []int{1, 2}, Description: "ftp"}
	got, err := plugin.DecodeInfo(plugin.EncodeInfo(in), plugin.TypeBackup, 2)
	if err != nil || got.Name != in.Name || got.Version != in.Version || len(got.APIVersions) != 2 || got.Description != "ftp" {
		t.Fatalf("round trip: %+v, %v", got, err)
	}
	if _, err := plugin.DecodeInfo(nil, plugin.TypeRule, 0); err == nil {
		t.Error("no info was accepted")
	}
	for _, tt := range []struct {
		i    plugin.Info
		typ  plugin.Type
		v    int
		want string
	}{
		{in, plugin.TypeRule, 0, `type "backup"`},
		{plugin.Info{Type: plugin.TypeRule, Name: "Rules", APIVersions: []int{1}}, plugin.TypeRule, 0, "name"},
		{plugin.Info{Type: plugin.TypeRule, Name: "-x", APIVersions: []int{1}}, plugin.TypeRule, 0, "name"},
		{plugin.Info{Type: plugin.TypeRule, Name: "rules-x"}, plugin.TypeRule, 0, "no API versions"},
		{in, plugin.TypeBackup, 3, "none is 3"},
	} {
		if err := tt.i.Check(tt.typ, tt.v); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Check(%+v, %s, %d) = %v, want it to say %q", tt.i, tt.typ, tt.v, err, tt.want)
		}
	}
}
