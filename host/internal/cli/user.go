package cli

import (
	"bufio"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/crewplan/crewplan/host/internal/store"
)

func newUser(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "user",
		Short: "Manage the people who sign in",
	}
	var role, display string
	var fromStdin bool
	add := &cobra.Command{
		Use:   "add USERNAME",
		Short: "Add a user; the password is read from stdin or generated and printed once",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			r := store.UserRole(role)
			if !r.Valid() {
				return invalid(fmt.Errorf("--role %q is not admin, scheduler or viewer", role))
			}
			password, generated := "", false
			if fromStdin {
				line, err := bufio.NewReader(e.stdin).ReadString('\n')
				if err != nil && line == "" {
					return invalid(errors.New("--password-stdin: no password on standard input"))
				}
				password = strings.TrimRight(line, "\r\n")
			} else {
				b := make([]byte, 15)
				if _, err := rand.Read(b); err != nil {
					return err
				}
				password, generated = base64.RawURLEncoding.EncodeToString(b), true
			}
			s, done, err := e.openStore(cmd.Context(), cmd.Flags())
			if err != nil {
				return err
			}
			defer done()
			ctx := cmd.Context()
			u := &store.User{Username: args[0], DisplayName: display, Role: r}
			if err := s.CreateUser(ctx, store.SystemActor, u, password); err != nil {
				if errors.Is(err, store.ErrInvalid) || errors.Is(err, store.ErrConflict) {
					return invalid(err)
				}
				return err
			}
			fmt.Fprintf(e.stdout, "user %s added (%s)\n", u.Username, u.Role)
			if generated {
				fmt.Fprintf(e.stdout, "password: %s\n(shown once: keep it somewhere safe)\n", password)
			}
			return nil
		},
	}
	add.Flags().StringVar(&role, "role", "scheduler", "admin, scheduler or viewer")
	add.Flags().StringVar(&display, "name", "", "the name shown in the UI")
	add.Flags().BoolVar(&fromStdin, "password-stdin", false, "read the password from the first line of standard input")
	add.Flags().String("db", "", "SQLite file or postgres:// URL (database.url)")
	cmd.AddCommand(add)
	return cmd
}
