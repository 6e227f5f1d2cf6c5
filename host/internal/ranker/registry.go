package ranker

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/crewplan/crewplan/host/internal/store"
)

// Registry is the model registry: module files in Dir, named by their
// SHA-256, and a row per model in the store's ranking_models table. It
// validates a model before recording it and again before activating it,
// and swaps the live model on activation, rollback and deactivation
// without a restart. At most one model is live; none means the rule-based
// ranking decides.
//
// A model runs on the fast or the guarded runtime by the trust rule of
// Runtime.Load: fast when its code hash (Model.CodeSHA256) is one of the
// Runtime's Options.TrustedCode, as every model made from the embedded
// evaluator is by default; guarded otherwise. The registry records a
// model's file hash; the code hash is computed again at every load, from
// the file checked against that hash.
//
// The zero value plus Dir, Store and Runtime is ready to use; a Registry
// must not be copied after first use. Its methods are safe for concurrent
// use: changes take turns, Active never waits.
type Registry struct {
	// Dir is the models directory, created on the first Add.
	Dir string
	// Store holds the ranking_models table.
	Store *store.Store
	// Runtime loads and validates the modules.
	Runtime *Runtime
	// Logger receives a record when the live model changes or the active
	// model cannot be loaded (Open, Refresh); nil discards the log.
	Logger *slog.Logger
	// Features, when set, are the feature names the host scores with, in
	// column order: a model whose metadata names other features is
	// refused (ErrInvalidModel), since it would read the wrong columns.
	Features []string

	mu      sync.Mutex // changes take turns
	live    atomic.Pointer[Model]
	failure atomic.Pointer[loadFailure] // why the active model is not live
}

// loadFailure is why the active model, whose file has SHA-256 sha, failed
// to load at the last Open or Refresh.
type loadFailure struct {
	sha string
	err error
}

// ErrModelFile means a registered model's file is missing, unreadable or
// no longer has the SHA-256 recorded for it.
var ErrModelFile = errors.New("ranking model file does not match the registry")

func (r *Registry) log() *slog.Logger {
	if r.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return r.Logger
}

// Active returns the live model, or nil when none is: the rule-based
// ranking decides then. A model returned here may be closed by a later
// change of the live model; its Score then fails with ReasonClosed and the
// caller falls back as for any other failure.
func (r *Registry) Active() *Model { return r.live.Load() }

// LoadFailure says why the store's active model is not live: what went
// wrong when the last Open or Refresh loaded it. It is nil when the active
// model is live or no model is active. It is safe to call at any time and
// never waits.
func (r *Registry) LoadFailure() error {
	if f := r.failure.Load(); f != nil {
		return f.err
	}
	return nil
}

// Open loads the active model at start-up. A model that fails to load is
// logged, kept as LoadFailure and left out: the registry runs with none,
// and the rule-based ranking decides. Only a failure to read the store is
// returned.
func (r *Registry) Open(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	row, ok, err := r.Store.ActiveRankingModel(ctx)
	if err != nil {
		return fmt.Errorf("open model registry: %w", err)
	}
	r.install(ctx, row, ok)
	return nil
}

// Refresh makes the live model the store's active one again when another
// process (the CLI, another host) changed which model is active: it loads
// the new one as Open does, or leaves none live when none is active. When
// nothing changed it costs one store query, and it does not load again a
// model that failed to (LoadFailure) until another is activated or Open
// is called. Only a failure to read the store is returned.
func (r *Registry) Refresh(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	row, ok, err := r.Store.ActiveRankingModel(ctx)
	if err != nil {
		return fmt.Errorf("refresh model registry: %w", err)
	}
	live, failed := r.live.Load(), r.failure.Load()
	switch {
	case !ok && live == nil:
		r.failure.Store(nil)
		return nil
	case ok && live != nil && live.SHA256() == row.SHA256:
		return nil
	case ok && live == nil && failed != nil && failed.sha == row.SHA256:
		return nil
	}
	r.install(ctx, row, ok)
	return nil
}

// install makes row's model live (none when ok is false), or records why
// it could not load it and leaves none live.
func (r *Registry) install(ctx context.Context, row *store.RankingModel, ok bool) {
	if !ok {
		r.swap(ctx, nil)
		return
	}
	m, err := r.load(ctx, row)
	if err != nil {
		r.log().Error("active ranking model not loaded; ranking by rules",
			slog.Int64("model_id", row.ID), slog.String("name", row.Name), slog.String("version", row.Version),
			slog.String("error", err.Error()))
		r.swap(ctx, nil)
		r.failure.Store(&loadFailure{sha: row.SHA256, err: err})
		return
	}
	r.swap(ctx, m)
}

