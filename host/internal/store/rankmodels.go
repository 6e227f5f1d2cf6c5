package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// ErrNoPreviousModel means a rollback found no ranking model to go back to:
// none is active, or the active one is the first ever activated. It
// matches ErrConflict with errors.Is.
var ErrNoPreviousModel = fmt.Errorf("%w: no earlier ranking model to roll back to", ErrConflict)

// RankingModel is one row of the model registry: a ranking model's module,
// kept in the models directory under File, and what is known of it. At
// most one model is Active; none means the rule-based ranking decides.
type RankingModel struct {
	ID int64 `gorm:"primaryKey" json:"id"`
	// Name and Version are what the model's metadata says (sdk/ranker
	// Meta): a name of lowercase letters, digits and dashes.
	Name    string `json:"name"`
	Version string `json:"version"`
	// SHA256 is the lowercase hex SHA-256 of the module file; it is unique.
	SHA256 string `gorm:"column:sha256" json:"sha256"`
	// File is the module's path relative to the models directory.
	File      string    `json:"file"`
	CreatedAt time.Time `json:"created_at"`
	// Metrics holds the training metrics, a JSON object ("{}" when none).
	Metrics string `json:"metrics"`
	// Card is the module's model card, a JSON object ("{}" when none).
	Card   string `json:"card"`
	Active bool   `json:"active"`
	// ActivatedAt is when the model last went live through an activation.
	// A rollback clears it on the model it leaves, so that the order of
	// ActivatedAt is the history the next rollback walks back.
	ActivatedAt *time.Time `json:"activated_at"`
}

// TableName is the table of RankingModel.
func (RankingModel) TableName() string { return "ranking_models" }

// validate checks m before it is added.
func (m *RankingModel) validate() error {
	var p problems
	if m.Name == "" || strings.Trim(m.Name, "abcdefghijklmnopqrstuvwxyz0123456789-") != "" {
		p.add("name", "%q: want lowercase letters, digits and dashes", m.Name)
	}
	if strings.TrimSpace(m.Version) == "" {
		p.add("version", "is required")
	}
	if len(m.SHA256) != 64 || strings.Trim(m.SHA256, "0123456789abcdef") != "" {
		p.add("sha256", "%q: want 64 lowercase hex digits", m.SHA256)
	}
	if m.File == "" {
		p.add("file", "is required")
	}
	for _, f := range []struct {
		name string
		v    *string
	}{{"metrics", &m.Metrics}, {"card", &m.Card}} {
		if *f.v == "" {
			*f.v = "{}"
		}
		var obj map[string]json.RawMessage
		if err := json.Unmarshal([]byte(*f.v), &obj); err != nil || obj == nil {
			p.add(f.name, "want a JSON object")
		}
	}
	return p.err()
}

// AddRankingModel records a new, inactive ranking model; it sets m.ID and
// m.CreatedAt. Empty Metrics and Card are stored as "{}". A model whose
// SHA-256 is already registered is refused with ErrConflict.
func (s *Store) AddRankingModel(ctx context.Context, m *RankingModel) error {
	what := fmt.Sprintf("add ranking model %s %s", m.Name, m.Version)
	if err := m.validate(); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	m.ID = 0
	m.CreatedAt = time.Now().UTC()
	m.Active, m.ActivatedAt = false, nil
	err := s.w(ctx).Create(m).Error
	if err != nil {
		err = translate(err, what)
		if errors.Is(err, ErrConflict) {
			return fmt.Errorf("%s: %w: a model with SHA-256 %s is already registered", what, ErrConflict, m.SHA256)
		}
		return err
	}
	return nil
}

// ListRankingModels returns every registered ranking model, newest first.
func (s *Store) ListRankingModels(ctx context.Context) ([]RankingModel, error) {
	var out []RankingModel
	err := s.r(ctx).Order("created_at DESC, id DESC").Find(&out).Error
	return out, translate(err, "list ranking models")
}

// GetRankingModel returns one ranking model.
func (s *Store) GetRankingModel(ctx context.Context, id int64) (*RankingModel, error) {
	var m RankingModel
	if err := s.r(ctx).Where("id = ?", id).Take(&m).Error; err != nil {
		return nil, translate(err, fmt.Sprintf("ranking model %d", id))
	}
	return &m, nil
}

// ActiveRankingModel returns the active ranking model; false when none is
// (the rule-based ranking decides).
func (s *Store) ActiveRankingModel(ctx context.Context) (*RankingModel, bool, error) {
	var out []RankingModel
	if err := s.r(ctx).Where("active").Limit(1).Find(&out).Error; err != nil {
		return nil, false, translate(err, "active ranking model")
	}
	if len(out) == 0 {
		return nil, false, nil
	}
	return &out[0], true, nil
}

