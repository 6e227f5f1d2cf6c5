// Package backup is the host side of backups: a consistent snapshot of the
// live database (SQLite: VACUUM INTO; PostgreSQL: pg_dump of an exported
// snapshot), compressed with zstd, a configuration archive beside it
// (encrypted with age when a recipient is configured), a manifest, a
// verification of all of it, and the upload to every backup target. The
// manifest goes to a target last: a backup without one does not count.
//
// A backup on a target is a few objects under its id:
//
//	20261205T000000Z-office-3fa2/db.sqlite.zst      (or db.pgdump.zst)
//	20261205T000000Z-office-3fa2/config.tar.zst     (or config.tar.zst.age)
//	20261205T000000Z-office-3fa2/manifest.json
package backup

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"filippo.io/age"
	"github.com/crewplan/crewplan/host/internal/store"
	sdkbackup "github.com/crewplan/crewplan/sdk/backup"
)

// Step names a stage of a backup, for progress reports.
type Step string

// The steps of a backup, in order, and of a download.
const (
	StepSnapshot Step = "snapshot"
	StepCompress Step = "compress"
	StepVerify   Step = "verify"
	StepUpload   Step = "upload"
	StepDownload Step = "download"
)

// Progress is a progress report: Done of Total bytes of Step (Total is 0
// when unknown, as during a snapshot).
type Progress struct {
	Step  Step
	Done  int64
	Total int64
}

// ErrNoTarget means no target holds the backup: none was given, or every
// one failed.
var ErrNoTarget = errors.New("no target holds the backup")

// Options says how to take a backup.
type Options struct {
	// Kind says why the backup is taken; KindManual when empty.
	Kind Kind
	// AppVersion is crewplan's version, recorded in the manifest.
	AppVersion string
	// Host names this machine in the manifest and the id; os.Hostname
	// when empty.
	Host string
	// DatabaseURL is the PostgreSQL URL pg_dump connects with (the
	// store's URL). SQLite ignores it.
	DatabaseURL string
	// Config is the configuration to archive with the database. Without
	// Recipient the archive is stored in the clear: pass the files'
	// redacted form.
	Config []File
	// Recipient is an age X25519 recipient ("age1..."). When set, the
	// configuration archive is encrypted to it and may hold secrets.
	Recipient string
	// Targets are where the backup goes, by name.
	Targets map[string]sdkbackup.Target
	// TempDir is where the work folder is made; os.TempDir when empty. It
	// needs room for the database twice over.
	TempDir string
	// Progress, when not nil, is told how each step advances. It is
	// called from the backup's goroutines, one call at a time.
	Progress func(Progress)
	// Log gets a line per backup and per failed target; nothing when nil.
	Log *slog.Logger
}

// Result is what Create did.
type Result struct {
	// Manifest is the backup's manifest, as uploaded.
	Manifest *Manifest
	// Uploads has one entry per target, sorted by name.
	Uploads []Upload
}

// Upload is the outcome of storing a backup on one target.
type Upload struct {
	// Target is the target's name.
	Target string
	// Err is why the target does not hold the backup; nil when it does.
	Err error
}

// Err joins the errors of the targets that failed; nil when every target
// holds the backup.
func (r *Result) Err() error {
	var errs []error
	for _, u := range r.Uploads {
		if u.Err != nil {
			errs = append(errs, fmt.Errorf("target %s: %w", u.Target, u.Err))
		}
	}
	return errors.Join(errs...)
}