// Add validates a model's module by loading it (ABI version, exports and
// their types, parameters, metadata and feature names, a smoke call) and
// only then writes it to Dir/<sha256>.wasm, atomically, and records it,
// inactive. Name and version come from the model's metadata, the card
// from its "crewplan.card" section (which must be a JSON object when
// present) and the training metrics from the card's "metrics" object
// ("{}" when it has none). A module that fails validation is refused with
// an error matching ErrInvalidModel, one already registered with
// store.ErrConflict; either leaves no file and no row.
func (r *Registry) Add(ctx context.Context, wasm []byte) (*store.RankingModel, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	m, err := r.loadModule(ctx, wasm)
	if err != nil {
		return nil, fmt.Errorf("add ranking model: %w", err)
	}
	defer m.Close(ctx)
	meta := m.Meta()
	row := &store.RankingModel{
		Name:    meta.Name,
		Version: meta.Version,
		SHA256:  m.SHA256(),
		File:    m.SHA256() + ".wasm",
		Card:    "{}",
		Metrics: "{}",
	}
	if card := m.Card(); len(card) > 0 {
		var c map[string]json.RawMessage
		if err := json.Unmarshal(card, &c); err != nil || c == nil {
			return nil, &invalidModel{err: fmt.Errorf("add ranking model %s %s: its crewplan.card section is not a JSON object", meta.Name, meta.Version)}
		}
		row.Card = string(card)
		var metrics map[string]json.RawMessage
		if raw, ok := c["metrics"]; ok && json.Unmarshal(raw, &metrics) == nil && metrics != nil {
			row.Metrics = string(raw)
		}
	}

	path := filepath.Join(r.Dir, row.File)
	_, statErr := os.Stat(path)
	existed := statErr == nil
	if err := writeFileAtomic(r.Dir, row.File, wasm); err != nil {
		return nil, fmt.Errorf("add ranking model %s %s: %w", meta.Name, meta.Version, err)
	}
	if err := r.Store.AddRankingModel(ctx, row); err != nil {
		if !existed {
			_ = os.Remove(path)
		}
		return nil, err
	}
	r.log().Info("ranking model added", slog.Int64("model_id", row.ID), slog.String("name", row.Name),
		slog.String("version", row.Version), slog.String("sha256", row.SHA256))
	return row, nil
}

// Activate makes model id the live model: it reads the model's file,
// checks that its SHA-256 is the one recorded (ErrModelFile otherwise),
// loads and validates it (ErrInvalidModel when it fails), and only then
// marks it active and swaps it in; the model live before is closed after
// the swap. On any failure nothing changes.
func (r *Registry) Activate(ctx context.Context, id int64) (*store.RankingModel, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	row, err := r.Store.GetRankingModel(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("activate ranking model: %w", err)
	}
	m, err := r.load(ctx, row)
	if err != nil {
		return nil, fmt.Errorf("activate ranking model %d: %w", id, err)
	}
	if row, err = r.Store.ActivateRankingModel(ctx, id); err != nil {
		_ = m.Close(ctx)
		return nil, err
	}
	r.swap(ctx, m)
	return row, nil
}

// Rollback makes the model active before the current one live again (see
// store.RollbackRankingModel), checked and loaded as Activate does. The
// error matches store.ErrNoPreviousModel when there is none; on any
// failure nothing changes.
func (r *Registry) Rollback(ctx context.Context) (*store.RankingModel, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	prev, err := r.Store.PreviousRankingModel(ctx)
	if err != nil {
		return nil, err
	}
	m, err := r.load(ctx, prev)
	if err != nil {
		return nil, fmt.Errorf("roll back to ranking model %d: %w", prev.ID, err)
	}
	var row *store.RankingModel
	err = r.Store.InTx(ctx, func(tx *store.Store) error {
		var err error
		if row, err = tx.RollbackRankingModel(ctx); err != nil {
			return err
		}
		if row.ID != prev.ID {
			// Another host changed the registry since prev was read.
			return fmt.Errorf("roll back to ranking model %d: %w: the registry changed meanwhile (now model %d); try again", prev.ID, store.ErrConflict, row.ID)
		}
		return nil
	})
	if err != nil {
		_ = m.Close(ctx)
		return nil, err
	}
	r.swap(ctx, m)
	return row, nil
}

// Deactivate leaves no model active or live: the rule-based ranking
// decides again. The model live before is closed.
func (r *Registry) Deactivate(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.Store.DeactivateRankingModels(ctx); err != nil {
		return err
	}
	r.swap(ctx, nil)
	return nil
}

