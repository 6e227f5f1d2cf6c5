package backup

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"filippo.io/age"
)

// ErrCorrupt means a backup's files do not match its manifest, or its
// database copy fails its checks.
var ErrCorrupt = errors.New("backup does not verify")

// VerifyOptions says how to verify a backup.
type VerifyOptions struct {
	// Identities decrypt an encrypted configuration archive. Without
	// them its size and checksum are checked, not its content.
	Identities []age.Identity
	// Progress, when not nil, is told the bytes checked.
	Progress func(Progress)
}

// VerifyDir checks the backup m whose files are in dir: every file's size
// and SHA-256; the database decompressed, then for SQLite opened with
// PRAGMA integrity_check and every table's row count compared with the
// manifest, for PostgreSQL read back with pg_restore and the COPY rows of
// every table counted; the configuration archive unpacked (when it can be
// decrypted) and its schema version compared. Errors wrap ErrCorrupt and
// name the file and what did not match.
func VerifyDir(ctx context.Context, dir string, m *Manifest, opts VerifyOptions) error {
	return verify(ctx, dir, m, opts, false)
}

// verifyBuilt verifies a backup Build just made in dir. A SQLite copy
// passed its integrity check and gave the manifest its row counts before
// it was compressed, so its file is checked to decompress to exactly those
// bytes (length and SHA-256) rather than checked again; the rest is
// VerifyDir's.
func verifyBuilt(ctx context.Context, dir string, m *Manifest, opts VerifyOptions) error {
	return verify(ctx, dir, m, opts, m.Dialect == "sqlite")
}

// verify is VerifyDir; with checked, the database file is only checked to
// decompress to the bytes the manifest gives (see verifyBuilt).
func verify(ctx context.Context, dir string, m *Manifest, opts VerifyOptions, checked bool) error {
	if err := m.Validate(); err != nil {
		return err
	}
	report := reporter(StepVerify, m.Size(), opts.Progress)
	for _, f := range m.Files {
		if err := checkSum(ctx, filepath.Join(dir, f.Name), f, report); err != nil {
			return fmt.Errorf("verify backup %s file %s: %w", m.ID, f.Name, err)
		}
	}
	for _, f := range m.Files {
		var err error
		switch {
		case f.Role == RoleDatabase && checked:
			err = decompressCheck(ctx, dir, f, "")
		case f.Role == RoleDatabase:
			err = verifyDatabase(ctx, dir, m, f)
		case f.Role == RoleConfig:
			err = verifyConfig(dir, m, f, opts.Identities)
		}
		if err != nil {
			return fmt.Errorf("verify backup %s file %s: %w", m.ID, f.Name, err)
		}
	}
	return nil
}

// reporter returns a func that adds bytes done to a running total and
// tells progress (when not nil) how step advances toward total.
func reporter(step Step, total int64, progress func(Progress)) func(int64) {
	var done int64
	return func(n int64) {
		done += n
		if progress != nil {
			progress(Progress{Step: step, Done: done, Total: total})
		}
	}
}

// checkSum checks a file's size and SHA-256 against its manifest entry.
func checkSum(ctx context.Context, path string, f ManifestFile, add func(int64)) error {
	fi, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	if fi.Size() != f.Size {
		return fmt.Errorf("%w: %d bytes, the manifest says %d", ErrCorrupt, fi.Size(), f.Size)
	}
	in, err := os.Open(path)
	if err != nil {
		return err
	}
	defer in.Close()
	h := sha256.New()
	if _, err := io.Copy(h, &progressReader{ctx: ctx, r: in, add: add}); err != nil {
		return err
	}
	if sum := hex.EncodeToString(h.Sum(nil)); sum != f.SHA256 {
		return fmt.Errorf("%w: sha256 %s, the manifest says %s", ErrCorrupt, sum, f.SHA256)
	}
	return nil
}

// verifyDatabase decompresses the database copy next to it and checks it.
func verifyDatabase(ctx context.Context, dir string, m *Manifest, f ManifestFile) error {
	raw := filepath.Join(dir, ".verify-"+strings.TrimSuffix(f.Name, ".zst"))
	defer os.Remove(raw)
	_ = os.Remove(raw)
	if err := decompressCheck(ctx, dir, f, raw); err != nil {
		return err
	}
	return checkCopy(ctx, m, raw)
}

// checkCopy checks the database copy at path against the manifest: for
// SQLite PRAGMA integrity_check, the schema version and every table's row
// count; for PostgreSQL the dump read back by pg_restore and every table's
// COPY rows counted.
func checkCopy(ctx context.Context, m *Manifest, path string) error {
	var st dbStats
	var err error
	switch m.Dialect {
	case "sqlite":
		st, err = inspectSQLite(ctx, path, true)
	case "postgres":
		st.rows, err = countDumpRows(ctx, path)
		st.version = -1 // pg_restore does not give it; the row counts cover goose_db_version
	}
	if err != nil {
		if !errors.Is(err, ErrCorrupt) {
			err = fmt.Errorf("%w: %w", ErrCorrupt, err)
		}
		return err
	}
	if st.version >= 0 && st.version != m.SchemaVersion {
		return fmt.Errorf("%w: schema version %d, the manifest says %d", ErrCorrupt, st.version, m.SchemaVersion)
	}
	return compareRows(st.rows, m.Rows)
}

