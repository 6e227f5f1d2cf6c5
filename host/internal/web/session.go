package web

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"slices"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/crewplan/crewplan/host/internal/store"
)

// Cookie and header names.
const (
	sessionCookie = "crewplan_session"
	// loginCookie carries the token the sign-in form repeats, so that
	// another site cannot post the form (double-submit).
	loginCookie = "crewplan_login"
	csrfHeader  = "X-CSRF-Token"
	csrfField   = "csrf_token"
)

// auth is the signed-in user of a request and their session.
type auth struct {
	session *store.Session
	user    *store.User
}

// actor is who the store records as making a change.
func (a *auth) actor() store.Actor { return store.Actor(a.user.Username) }

// lookupAuth returns the request's signed-in user, nil when the request
// has no valid session. The answer is kept for the rest of the request.
func (s *server) lookupAuth(c *fiber.Ctx) (*auth, error) {
	if a, ok := c.Locals(keyAuth).(*auth); ok {
		return a, nil
	}
	token := c.Cookies(sessionCookie)
	if token == "" {
		return nil, nil
	}
	sess, user, err := s.store.SessionUser(c.UserContext(), token)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	a := &auth{session: sess, user: user}
	c.Locals(keyAuth, a)
	return a, nil
}

// currentAuth returns the auth a guard has checked.
func currentAuth(c *fiber.Ctx) *auth {
	a, _ := c.Locals(keyAuth).(*auth)
	return a
}

// safeMethod reports whether a method only reads.
func safeMethod(m string) bool {
	return m == fiber.MethodGet || m == fiber.MethodHead || m == fiber.MethodOptions
}

// need returns an /api guard: a signed-in user (401), the session's CSRF
// token in X-CSRF-Token on any request that changes something (403), and,
// when roles are given, one of them (403).
func (s *server) need(roles ...store.UserRole) fiber.Handler {
	return func(c *fiber.Ctx) error {
		a, err := s.lookupAuth(c)
		if err != nil {
			return err
		}
		if a == nil {
			return errUnauthorized
		}
		if !safeMethod(c.Method()) && !a.session.CheckCSRF(c.Get(csrfHeader)) {
			return forbidden("missing or wrong " + csrfHeader + " header: send the csrf_token from GET /api/session")
		}
		if len(roles) > 0 && !slices.Contains(roles, a.user.Role) {
			if len(roles) == 1 && roles[0] == store.UserAdmin {
				return forbidden("only an admin may do this")
			}
			return forbidden("a " + string(a.user.Role) + " may read but not change data")
		}
		return c.Next()
	}
}

// sessionBody is the JSON of a signed-in session.
type sessionBody struct {
	User      *store.User `json:"user"`
	CSRFToken string      `json:"csrf_token"`
}

// signInBody is the JSON of POST /api/session.
type signInBody struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// signIn checks a username and password and starts a session: the token
// goes into an HttpOnly cookie, the CSRF token into the answer.
func (s *server) signIn(c *fiber.Ctx) error {
	var in signInBody
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	var p fieldErrs
	if in.Username == "" {
		p.add("body.username", "is required")
	}
	if in.Password == "" {
		p.add("body.password", "is required")
	}
	if err := p.err(http.StatusUnprocessableEntity); err != nil {
		return err
	}
	sess, user, err := s.startSession(c, in.Username, in.Password)
	if err != nil {
		return err
	}
	return c.JSON(sessionBody{User: user, CSRFToken: sess.CSRFToken})
}

// startSession authenticates and sets the session cookie.
func (s *server) startSession(c *fiber.Ctx, username, password string) (*store.Session, *store.User, error) {
	ctx := c.UserContext()
	user, err := s.store.Authenticate(ctx, username, password)
	if err != nil {
		return nil, nil, err
	}
	token, sess, err := s.store.NewSession(ctx, user.ID, s.ttl)
	if err != nil {
		return nil, nil, err
	}
	c.Cookie(&fiber.Cookie{
		Name: sessionCookie, Value: token, Path: "/", Expires: sess.ExpiresAt,
		HTTPOnly: true, Secure: s.secure, SameSite: fiber.CookieSameSiteLaxMode,
	})
	c.Locals(keyAuth, &auth{session: sess, user: user})
	return sess, user, nil
}