// Create takes a backup of the store and stores it on every target: it
// snapshots the database into a work folder, compresses it, archives the
// configuration, verifies all of it, then uploads the files and last the
// manifest to each target independently. A target that fails gets its
// error in the result and the others still get the backup; Create fails
// with ErrNoTarget only when no target holds it. The work folder is always
// removed.
func Create(ctx context.Context, s *store.Store, opts Options) (*Result, error) {
	if len(opts.Targets) == 0 {
		return nil, fmt.Errorf("backup: %w: no target configured", ErrNoTarget)
	}
	dir, err := os.MkdirTemp(opts.TempDir, "crewplan-backup-")
	if err != nil {
		return nil, fmt.Errorf("backup: work folder: %w", err)
	}
	defer os.RemoveAll(dir)
	m, err := Build(ctx, s, dir, opts)
	if err != nil {
		return nil, err
	}
	res := &Result{Manifest: m, Uploads: UploadAll(ctx, dir, m, opts.Targets, opts.Progress)}
	log := logger(opts.Log)
	ok := 0
	for _, u := range res.Uploads {
		if u.Err != nil {
			log.Warn("backup not stored on target", slog.String("id", m.ID), slog.String("target", u.Target), slog.Any("error", u.Err))
			continue
		}
		ok++
	}
	if ok == 0 {
		return res, fmt.Errorf("backup %s: %w: %w", m.ID, ErrNoTarget, res.Err())
	}
	log.Info("backup stored", slog.String("id", m.ID), slog.String("kind", string(m.Kind)), slog.Int("targets", ok), slog.Int("failed", len(res.Uploads)-ok))
	return res, nil
}

func logger(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.New(slog.DiscardHandler)
	}
	return l
}

// Build takes a backup into dir, an empty folder: the compressed database,
// the configuration archive and, once both are verified, manifest.json. It
// returns the manifest. Create calls it; it is exported for benchmarks and
// for writing a backup straight to a folder.
func Build(ctx context.Context, s *store.Store, dir string, opts Options) (*Manifest, error) {
	var rcpt age.Recipient
	if opts.Recipient != "" {
		r, err := age.ParseX25519Recipient(opts.Recipient)
		if err != nil {
			return nil, fmt.Errorf("backup: age recipient %q: %w (want an X25519 recipient, \"age1...\", as age-keygen prints)", opts.Recipient, err)
		}
		rcpt = r
	}
	kind := opts.Kind
	if kind == "" {
		kind = KindManual
	}
	if !kind.Valid() {
		return nil, fmt.Errorf("backup: kind %q: want scheduled, manual or safety", kind)
	}
	host := opts.Host
	if host == "" {
		host, _ = os.Hostname()
	}
	if host == "" {
		host = "host"
	}
	progress := func(p Progress) {
		if opts.Progress != nil {
			opts.Progress(p)
		}
	}

	created := time.Now().UTC().Truncate(time.Millisecond)
	m := &Manifest{
		Format:     FormatVersion,
		ID:         NewID(created, host),
		Kind:       kind,
		Created:    created,
		Host:       host,
		AppVersion: opts.AppVersion,
	}

	progress(Progress{Step: StepSnapshot})
	snap, err := takeSnapshot(ctx, s, dir, opts.DatabaseURL)
	if err != nil {
		return nil, fmt.Errorf("backup %s: %w", m.ID, err)
	}
	defer os.Remove(snap.path)
	m.Dialect, m.SchemaVersion, m.Rows = snap.dialect, snap.version, snap.rows
	fi, err := os.Stat(snap.path)
	if err != nil {
		return nil, fmt.Errorf("backup %s: %w", m.ID, err)
	}
	progress(Progress{Step: StepSnapshot, Done: fi.Size(), Total: fi.Size()})

	// A SQLite copy is checked (integrity, schema version, row counts)
	// while it compresses, on the other core; the compressed file is then
	// checked to decompress to exactly the bytes that passed.
	checked := make(chan error, 1)
	if snap.dialect == store.DialectSQLite {
		go func() {
			st, err := inspectSQLite(ctx, snap.path, true)
			m.SchemaVersion, m.Rows = st.version, st.rows
			checked <- err
		}()
	} else {
		checked <- nil
	}
	var done int64
	db, err := compressFile(ctx, codecZstd, snap.path, filepath.Join(dir, snap.name+".zst"), func(n int64) {
		done += n
		progress(Progress{Step: StepCompress, Done: done, Total: fi.Size()})
	})
	if cerr := <-checked; cerr != nil {
		return nil, fmt.Errorf("backup %s: the copy of the database fails its check: %w", m.ID, cerr)
	}
	if err != nil {
		return nil, fmt.Errorf("backup %s: %w", m.ID, err)
	}
	_ = os.Remove(snap.path)
	db.Name, db.Role = snap.name+".zst", RoleDatabase

	cfg, err := writeConfig(dir, m, opts.Config, rcpt)
	if err != nil {
		return nil, fmt.Errorf("backup %s: %w", m.ID, err)
	}
	m.Files = []ManifestFile{db, cfg}

	if err := verifyBuilt(ctx, dir, m, VerifyOptions{Progress: opts.Progress}); err != nil {
		return nil, err
	}
	m.Verified = time.Now().UTC().Truncate(time.Millisecond)
	if m.Verified.Before(m.Created) {
		m.Verified = m.Created // the clock stepped back
	}
	b, err := m.Marshal()
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, ManifestName), b, 0o600); err != nil {
		return nil, fmt.Errorf("backup %s: write manifest: %w", m.ID, err)
	}
	return m, nil
}

