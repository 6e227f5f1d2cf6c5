package testinstance

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/crewplan/crewplan/host/internal/config"
)

// Check is one line of Verify's report.
type Check struct {
	// What is checked, such as "production answers".
	What string
	// OK is whether it holds.
	OK bool
	// Detail says what was found and, when it does not hold, what to do.
	Detail string
}

// String renders the check as "✓ what: detail" or "✗ what: detail".
func (c Check) String() string {
	mark := "✓"
	if !c.OK {
		mark = "✗"
	}
	return fmt.Sprintf("%s %s: %s", mark, c.What, c.Detail)
}

// Verify checks that the test instance and production are apart: both
// answer on their own ports (production without the test header, the test
// instance with it), their databases are different ones, production's
// database has the schema version and checksum the copy recorded (the
// test instance wrote nothing to it), sync is off in the test profile,
// and each logs to a file of its own that exists.
func (p *Pair) Verify(ctx context.Context) []Check {
	var out []Check
	add := func(what string, ok bool, format string, args ...any) {
		out = append(out, Check{What: what, OK: ok, Detail: fmt.Sprintf(format, args...)})
	}

	prod := probe(ctx, p.Prod.Server)
	switch {
	case prod.err != nil:
		add("production answers", false, "nothing answers on %s (%v): start production (crewplan serve)", prod.url, prod.err)
	case prod.instance == "test":
		add("production answers", false, "the server on %s, production's port, is a test instance", prod.url)
	case prod.status != 200:
		add("production answers", false, "%s/readyz answered %d: see production's log", prod.url, prod.status)
	default:
		add("production answers", true, "on %s", prod.url)
	}
	test := probe(ctx, p.Test.Server)
	switch {
	case test.err != nil:
		add("test instance answers", false, "nothing answers on %s (%v): start it (crewplan serve --profile test)", test.url, test.err)
	case test.instance != "test":
		add("test instance answers", false, "the server on %s does not say it is a test instance (no %s: test header): it is not the test profile's crewplan", test.url, config.TestInstanceHeader)
	case test.status != 200:
		add("test instance answers", false, "%s/readyz answered %d: see the test instance's log", test.url, test.status)
	default:
		add("test instance answers", true, "on %s, marked %s: test", test.url, config.TestInstanceHeader)
	}

	p.checkDatabases(add)
	p.checkProduction(ctx, add)

	if p.Test.Sync.Enabled {
		add("sync off in test", false, "sync.enabled is on in the test profile: turn it off")
	} else {
		add("sync off in test", true, "sync.enabled is off")
	}
	p.checkLogs(add)
	return out
}

// Failed returns how many checks failed.
func Failed(checks []Check) int {
	n := 0
	for _, c := range checks {
		if !c.OK {
			n++
		}
	}
	return n
}

// checkDatabases checks the two databases are different ones.
func (p *Pair) checkDatabases(add func(string, bool, string, ...any)) {
	const what = "databases differ"
	pd, td := p.Prod.Database, p.Test.Database
	if pd.Driver() != config.DriverSQLite || td.Driver() != config.DriverSQLite {
		if config.SameDatabase(pd, td) {
			add(what, false, "the test instance's database is production's: give the test profile a database of its own")
		} else {
			add(what, true, "production %s, test %s", dbName(pd), dbName(td))
		}
		return
	}
	pi, perr := os.Stat(pd.Path())
	ti, terr := os.Stat(td.Path())
	switch {
	case perr != nil:
		add(what, false, "production's database: %v", perr)
	case terr != nil:
		add(what, false, "the test instance's database: %v: run `crewplan testinstance create`", terr)
	case os.SameFile(pi, ti):
		add(what, false, "%s and %s are one file: give the test profile a database of its own", dbName(pd), dbName(td))
	default:
		add(what, true, "production %s, test %s", dbName(pd), dbName(td))
	}
}

// checkProduction compares production's schema version and checksum with
// those the copy recorded.
func (p *Pair) checkProduction(ctx context.Context, add func(string, bool, string, ...any)) {
	const what = "production unchanged"
	if exists, err := p.testDBExists(ctx); err != nil || !exists {
		if err == nil {
			err = errors.New("there is none: run `crewplan testinstance create`")
		}
		add(what, false, "the test instance's database: %v", err)
		return
	}
	t, err := p.openTest(ctx)
	if err != nil {
		add(what, false, "%v", err)
		return
	}
	defer t.Close()
	rec, ok, err := t.TestInstance(ctx)
	if err == nil && !ok {
		err = errors.New("it records no copy of production: run `crewplan testinstance create`")
	}
	if err != nil {
		add(what, false, "the test instance's database: %v", err)
		return
	}
	prod, err := p.openProduction(ctx)
	if err != nil {
		add(what, false, "%v", err)
		return
	}
	defer prod.Close()
	st, err := prod.MigrationStatus(ctx)
	if err != nil {
		add(what, false, "production's schema version: %v", err)
		return
	}
	sum, err := prod.Checksum(ctx)
	if err != nil {
		add(what, false, "production's database: %v", err)
		return
	}
	created := rec.CreatedAt.Local().Format("2006-01-02 15:04:05")
	switch changed := rec.ProductionChecksum.Differs(sum); {
	case st.Current != rec.ProductionSchema:
		add(what, false, "production's schema version is %d, it was %d when the copy was made (%s): something migrated production",
			st.Current, rec.ProductionSchema, created)
	case len(changed) > 0:
		add(what, false, "production's data changed since the copy was made (%s), in %s: production's own work (people planning, its automatic runs) changes it too; if it did not run, look at what touched it",
			created, strings.Join(changed, ", "))
	default:
		add(what, true, "schema version %d and checksum %s… as when the copy was made (%s)", st.Current, sum.All[:12], created)
	}
}

// checkLogs checks each instance logs to a file of its own, and both
// files exist.
func (p *Pair) checkLogs(add func(string, bool, string, ...any)) {
	const what = "separate logs"
	pf, tf := p.Prod.Log.File, p.Test.Log.File
	switch {
	case pf == "":
		add(what, false, "production logs to standard error only: set log.file in production.yaml")
		return
	case tf == "":
		add(what, false, "the test instance logs to standard error only: set log.file in test.yaml")
		return
	}
	pa, _ := filepath.Abs(pf)
	ta, _ := filepath.Abs(tf)
	pi, perr := os.Stat(pf)
	ti, terr := os.Stat(tf)
	switch {
	case pa == ta || (perr == nil && terr == nil && os.SameFile(pi, ti)):
		add(what, false, "both log to %s: give the test profile a log.file of its own", pa)
	case perr != nil:
		add(what, false, "production's log %s: %v", pa, perr)
	case terr != nil:
		add(what, false, "the test instance's log %s: %v", ta, terr)
	default:
		add(what, true, "production %s, test %s", pa, ta)
	}
}