// getSession returns the signed-in user and the CSRF token.
func (s *server) getSession(c *fiber.Ctx) error {
	a := currentAuth(c)
	return c.JSON(sessionBody{User: a.user, CSRFToken: a.session.CSRFToken})
}

// signOut ends the session.
func (s *server) signOut(c *fiber.Ctx) error {
	if err := s.endSession(c); err != nil {
		return err
	}
	return c.SendStatus(http.StatusNoContent)
}

// endSession deletes the session and its cookie.
func (s *server) endSession(c *fiber.Ctx) error {
	if err := s.store.DeleteSession(c.UserContext(), c.Cookies(sessionCookie)); err != nil {
		return err
	}
	s.clearCookie(c, sessionCookie, "/")
	return nil
}

// clearCookie tells the browser to forget a cookie.
func (s *server) clearCookie(c *fiber.Ctx, name, path string) {
	c.Cookie(&fiber.Cookie{
		Name: name, Value: "", Path: path, Expires: time.Unix(1, 0), MaxAge: -1,
		HTTPOnly: true, Secure: s.secure, SameSite: fiber.CookieSameSiteLaxMode,
	})
}

// loginData is the login page's data.
type loginData struct {
	Username string
	Message  string
}

// loginPage shows the sign-in form, or sends a signed-in user home.
func (s *server) loginPage(c *fiber.Ctx) error {
	a, err := s.lookupAuth(c)
	if err != nil {
		return err
	}
	if a != nil {
		return c.Redirect("/", http.StatusSeeOther)
	}
	return s.renderLogin(c, http.StatusOK, loginData{})
}

// renderLogin renders the sign-in form with a fresh form token.
func (s *server) renderLogin(c *fiber.Ctx, status int, d loginData) error {
	token := randomHex(32)
	c.Cookie(&fiber.Cookie{
		Name: loginCookie, Value: token, Path: "/login", HTTPOnly: true,
		Secure: s.secure, SameSite: fiber.CookieSameSiteStrictMode,
	})
	return s.render(c, status, "login", pageData{Title: "Sign in", CSRF: token, Data: d})
}

// login signs in from the form and sends the user to the dashboard; a bad
// sign-in shows the form again with a message.
func (s *server) login(c *fiber.Ctx) error {
	form, cookie := c.FormValue(csrfField), c.Cookies(loginCookie)
	d := loginData{Username: c.FormValue("username")}
	if form == "" || subtle.ConstantTimeCompare([]byte(form), []byte(cookie)) != 1 {
		d.Message = "The sign-in form expired. Please sign in again."
		return s.renderLogin(c, http.StatusForbidden, d)
	}
	if _, _, err := s.startSession(c, d.Username, c.FormValue("password")); err != nil {
		if !errors.Is(err, store.ErrBadCredentials) {
			return err
		}
		d.Message = "Unknown user or wrong password."
		return s.renderLogin(c, http.StatusUnauthorized, d)
	}
	s.clearCookie(c, loginCookie, "/login")
	return c.Redirect("/", http.StatusSeeOther)
}

// logout signs out from the form in every page's header.
func (s *server) logout(c *fiber.Ctx) error {
	a, err := s.lookupAuth(c)
	if err != nil {
		return err
	}
	if a == nil {
		return c.Redirect("/login", http.StatusSeeOther)
	}
	if !a.session.CheckCSRF(c.FormValue(csrfField)) {
		return forbidden("The sign-out form is missing its security token. Reload the page and try again.")
	}
	if err := s.endSession(c); err != nil {
		return err
	}
	return c.Redirect("/login", http.StatusSeeOther)
}

// pageAuth is the guard of the pages: a signed-out visitor goes to /login.
func (s *server) pageAuth(c *fiber.Ctx) error {
	a, err := s.lookupAuth(c)
	if err != nil {
		return err
	}
	if a == nil {
		return c.Redirect("/login", http.StatusSeeOther)
	}
	return c.Next()
}
