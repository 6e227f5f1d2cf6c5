package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// ErrBadCredentials means a sign-in named an unknown user, a disabled user
// or the wrong password; which of these is not said.
var ErrBadCredentials = errors.New("unknown user or wrong password")

// dummyHash is compared against when the user is unknown.
var dummyHash = sync.OnceValue(func() []byte {
	h, _ := bcrypt.GenerateFromPassword([]byte("crewplan: no such user"), bcrypt.DefaultCost)
	return h
})

// MinPasswordLength is the shortest password a user may have.
const MinPasswordLength = 10

// CreateUser adds a user with a bcrypt hash of password.
func (s *Store) CreateUser(ctx context.Context, by Actor, u *User, password string) error {
	var p problems
	if u.Username == "" {
		p.add("username", "is required")
	}
	if !u.Role.Valid() {
		p.add("role", "%q is not a user role (admin, scheduler, viewer)", u.Role)
	}
	if len(password) < MinPasswordLength {
		p.add("password", "must be at least %d characters", MinPasswordLength)
	}
	if len(password) > 72 {
		p.add("password", "must be at most 72 bytes")
	}
	if err := p.err(); err != nil {
		return err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		return fmt.Errorf("hash password: %w", err)
	}
	u.ID = 0
	u.PasswordHash = string(hash)
	return s.InTx(ctx, func(tx *Store) error {
		if err := translate(tx.w(ctx).Create(u).Error, fmt.Sprintf("create user %q", u.Username)); err != nil {
			return err
		}
		return tx.audit(ctx, by, "create", "user", u.Username, "", map[string]any{"username": u.Username, "role": u.Role})
	})
}

// ListUsers returns every user by name.
func (s *Store) ListUsers(ctx context.Context) ([]User, error) {
	var out []User
	return out, translate(s.r(ctx).Order("username").Find(&out).Error, "list users")
}

// Authenticate checks a username and password and returns the user.
func (s *Store) Authenticate(ctx context.Context, username, password string) (*User, error) {
	var users []User
	if err := s.r(ctx).Where("username = ?", username).Limit(1).Find(&users).Error; err != nil {
		return nil, translate(err, "sign in")
	}
	if len(users) == 0 || users[0].Disabled {
		// Spend the same time as a real check so timing tells nothing.
		_ = bcrypt.CompareHashAndPassword(dummyHash(), []byte(password))
		return nil, ErrBadCredentials
	}
	if bcrypt.CompareHashAndPassword([]byte(users[0].PasswordHash), []byte(password)) != nil {
		return nil, ErrBadCredentials
	}
	return &users[0], nil
}

// NewSession signs a user in for ttl and returns the session token (for the
// cookie) and the session; only the token's SHA-256 is stored.
func (s *Store) NewSession(ctx context.Context, userID int64, ttl time.Duration) (string, *Session, error) {
	token, err := randomToken()
	if err != nil {
		return "", nil, err
	}
	csrf, err := randomToken()
	if err != nil {
		return "", nil, err
	}
	now := time.Now().UTC()
	sess := &Session{ID: hashToken(token), UserID: userID, CSRFToken: csrf, CreatedAt: now, ExpiresAt: now.Add(ttl), LastSeenAt: now}
	if err := translate(s.w(ctx).Create(sess).Error, "create session"); err != nil {
		return "", nil, err
	}
	return token, sess, nil
}

// SessionUser returns the session of a token and its user; an expired or
// unknown token is ErrNotFound.
func (s *Store) SessionUser(ctx context.Context, token string) (*Session, *User, error) {
	var sess []Session
	if err := s.r(ctx).Where("id = ?", hashToken(token)).Limit(1).Find(&sess).Error; err != nil {
		return nil, nil, translate(err, "read session")
	}
	if len(sess) == 0 || time.Now().After(sess[0].ExpiresAt) {
		return nil, nil, fmt.Errorf("session: %w", ErrNotFound)
	}
	var u User
	if err := s.r(ctx).Where("id = ? AND disabled = ?", sess[0].UserID, false).Take(&u).Error; err != nil {
		return nil, nil, translate(err, "session user")
	}
	return &sess[0], &u, nil
}

// CheckCSRF reports whether token is the session's CSRF token.
func (sess *Session) CheckCSRF(token string) bool {
	return subtle.ConstantTimeCompare([]byte(sess.CSRFToken), []byte(token)) == 1
}

// DeleteSession signs a token out.
func (s *Store) DeleteSession(ctx context.Context, token string) error {
	return translate(s.w(ctx).Where("id = ?", hashToken(token)).Delete(&Session{}).Error, "delete session")
}

// PruneSessions removes expired sessions and returns how many.
func (s *Store) PruneSessions(ctx context.Context) (int64, error) {
	res := s.w(ctx).Where("expires_at < ?", time.Now().UTC()).Delete(&Session{})
	return res.RowsAffected, translate(res.Error, "prune sessions")
}

func randomToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func hashToken(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}