// ActivateRankingModel makes model id the one active model, in one
// transaction, and records when. Activating the active model changes
// nothing.
func (s *Store) ActivateRankingModel(ctx context.Context, id int64) (*RankingModel, error) {
	what := fmt.Sprintf("activate ranking model %d", id)
	var out *RankingModel
	err := s.InTx(ctx, func(tx *Store) error {
		m, err := tx.lockRankingModel(ctx, id)
		if err != nil {
			return err
		}
		if m.Active {
			out = m
			return nil
		}
		if err := tx.w(ctx).Model(&RankingModel{}).Where("active").Update("active", false).Error; err != nil {
			return translate(err, what)
		}
		now := time.Now().UTC()
		if err := tx.w(ctx).Model(&RankingModel{}).Where("id = ?", id).
			Updates(map[string]any{"active": true, "activated_at": now}).Error; err != nil {
			return translate(err, what)
		}
		m.Active, m.ActivatedAt = true, &now
		out = m
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}

// DeactivateRankingModels leaves no ranking model active: the rule-based
// ranking decides again. The model that was active keeps its ActivatedAt.
func (s *Store) DeactivateRankingModels(ctx context.Context) error {
	err := s.w(ctx).Model(&RankingModel{}).Where("active").Update("active", false).Error
	return translate(err, "deactivate ranking models")
}

// PreviousRankingModel returns the model RollbackRankingModel would
// activate: the one activated last before the active one. The error
// matches ErrNoPreviousModel when there is none.
func (s *Store) PreviousRankingModel(ctx context.Context) (*RankingModel, error) {
	cur, _, err := s.ActiveRankingModel(ctx)
	if err != nil {
		return nil, err
	}
	return s.previousRankingModel(ctx, cur)
}

func (s *Store) previousRankingModel(ctx context.Context, cur *RankingModel) (*RankingModel, error) {
	if cur == nil {
		return nil, fmt.Errorf("roll back ranking model: no model is active: %w", ErrNoPreviousModel)
	}
	var out []RankingModel
	err := s.r(ctx).Where("id <> ? AND activated_at IS NOT NULL", cur.ID).
		Order("activated_at DESC, id DESC").Limit(1).Find(&out).Error
	if err != nil {
		return nil, translate(err, "roll back ranking model")
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("roll back ranking model %s %s: it is the first model activated: %w", cur.Name, cur.Version, ErrNoPreviousModel)
	}
	return &out[0], nil
}

// RollbackRankingModel activates, in one transaction, the model that was
// active before the current one (by ActivatedAt) and returns it. The model
// it leaves loses its ActivatedAt, so a second rollback goes one further
// back. The error matches ErrNoPreviousModel when there is nothing to go
// back to; nothing changes then.
func (s *Store) RollbackRankingModel(ctx context.Context) (*RankingModel, error) {
	var out *RankingModel
	err := s.InTx(ctx, func(tx *Store) error {
		var cur []RankingModel
		err := tx.w(ctx).Clauses(clause.Locking{Strength: "UPDATE"}).Where("active").Limit(1).Find(&cur).Error
		if err != nil {
			return translate(err, "roll back ranking model")
		}
		var c *RankingModel
		if len(cur) > 0 {
			c = &cur[0]
		}
		prev, err := tx.previousRankingModel(ctx, c)
		if err != nil {
			return err
		}
		what := fmt.Sprintf("roll back ranking model %s %s to %s %s", c.Name, c.Version, prev.Name, prev.Version)
		if err := tx.w(ctx).Model(&RankingModel{}).Where("id = ?", c.ID).
			Updates(map[string]any{"active": false, "activated_at": gorm.Expr("NULL")}).Error; err != nil {
			return translate(err, what)
		}
		if err := tx.w(ctx).Model(&RankingModel{}).Where("id = ?", prev.ID).Update("active", true).Error; err != nil {
			return translate(err, what)
		}
		prev.Active = true
		out = prev
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// lockRankingModel reads a ranking model inside s's transaction and, on
// PostgreSQL, locks its row.
func (s *Store) lockRankingModel(ctx context.Context, id int64) (*RankingModel, error) {
	var m RankingModel
	err := s.w(ctx).Clauses(clause.Locking{Strength: "UPDATE"}).Where("id = ?", id).Take(&m).Error
	if err != nil {
		return nil, translate(err, fmt.Sprintf("ranking model %d", id))
	}
	return &m, nil
}

// rankerShadow is the one row of the ranker_shadow table.
type rankerShadow struct {
	ID        int64 `gorm:"primaryKey"`
	Shadow    bool
	UpdatedBy string
	UpdatedAt time.Time
}

func (rankerShadow) TableName() string { return "ranker_shadow" }

// RankerShadow returns the stored shadow mode of the ranking model: set is
// false when none is stored (the configuration decides then).
func (s *Store) RankerShadow(ctx context.Context) (on, set bool, err error) {
	var rows []rankerShadow
	if err := s.r(ctx).Find(&rows).Error; err != nil {
		return false, false, translate(err, "read the ranker's shadow mode")
	}
	if len(rows) == 0 {
		return false, false, nil
	}
	return rows[0].Shadow, true, nil
}

// SetRankerShadow stores the shadow mode of the ranking model (nil: clears
// it, so that the configuration decides), and audits the change.
func (s *Store) SetRankerShadow(ctx context.Context, by Actor, on *bool) error {
	return s.InTx(ctx, func(tx *Store) error {
		if on == nil {
			if err := tx.w(ctx).Where("id = 1").Delete(&rankerShadow{}).Error; err != nil {
				return translate(err, "clear the ranker's shadow mode")
			}
			return tx.audit(ctx, by, "delete", "ranker_shadow", "1", "", nil)
		}
		row := rankerShadow{ID: 1, Shadow: *on, UpdatedBy: string(by), UpdatedAt: time.Now().UTC()}
		err := tx.w(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "id"}}, DoUpdates: clause.AssignmentColumns([]string{"shadow", "updated_by", "updated_at"})}).Create(&row).Error
		if err := translate(err, "store the ranker's shadow mode"); err != nil {
			return err
		}
		return tx.audit(ctx, by, "update", "ranker_shadow", "1", "", map[string]any{"shadow": *on})
	})
}