// Close closes the live model; the registry has none afterwards. The rows
// are left as they are, so the next Open loads the same model.
func (r *Registry) Close(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if old := r.live.Swap(nil); old != nil {
		return old.Close(ctx)
	}
	return nil
}

// Path returns the path of row's module file: Dir/row.File, or, when
// row.File is not a plain name inside Dir (which Add never records),
// Dir/<row.SHA256>.wasm, the name Add gives. It checks neither that the
// file exists nor its SHA-256; Activate does.
func (r *Registry) Path(row *store.RankingModel) string {
	if !filepath.IsLocal(row.File) {
		return filepath.Join(r.Dir, row.SHA256+".wasm")
	}
	return filepath.Join(r.Dir, row.File)
}

// load reads row's file, checks its SHA-256 and loads it.
func (r *Registry) load(ctx context.Context, row *store.RankingModel) (*Model, error) {
	if !filepath.IsLocal(row.File) {
		return nil, fmt.Errorf("model %s %s: file %q: %w: not a path inside the models directory", row.Name, row.Version, row.File, ErrModelFile)
	}
	path := r.Path(row)
	wasm, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("model %s %s: %w: %s is missing", row.Name, row.Version, ErrModelFile, path)
		}
		return nil, fmt.Errorf("model %s %s: %w: %w", row.Name, row.Version, ErrModelFile, err)
	}
	sum := sha256.Sum256(wasm)
	if got := hex.EncodeToString(sum[:]); got != row.SHA256 {
		return nil, fmt.Errorf("model %s %s: %w: %s has SHA-256 %s, the registry recorded %s; add the module again",
			row.Name, row.Version, ErrModelFile, path, got, row.SHA256)
	}
	return r.loadModule(ctx, wasm)
}

// loadModule loads wasm on the runtime and checks its feature names
// against Features.
func (r *Registry) loadModule(ctx context.Context, wasm []byte) (*Model, error) {
	m, err := r.Runtime.Load(ctx, wasm)
	if err != nil || r.Features == nil {
		return m, err
	}
	if got := m.Meta().Features; !slices.Equal(got, r.Features) {
		_ = m.Close(ctx)
		return nil, &invalidModel{fmt.Errorf("%s: its features (%s) are not the ones crewplan scores with (%d: %s): train it on this version's features",
			m.label, shorten(got), len(r.Features), shorten(r.Features))}
	}
	return m, nil
}

// shorten lists names for a message, the first few only.
func shorten(names []string) string {
	const most = 5
	if len(names) <= most {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s, … %d in all", strings.Join(names[:most], ", "), len(names))
}

// swap makes m the live model, the store's active one (none when m is
// nil), clears LoadFailure and closes the model live before.
func (r *Registry) swap(ctx context.Context, m *Model) {
	r.failure.Store(nil)
	old := r.live.Swap(m)
	if old == m {
		return
	}
	if m != nil {
		r.log().Info("ranking model live", slog.String("sha256", m.SHA256()),
			slog.String("name", m.Meta().Name), slog.String("version", m.Meta().Version),
			slog.String("code_sha256", m.CodeSHA256()), slog.Bool("trusted", m.Trusted()))
	} else if old != nil {
		r.log().Info("no ranking model live; ranking by rules")
	}
	if old != nil {
		if err := old.Close(ctx); err != nil {
			r.log().Warn("close the ranking model swapped out", slog.String("sha256", old.SHA256()), slog.String("error", err.Error()))
		}
	}
}

// writeFileAtomic writes data to dir/name through a temporary file that is
// synced and renamed into place, then syncs dir, so that the name holds
// either nothing or all of data even across a crash.
func writeFileAtomic(dir, name string, data []byte) (err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("models directory: %w", err)
	}
	f, err := os.CreateTemp(dir, ".tmp-*-"+name)
	if err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(f.Name())
		}
	}()
	if _, err = f.Write(data); err != nil {
		return fmt.Errorf("write %s: %w", f.Name(), err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", f.Name(), err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("close %s: %w", f.Name(), err)
	}
	if err = os.Chmod(f.Name(), 0o644); err != nil {
		return fmt.Errorf("chmod %s: %w", f.Name(), err)
	}
	if err = os.Rename(f.Name(), filepath.Join(dir, name)); err != nil {
		return fmt.Errorf("rename into %s: %w", name, err)
	}
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync models directory: %w", err)
	}
	defer d.Close()
	if err = d.Sync(); err != nil {
		return fmt.Errorf("sync models directory: %w", err)
	}
	return nil
}
