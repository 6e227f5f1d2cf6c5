package backup

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	sdkbackup "github.com/crewplan/crewplan/sdk/backup"
	"github.com/google/go-cmp/cmp"
)

func validManifest() *Manifest {
	created := time.Date(2026, 12, 5, 0, 0, 0, 123e6, time.UTC)
	return &Manifest{
		Format: FormatVersion, ID: "20261205T000000Z-office-3fa2", Kind: KindScheduled,
		Created: created, Host: "office.example.com", AppVersion: "1.2.3",
		Dialect: "sqlite", SchemaVersion: 5,
		Files: []ManifestFile{
			{Name: "db.sqlite.zst", Role: RoleDatabase, Size: 10, RawSize: 40, SHA256: strings.Repeat("ab", 32), RawSHA256: strings.Repeat("cd", 32)},
			{Name: "config.tar.zst.age", Role: RoleConfig, Size: 5, RawSize: 9, SHA256: strings.Repeat("01", 32), RawSHA256: strings.Repeat("23", 32), Encrypted: true},
		},
		Rows:     map[string]int64{"employees": 12, "goose_db_version": 6},
		Verified: created.Add(time.Second),
	}
}

func TestManifestRoundTrip(t *testing.T) {
	m := validManifest()
	b, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseManifest(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(m, got); d != "" {
		t.Errorf("round trip (-want +got):\n%s", d)
	}
	m.Verified = time.Time{}
	b, _ = m.Marshal()
	if bytes.Contains(b, []byte("verified")) {
		t.Errorf("an unverified manifest says verified:\n%s", b)
	}
}

func TestManifestInvalid(t *testing.T) {
	tests := []struct {
		name   string
		change func(m *Manifest)
		want   string
	}{
		{"format", func(m *Manifest) { m.Format = 2 }, "format 2"},
		{"id", func(m *Manifest) { m.ID = "yesterday" }, "backup id"},
		{"id with slash", func(m *Manifest) { m.ID = "20261205T000000Z-a/b-3fa2" }, "slash"},
		{"id time", func(m *Manifest) { m.ID = "20261205T000001Z-office-3fa2" }, "does not match"},
		{"kind", func(m *Manifest) { m.Kind = "hourly" }, "kind"},
		{"created zone", func(m *Manifest) { m.Created = m.Created.In(time.FixedZone("CET", 3600)) }, "UTC"},
		{"host", func(m *Manifest) { m.Host = "" }, "host"},
		{"host control", func(m *Manifest) { m.Host = "a\nb" }, "host"},
		{"dialect", func(m *Manifest) { m.Dialect = "mysql" }, "dialect"},
		{"schema", func(m *Manifest) { m.SchemaVersion = -1 }, "schema version"},
		{"no database", func(m *Manifest) { m.Files = m.Files[1:] }, "no database file"},
		{"two databases", func(m *Manifest) { m.Files[1].Role = RoleDatabase }, "two database files"},
		{"file name", func(m *Manifest) { m.Files[0].Name = "../db" }, "name"},
		{"file manifest", func(m *Manifest) { m.Files[0].Name = ManifestName }, "name"},
		{"file twice", func(m *Manifest) { m.Files[1].Name = m.Files[0].Name }, "twice"},
		{"role", func(m *Manifest) { m.Files[1].Role = "logs" }, "role"},
		{"size", func(m *Manifest) { m.Files[0].Size = -1 }, "negative size"},
		{"sha", func(m *Manifest) { m.Files[0].SHA256 = "abc" }, "sha256"},
		{"sha upper", func(m *Manifest) { m.Files[0].SHA256 = strings.Repeat("AB", 32) }, "sha256"},
		{"sha not hex", func(m *Manifest) { m.Files[0].SHA256 = strings.Repeat("zz", 32) }, "sha256"},
		{"no rows", func(m *Manifest) { m.Rows = nil }, "row counts"},
		{"negative rows", func(m *Manifest) { m.Rows["employees"] = -3 }, "negative row count"},
		{"table name", func(m *Manifest) { m.Rows[""] = 1 }, "table name"},
		{"verified early", func(m *Manifest) { m.Verified = m.Created.Add(-time.Hour) }, "verified"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := validManifest()
			tt.change(m)
			err := m.Validate()
			if !errors.Is(err, ErrBadManifest) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Validate = %v, want ErrBadManifest saying %q", err, tt.want)
			}
		})
	}
	for _, in := range []string{"", "{", "[]", `{"format":1}`, `{"format":1,"surprise":true}`, "{} {}"} {
		if _, err := ParseManifest(strings.NewReader(in)); !errors.Is(err, ErrBadManifest) {
			t.Errorf("ParseManifest(%q) = %v, want ErrBadManifest", in, err)
		}
	}
	if _, err := ParseManifest(strings.NewReader(strings.Repeat(" ", MaxManifestSize+1))); !errors.Is(err, ErrBadManifest) {
		t.Errorf("an oversized manifest parsed: %v", err)
	}
}

func TestNewID(t *testing.T) {
	at := time.Date(2026, 12, 5, 1, 2, 3, 0, time.FixedZone("CET", 3600))
	for host, want := range map[string]string{
		"office.example.com":    "20261205T000203Z-office-",
		"My PC_2":               "20261205T000203Z-My-PC-2-",
		"":                      "20261205T000203Z-host-",
		"---":                   "20261205T000203Z-host-",
		strings.Repeat("x", 99): "20261205T000203Z-" + strings.Repeat("x", 63) + "-",
	} {
		id := NewID(at, host)
		if !strings.HasPrefix(id, want) || len(id) != len(want)+4 {
			t.Errorf("NewID(%q) = %q, want %q and four hex digits", host, id, want)
		}
		if got, err := ParseID(id); err != nil || !got.Equal(at.Truncate(time.Second)) {
			t.Errorf("ParseID(%q) = %v, %v", id, got, err)
		}
		if err := sdkbackup.ValidName(id + "/" + ManifestName); err != nil {
			t.Error(err)
		}
	}
	if a, b := NewID(at, "h"), NewID(at.Add(time.Second), "h"); a >= b {
		t.Errorf("%s sorts after %s", a, b)
	}
}

// FuzzParseManifest feeds ParseManifest arbitrary bytes: it must never
// panic, and whatever it accepts must validate, encode, and parse back to
// the same manifest.
func FuzzParseManifest(f *testing.F) {
	b, _ := validManifest().Marshal()
	f.Add(b)
	f.Add([]byte(`{"format":1,"id":"20261205T000000Z-h-0000"}`))
	f.Add([]byte(`{"rows":{"a":-1}}`))
	f.Add([]byte("null"))
	f.Fuzz(func(t *testing.T, in []byte) {
		m, err := ParseManifest(bytes.NewReader(in))
		if err != nil {
			if !errors.Is(err, ErrBadManifest) {
				t.Fatalf("error %v does not wrap ErrBadManifest", err)
			}
			return
		}
		out, err := m.Marshal()
		if err != nil {
			t.Fatalf("accepted manifest does not marshal: %v", err)
		}
		back, err := ParseManifest(bytes.NewReader(out))
		if err != nil {
			t.Fatalf("re-encoded manifest does not parse: %v\n%s", err, out)
		}
		if d := cmp.Diff(m, back); d != "" {
			t.Fatalf("re-parse differs (-first +second):\n%s", d)
		}
	})
}
