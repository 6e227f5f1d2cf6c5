package backup_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/crewplan/crewplan/sdk/backup"
)

func TestValidName(t *testing.T) {
	for _, name := range []string{"a", "db.zst", "20261205T000000Z-office/db.zst", "a/b/c", "a.", "a-b_c.D9", strings.Repeat("a", backup.MaxNameLen)} {
		if err := backup.ValidName(name); err != nil {
			t.Errorf("ValidName(%q) = %v", name, err)
		}
	}
	for _, name := range []string{"", "/", "/a", "a/", "a//b", ".", "..", "../a", "a/..", ".a", "a/.b", "a b", "a\\b", "é", "a\x00b", strings.Repeat("a", backup.MaxNameLen+1)} {
		if err := backup.ValidName(name); !errors.Is(err, backup.ErrBadName) {
			t.Errorf("ValidName(%q) = %v, want ErrBadName", name, err)
		}
	}
	for _, p := range []string{"", "a", "a/", "a/b/", "a/b"} {
		if err := backup.ValidPrefix(p); err != nil {
			t.Errorf("ValidPrefix(%q) = %v", p, err)
		}
	}
	for _, p := range []string{"/", "a//", "../", ".a/", "a b/"} {
		if err := backup.ValidPrefix(p); !errors.Is(err, backup.ErrBadName) {
			t.Errorf("ValidPrefix(%q) = %v, want ErrBadName", p, err)
		}
	}
}

// FuzzValidName: ValidName never panics, and what it accepts is safe as a
// relative path on any target: no ".." segment, no segment starting with a
// dot, no empty segment, nothing but printable ASCII without '\' or ':'.
// ("a..b" is a valid name: ".." inside a segment climbs nowhere.)
func FuzzValidName(f *testing.F) {
	for _, s := range []string{"a", "a/b", "../x", "a//b", ".tmp", "a/./b", "20261205T000000Z-office/db.zst", "a\x00", "\\", "C:", "a/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		err := backup.ValidName(name)
		perr := backup.ValidPrefix(name)
		if err != nil {
			if !errors.Is(err, backup.ErrBadName) {
				t.Fatalf("ValidName(%q) = %v, not wrapping ErrBadName", name, err)
			}
			if perr == nil && !strings.HasSuffix(name, "/") && name != "" {
				t.Fatalf("ValidPrefix(%q) accepts a bad name", name)
			}
			return
		}
		if perr != nil {
			t.Fatalf("ValidPrefix(%q) = %v for a valid name", name, perr)
		}
		if len(name) == 0 || len(name) > backup.MaxNameLen {
			t.Fatalf("ValidName accepted %d bytes", len(name))
		}
		if strings.Contains("/"+name+"/", "/../") {
			t.Fatalf("ValidName accepted %q with a .. segment", name)
		}
		for _, seg := range strings.Split(name, "/") {
			if seg == "" || seg[0] == '.' {
				t.Fatalf("ValidName accepted %q: segment %q", name, seg)
			}
		}
		for i := 0; i < len(name); i++ {
			if c := name[i]; c == '\\' || c == ':' || c < 0x21 || c > 0x7e {
				t.Fatalf("ValidName accepted %q with byte %q", name, c)
			}
		}
	})
}
