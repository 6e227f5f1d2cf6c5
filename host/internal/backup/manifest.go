package backup

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	sdkbackup "github.com/crewplan/crewplan/sdk/backup"
)

// FormatVersion is the version of the manifest's format this build writes
// and reads.
const FormatVersion = 1

// ManifestName is the name of a backup's manifest, under the backup's id.
const ManifestName = "manifest.json"

// MaxManifestSize is the largest manifest ParseManifest reads.
const MaxManifestSize = 1 << 20

// ErrBadManifest means a manifest could not be read or broke a rule.
var ErrBadManifest = errors.New("bad backup manifest")

// Kind says why a backup was taken.
type Kind string

// The kinds of backup.
const (
	// KindScheduled is a backup the host's schedule took.
	KindScheduled Kind = "scheduled"
	// KindManual is a backup someone asked for.
	KindManual Kind = "manual"
	// KindSafety is the backup taken before a restore or an upgrade.
	KindSafety Kind = "safety"
)

// Valid reports whether k is one of the kinds.
func (k Kind) Valid() bool {
	return k == KindScheduled || k == KindManual || k == KindSafety
}

// Roles of a backup's files.
const (
	// RoleDatabase is the compressed database snapshot.
	RoleDatabase = "database"
	// RoleConfig is the configuration archive.
	RoleConfig = "config"
)

// Manifest describes one backup: what it holds, where it came from, and
// whether its files were verified before it was stored. It is written last
// to a target, so a backup without its manifest did not finish.
type Manifest struct {
	// Format is the manifest's format version, FormatVersion.
	Format int `json:"format"`
	// ID names the backup and is the prefix of its objects (see NewID).
	ID string `json:"id"`
	// Kind says why the backup was taken.
	Kind Kind `json:"kind"`
	// Created is when the snapshot was taken, in UTC.
	Created time.Time `json:"created"`
	// Host is the name of the machine that took it.
	Host string `json:"host"`
	// AppVersion is the version of crewplan that took it.
	AppVersion string `json:"app_version"`
	// Dialect is the database's: "sqlite" or "postgres".
	Dialect string `json:"dialect"`
	// SchemaVersion is the database's schema (migration) version.
	SchemaVersion int64 `json:"schema_version"`
	// Files are the backup's objects besides the manifest.
	Files []ManifestFile `json:"files"`
	// Rows is the row count of every table in the snapshot.
	Rows map[string]int64 `json:"rows"`
	// Verified is when the files were verified; zero when they were not.
	Verified time.Time `json:"verified,omitzero"`
}

// ManifestFile is one object of a backup.
type ManifestFile struct {
	// Name is the object's name under the backup's id: "db.sqlite.zst".
	Name string `json:"name"`
	// Role is RoleDatabase or RoleConfig.
	Role string `json:"role"`
	// Size is the stored length in bytes (compressed, and encrypted when
	// Encrypted).
	Size int64 `json:"size"`
	// RawSize is the length before compression and encryption.
	RawSize int64 `json:"raw_size"`
	// SHA256 is the hex SHA-256 of the stored bytes.
	SHA256 string `json:"sha256"`
	// RawSHA256 is the hex SHA-256 of the bytes before compression and
	// encryption.
	RawSHA256 string `json:"raw_sha256"`
	// Encrypted says the stored bytes are an age file.
	Encrypted bool `json:"encrypted,omitempty"`
}

// Size returns the bytes the backup's files take on a target, the
// manifest left out.
func (m *Manifest) Size() int64 {
	var n int64
	for _, f := range m.Files {
		n += f.Size
	}
	return n
}

// ObjectName returns the name of the backup's object file on a target:
// "<id>/<file>".
func ObjectName(id, file string) string { return id + "/" + file }

// File returns the manifest's file of role, and false when there is none.
func (m *Manifest) File(role string) (ManifestFile, bool) {
	for _, f := range m.Files {
		if f.Role == role {
			return f, true
		}
	}
	return ManifestFile{}, false
}

// Marshal returns the manifest as indented JSON, after checking it.
func (m *Manifest) Marshal() ([]byte, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode manifest %s: %w", m.ID, err)
	}
	return append(b, '\n'), nil
}

// ParseManifest reads a manifest and checks every field (see Validate). A
// manifest comes from a target, so it is input from outside.
func ParseManifest(r io.Reader) (*Manifest, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxManifestSize+1))
	if err != nil {
		return nil, fmt.Errorf("read manifest: %w", err)
	}
	if len(b) > MaxManifestSize {
		return nil, fmt.Errorf("%w: longer than %d bytes", ErrBadManifest, MaxManifestSize)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var m Manifest
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadManifest, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: data after the manifest", ErrBadManifest)
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	return &m, nil
}

