package store

import (
	"errors"
	"fmt"
	"strings"

	gosqlite "github.com/glebarez/go-sqlite"
	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"
)

// Sentinel errors of the store. Errors the store returns wrap one of them
// with what was wrong.
var (
	// ErrNotFound means the row asked for does not exist.
	ErrNotFound = errors.New("not found")
	// ErrConflict means the change clashes with data already there: a
	// duplicate key, a row still referenced, a locked day.
	ErrConflict = errors.New("conflict")
	// ErrInvalid means the data breaks a rule of the model.
	ErrInvalid = errors.New("invalid")
)

// FieldError is one problem with one field of an input.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// ValidationError lists every problem found with an input. It matches
// ErrInvalid with errors.Is.
type ValidationError struct {
	Fields []FieldError
}

// Error lists the problems, one per line.
func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Field + ": " + f.Message
	}
	return strings.Join(parts, "\n")
}

// Is makes errors.Is(err, ErrInvalid) true.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalid }

// problems collects field errors.
type problems []FieldError

func (p *problems) add(field, format string, args ...any) {
	*p = append(*p, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

func (p problems) err() error {
	if len(p) == 0 {
		return nil
	}
	return &ValidationError{Fields: p}
}

// SQLite extended result codes for constraint failures.
const (
	sqliteConstraintCheck      = 275
	sqliteConstraintForeignKey = 787
	sqliteConstraintTrigger    = 1811 // also raised by ON DELETE RESTRICT
	sqliteConstraintNotNull    = 1299
	sqliteConstraintPrimaryKey = 1555
	sqliteConstraintUnique     = 2067
)

// translate turns a driver error into one of the store's sentinels, keeping
// the driver's text for the log; what names the operation for the message.
func translate(err error, what string) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return fmt.Errorf("%s: %w", what, ErrNotFound)
	}
	var se *gosqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqliteConstraintUnique, sqliteConstraintPrimaryKey:
			return fmt.Errorf("%s: %w: already exists (%v)", what, ErrConflict, err)
		case sqliteConstraintForeignKey, sqliteConstraintTrigger:
			return fmt.Errorf("%s: %w: refers to a missing row or is still referenced (%v)", what, ErrConflict, err)
		case sqliteConstraintCheck, sqliteConstraintNotNull:
			return fmt.Errorf("%s: %w: %v", what, ErrInvalid, err)
		}
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505":
			return fmt.Errorf("%s: %w: already exists (%s)", what, ErrConflict, pe.Detail)
		case "23503":
			return fmt.Errorf("%s: %w: refers to a missing row or is still referenced (%s)", what, ErrConflict, pe.Detail)
		case "23514", "23502", "22007", "22008":
			return fmt.Errorf("%s: %w: %s", what, ErrInvalid, pe.Message)
		}
	}
	return fmt.Errorf("%s: %w", what, err)
}