// writeConfig writes the configuration archive into dir and returns its
// manifest entry.
func writeConfig(dir string, m *Manifest, files []File, rcpt age.Recipient) (ManifestFile, error) {
	meta := ConfigMeta{ID: m.ID, Created: m.Created, AppVersion: m.AppVersion, Dialect: m.Dialect, SchemaVersion: m.SchemaVersion}
	data, raw, rawSum, err := buildConfigArchive(meta, files, rcpt)
	if err != nil {
		return ManifestFile{}, fmt.Errorf("config archive: %w", err)
	}
	f := ManifestFile{Name: "config.tar.zst", Role: RoleConfig, RawSize: raw, RawSHA256: rawSum, Encrypted: rcpt != nil}
	if rcpt != nil {
		f.Name += ".age"
	}
	w, err := createHashed(filepath.Join(dir, f.Name))
	if err != nil {
		return ManifestFile{}, fmt.Errorf("config archive: %w", err)
	}
	_, err = w.Write(data)
	size, sum, cerr := w.close()
	if err = errors.Join(err, cerr); err != nil {
		return ManifestFile{}, fmt.Errorf("config archive: %w", err)
	}
	f.Size, f.SHA256 = size, sum
	return f, nil
}

// UploadAll stores the backup in dir (as Build left it) on every target at
// once, the files first and the manifest last, and returns one Upload per
// target, sorted by name. A target that fails is cleaned of what it got,
// as far as it lets itself be.
func UploadAll(ctx context.Context, dir string, m *Manifest, targets map[string]sdkbackup.Target, progress func(Progress)) []Upload {
	names := slices.Sorted(maps.Keys(targets))
	each := m.Size() // bytes to send to each target
	if fi, err := os.Stat(filepath.Join(dir, ManifestName)); err == nil {
		each += fi.Size()
	}
	total := each * int64(len(names))
	var mu sync.Mutex // one progress call at a time
	var done int64
	add := func(n int64) {
		mu.Lock()
		defer mu.Unlock()
		done += n
		if progress != nil {
			progress(Progress{Step: StepUpload, Done: done, Total: total})
		}
	}
	ups := make([]Upload, len(names))
	var wg sync.WaitGroup
	for i, name := range names {
		ups[i].Target = name
		wg.Go(func() {
			var sent int64
			ups[i].Err = upload(ctx, dir, m, targets[name], func(n int64) { sent += n; add(n) })
			if sent < each {
				add(each - sent) // a failed target's share counts as done, so the bar ends full
			}
		})
	}
	wg.Wait()
	return ups
}

func upload(ctx context.Context, dir string, m *Manifest, t sdkbackup.Target, add func(int64)) (err error) {
	var stored []string
	defer func() {
		if err != nil {
			for _, name := range stored {
				_ = t.Delete(context.WithoutCancel(ctx), name)
			}
		}
	}()
	put := func(file string, size int64) error {
		name := ObjectName(m.ID, file)
		in, err := os.Open(filepath.Join(dir, file))
		if err != nil {
			return err
		}
		defer in.Close()
		obj, err := t.Put(ctx, name, &progressReader{ctx: ctx, r: in, add: add})
		if err != nil {
			return fmt.Errorf("put %s: %w", name, err)
		}
		stored = append(stored, name)
		if obj.Size != size {
			return fmt.Errorf("put %s: the target stored %d bytes of %d", name, obj.Size, size)
		}
		return nil
	}
	for _, f := range m.Files {
		if err := put(f.Name, f.Size); err != nil {
			return err
		}
	}
	fi, err := os.Stat(filepath.Join(dir, ManifestName))
	if err != nil {
		return err
	}
	return put(ManifestName, fi.Size())
}