// Validate reports the first rule the manifest breaks, wrapping
// ErrBadManifest.
func (m *Manifest) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w %q: %s", ErrBadManifest, m.ID, fmt.Sprintf(format, args...))
	}
	if m.Format != FormatVersion {
		return bad("format %d, this build reads %d", m.Format, FormatVersion)
	}
	created, err := ParseID(m.ID)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrBadManifest, err)
	}
	if !m.Kind.Valid() {
		return bad("kind %q: want scheduled, manual or safety", m.Kind)
	}
	if _, off := m.Created.Zone(); m.Created.IsZero() || off != 0 {
		return bad("created %s: want a UTC time", m.Created)
	}
	if !m.Created.Truncate(time.Second).Equal(created) {
		return bad("created %s does not match the id's time %s", m.Created.Format(time.RFC3339), created.Format(time.RFC3339))
	}
	if m.Host == "" || len(m.Host) > 255 || !printable(m.Host) {
		return bad("host %q: want 1 to 255 printable characters", m.Host)
	}
	if len(m.AppVersion) > 255 || !printable(m.AppVersion) {
		return bad("app version %q: want at most 255 printable characters", m.AppVersion)
	}
	if m.Dialect != "sqlite" && m.Dialect != "postgres" {
		return bad("dialect %q: want sqlite or postgres", m.Dialect)
	}
	if m.SchemaVersion < 0 {
		return bad("schema version %d is negative", m.SchemaVersion)
	}
	seen := map[string]bool{}
	roles := map[string]bool{}
	for i, f := range m.Files {
		if strings.Contains(f.Name, "/") || f.Name == ManifestName {
			return bad("file %d: name %q: want one segment other than %s", i, f.Name, ManifestName)
		}
		if err := sdkbackup.ValidName(f.Name); err != nil {
			return bad("file %d: %v", i, err)
		}
		if seen[f.Name] {
			return bad("file %q listed twice", f.Name)
		}
		seen[f.Name] = true
		if f.Role != RoleDatabase && f.Role != RoleConfig {
			return bad("file %q: role %q: want database or config", f.Name, f.Role)
		}
		if roles[f.Role] {
			return bad("two %s files", f.Role)
		}
		roles[f.Role] = true
		if f.Size < 0 || f.RawSize < 0 {
			return bad("file %q: negative size", f.Name)
		}
		for _, sum := range []struct{ key, v string }{{"sha256", f.SHA256}, {"raw_sha256", f.RawSHA256}} {
			if !isHexSum(sum.v) {
				return bad("file %q: %s %q: want 64 lowercase hex digits", f.Name, sum.key, sum.v)
			}
		}
	}
	if !roles[RoleDatabase] {
		return bad("no database file")
	}
	if len(m.Rows) == 0 {
		return bad("no row counts")
	}
	for t, n := range m.Rows {
		if t == "" || len(t) > 255 || !printable(t) {
			return bad("table name %q: want 1 to 255 printable characters", t)
		}
		if n < 0 {
			return bad("table %s: negative row count %d", t, n)
		}
	}
	if !m.Verified.IsZero() && m.Verified.Before(m.Created) {
		return bad("verified %s before it was created %s", m.Verified.Format(time.RFC3339), m.Created.Format(time.RFC3339))
	}
	return nil
}

func printable(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f || r == 0xfffd {
			return false
		}
	}
	return true
}

// idTime is the layout of an id's time: sortable, and a valid object name.
const idTime = "20060102T150405Z"

// NewID returns a backup id: the UTC time to the second, the host name made
// safe for an object name, and four random hex digits, as in
// "20261205T000000Z-office-3fa2". Ids sort by time.
func NewID(created time.Time, host string) string {
	var b [2]byte
	_, _ = rand.Read(b[:])
	return created.UTC().Format(idTime) + "-" + safeHost(host) + "-" + hex.EncodeToString(b[:])
}

// safeHost keeps a host name's letters, digits and '-' and cuts it to 63
// bytes; "host" when nothing remains.
func safeHost(host string) string {
	var b strings.Builder
	for i := 0; i < len(host) && b.Len() < 63; i++ {
		c := host[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-':
			b.WriteByte(c)
		case c == '.':
			i = len(host) // keep the short name
		default:
			b.WriteByte('-')
		}
	}
	s := strings.Trim(b.String(), "-")
	if s == "" {
		return "host"
	}
	return s
}

// ParseID checks a backup id and returns its time.
func ParseID(id string) (time.Time, error) {
	if len(id) < len(idTime)+4 || id[len(idTime)] != '-' {
		return time.Time{}, fmt.Errorf("backup id %q: want TIME-HOST-RAND, as in 20261205T000000Z-office-3fa2", id)
	}
	t, err := time.Parse(idTime, id[:len(idTime)])
	if err != nil {
		return time.Time{}, fmt.Errorf("backup id %q: time: %w", id, err)
	}
	if strings.Contains(id, "/") {
		return time.Time{}, fmt.Errorf("backup id %q holds a slash", id)
	}
	if err := sdkbackup.ValidName(id); err != nil {
		return time.Time{}, fmt.Errorf("backup id %q: %w", id, err)
	}
	rest := id[len(idTime)+1:]
	i := strings.LastIndexByte(rest, '-')
	if i <= 0 || i == len(rest)-1 {
		return time.Time{}, fmt.Errorf("backup id %q: want TIME-HOST-RAND, as in 20261205T000000Z-office-3fa2", id)
	}
	return t, nil
}

// isHexSum reports whether s is a SHA-256 as the manifest writes it: 64
// lowercase hex digits.
func isHexSum(s string) bool {
	if len(s) != 64 || strings.ToLower(s) != s {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}