// decompressCheck decompresses the database file f of the backup in dir
// into raw (nothing when raw is "") and checks the bytes' length and
// SHA-256 against the manifest.
func decompressCheck(ctx context.Context, dir string, f ManifestFile, raw string) error {
	n, sum, err := decompressFile(ctx, codecZstd, filepath.Join(dir, f.Name), raw, f.RawSize)
	if err != nil {
		return fmt.Errorf("%w: decompress: %w", ErrCorrupt, err)
	}
	if n != f.RawSize {
		return fmt.Errorf("%w: decompresses to %d bytes, the manifest says %d", ErrCorrupt, n, f.RawSize)
	}
	if sum != f.RawSHA256 {
		return fmt.Errorf("%w: decompresses to bytes of sha256 %s, the manifest says %s", ErrCorrupt, sum, f.RawSHA256)
	}
	return nil
}

// compareRows reports every table whose count differs from the manifest's,
// and every table only one side has.
func compareRows(got, want map[string]int64) error {
	var diffs []string
	for _, t := range slices.Sorted(maps.Keys(want)) {
		n, ok := got[t]
		switch {
		case !ok:
			diffs = append(diffs, fmt.Sprintf("table %s is missing (the manifest says %d rows)", t, want[t]))
		case n != want[t]:
			diffs = append(diffs, fmt.Sprintf("table %s has %d rows, the manifest says %d", t, n, want[t]))
		}
	}
	for _, t := range slices.Sorted(maps.Keys(got)) {
		if _, ok := want[t]; !ok {
			diffs = append(diffs, fmt.Sprintf("table %s (%d rows) is not in the manifest", t, got[t]))
		}
	}
	if len(diffs) > 0 {
		return fmt.Errorf("%w: %s", ErrCorrupt, strings.Join(diffs, "; "))
	}
	return nil
}

// countDumpRows checks a pg_dump custom archive with pg_restore --list,
// then counts the rows of every table's COPY block in pg_restore's
// data-only SQL output.
func countDumpRows(ctx context.Context, path string) (map[string]int64, error) {
	prog, err := findTool("pg_restore")
	if err != nil {
		return nil, err
	}
	if err := run(ctx, nil, nil, prog, "--list", path); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	cmd := exec.CommandContext(ctx, prog, "--data-only", "--file=-", path)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("pg_restore: %w", err)
	}
	rows, perr := parseCopyRows(out)
	if perr != nil {
		_, _ = io.Copy(io.Discard, out)
	}
	if err := cmd.Wait(); err != nil {
		return nil, fmt.Errorf("%w: pg_restore --data-only: %w: %s", ErrCorrupt, err, lastLines(stderr.String(), 5))
	}
	if perr != nil {
		return nil, fmt.Errorf("%w: pg_restore --data-only output: %w", ErrCorrupt, perr)
	}
	return rows, nil
}

// parseCopyRows counts the data rows of each "COPY schema.table (...) FROM
// stdin;" block, up to its "\." line. In COPY's text format a row is one
// line: newlines in values are escaped.
func parseCopyRows(r io.Reader) (map[string]int64, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<30)
	rows := map[string]int64{}
	table := ""
	for sc.Scan() {
		line := sc.Text()
		if table != "" {
			if line == `\.` {
				table = ""
				continue
			}
			rows[table]++
			continue
		}
		if !strings.HasPrefix(line, "COPY ") || !strings.HasSuffix(line, " FROM stdin;") {
			continue
		}
		name, err := copyTable(strings.TrimSuffix(strings.TrimPrefix(line, "COPY "), " FROM stdin;"))
		if err != nil {
			return nil, fmt.Errorf("%q: %w", line, err)
		}
		if _, dup := rows[name]; dup {
			return nil, fmt.Errorf("table %s copied twice", name)
		}
		rows[name] = 0
		table = name
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if table != "" {
		return nil, fmt.Errorf("COPY of %s has no end", table)
	}
	return rows, nil
}

// copyTable returns the table of a COPY statement's target,
// `schema.table (a, b)` or `"Odd ""name""" (a)`, without schema or quotes.
func copyTable(s string) (string, error) {
	var parts []string
	for {
		var part string
		if strings.HasPrefix(s, `"`) {
			i := 1
			var b strings.Builder
			for {
				j := strings.IndexByte(s[i:], '"')
				if j < 0 {
					return "", errors.New("unterminated quoted name")
				}
				b.WriteString(s[i : i+j])
				i += j + 1
				if i < len(s) && s[i] == '"' {
					b.WriteByte('"')
					i++
					continue
				}
				break
			}
			part, s = b.String(), s[i:]
		} else {
			j := strings.IndexAny(s, ". ")
			if j < 0 {
				j = len(s)
			}
			part, s = s[:j], s[j:]
		}
		if part == "" {
			return "", errors.New("empty name")
		}
		parts = append(parts, part)
		if !strings.HasPrefix(s, ".") {
			break
		}
		s = s[1:]
	}
	if len(parts) > 2 {
		return "", errors.New("name of more than two parts")
	}
	return parts[len(parts)-1], nil
}

// verifyConfig unpacks the configuration archive (when it can) and checks
// that it belongs to this backup.
func verifyConfig(dir string, m *Manifest, f ManifestFile, ids []age.Identity) error {
	in, err := os.Open(filepath.Join(dir, f.Name))
	if err != nil {
		return err
	}
	defer in.Close()
	a, err := ReadConfigArchive(in, ids...)
	if errors.Is(err, ErrEncrypted) {
		return nil // size and checksum were checked
	}
	if err != nil {
		return fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	if a.Meta.ID != m.ID || a.Meta.SchemaVersion != m.SchemaVersion || a.Meta.Dialect != m.Dialect {
		return fmt.Errorf("%w: the archive is of backup %s (%s schema version %d), the manifest says %s (%s schema version %d)",
			ErrCorrupt, a.Meta.ID, a.Meta.Dialect, a.Meta.SchemaVersion, m.ID, m.Dialect, m.SchemaVersion)
	}
	return nil
}