// Listing is what a target holds.
type Listing struct {
	// Backups are the finished backups, oldest first: those whose
	// manifest parses and whose files are all there at their sizes.
	Backups []*Manifest
	// Skipped are the prefixes that look like backups but do not count,
	// and why: no manifest (unfinished), one that does not parse, or a
	// missing file.
	Skipped []Skipped
}

// Skipped is a backup on a target that does not count.
type Skipped struct {
	ID  string
	Err error
}

// List returns the backups a target holds. Only a backup whose manifest
// exists and parses counts.
func List(ctx context.Context, t sdkbackup.Target) (*Listing, error) {
	objs, err := t.List(ctx, "")
	if err != nil {
		return nil, fmt.Errorf("list backups: %w", err)
	}
	byID := map[string]map[string]int64{}
	for _, o := range objs {
		id, file, ok := strings.Cut(o.Name, "/")
		if !ok || strings.Contains(file, "/") {
			continue
		}
		if _, err := ParseID(id); err != nil {
			continue // not a backup
		}
		if byID[id] == nil {
			byID[id] = map[string]int64{}
		}
		byID[id][file] = o.Size
	}
	l := &Listing{}
	for _, id := range slices.Sorted(maps.Keys(byID)) {
		files := byID[id]
		if _, ok := files[ManifestName]; !ok {
			l.Skipped = append(l.Skipped, Skipped{ID: id, Err: errors.New("no manifest: the backup did not finish")})
			continue
		}
		m, err := getManifest(ctx, t, id)
		if err == nil {
			err = checkListed(m, files)
		}
		if err != nil {
			l.Skipped = append(l.Skipped, Skipped{ID: id, Err: err})
			continue
		}
		l.Backups = append(l.Backups, m)
	}
	return l, nil
}

func checkListed(m *Manifest, files map[string]int64) error {
	for _, f := range m.Files {
		size, ok := files[f.Name]
		switch {
		case !ok:
			return fmt.Errorf("%w: file %s is missing", ErrCorrupt, f.Name)
		case size != f.Size:
			return fmt.Errorf("%w: file %s is %d bytes, the manifest says %d", ErrCorrupt, f.Name, size, f.Size)
		}
	}
	return nil
}

func getManifest(ctx context.Context, t sdkbackup.Target, id string) (*Manifest, error) {
	rc, err := t.Get(ctx, ObjectName(id, ManifestName))
	if err != nil {
		return nil, fmt.Errorf("get manifest of %s: %w", id, err)
	}
	defer rc.Close()
	m, err := ParseManifest(rc)
	if err != nil {
		return nil, err
	}
	if m.ID != id {
		return nil, fmt.Errorf("%w: manifest under %s names backup %s", ErrBadManifest, id, m.ID)
	}
	return m, nil
}

// Fetch downloads the backup id from a target into dir, an empty folder,
// and verifies it (see VerifyDir). It returns the manifest; the files stay
// in dir for the caller.
func Fetch(ctx context.Context, t sdkbackup.Target, id, dir string, opts VerifyOptions) (*Manifest, error) {
	if _, err := ParseID(id); err != nil {
		return nil, err
	}
	m, err := getManifest(ctx, t, id)
	if err != nil {
		return nil, err
	}
	add := reporter(StepDownload, m.Size(), opts.Progress)
	for _, f := range m.Files {
		if err := download(ctx, t, ObjectName(id, f.Name), filepath.Join(dir, f.Name), f.Size, add); err != nil {
			return nil, err
		}
	}
	if err := VerifyDir(ctx, dir, m, opts); err != nil {
		return nil, err
	}
	return m, nil
}

// download copies an object into a new file, reading at most one byte
// more than the manifest's size (more is reported by the check after).
func download(ctx context.Context, t sdkbackup.Target, name, path string, size int64, add func(int64)) error {
	rc, err := t.Get(ctx, name)
	if err != nil {
		return fmt.Errorf("get %s: %w", name, err)
	}
	defer rc.Close()
	out, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("get %s: %w", name, err)
	}
	_, err = io.Copy(out, &progressReader{ctx: ctx, r: io.LimitReader(rc, size+1), add: add})
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("get %s: %w", name, err)
	}
	return nil
}
