package web_test

import (
	"net/http"
	"testing"

	"github.com/crewplan/crewplan/host/internal/web"
)

// FuzzDecodeEvent checks that the events' body decoder never panics, that
// what it accepts is a valid event, and that what it refuses is the
// client's fault (400, 415 or 422), never an internal error.
func FuzzDecodeEvent(f *testing.F) {
	for _, seed := range []string{
		`{"ref":612103,"name":"612103-CF-Apple Slices - V2-CORE","start":"2026-03-03","due":"2026-03-10"}`,
		`{"ref":612104,"name":"612103 V2-SUPERVISOR","type":"supervisor","start":"2026-03-03","due":"2026-03-10","parent_ref":612103,"duration_min":5}`,
		`{"ref":1,"name":"DIGITAL TEARDOWN","kind":"teardown","start":"2026-02-28","due":"2026-03-01","condition":"scheduled","store_id":"S1","location_id":"L1","schedule":null}`,
		`{"ref":"612103"}`,
		`{"ref":1,"name":"x","start":"2026-02-30","due":"2026-03-01"}`,
		`{"ref":1,"name":"x","start":"2026-03-05","due":"2026-03-01"}`,
		`{"ref":1,"duraton":30}`,
		`{"ref":1e400}`,
		`{"ref":-1,"name":"","duration_min":99999}`,
		`{} {}`,
		`[]`,
		``,
		`{"name":"\u0000\ud800"}`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		ev, err := web.DecodeEvent("application/json", []byte(body))
		if err != nil {
			switch web.StatusOf(err) {
			case http.StatusBadRequest, http.StatusUnsupportedMediaType, http.StatusUnprocessableEntity:
			default:
				t.Fatalf("%q: status %d: %v", body, web.StatusOf(err), err)
			}
			return
		}
		if verr := ev.Validate(); verr != nil {
			t.Fatalf("%q was accepted but does not validate: %v", body, verr)
		}
		if ev.StartDate.IsZero() || ev.DueDate.IsZero() || ev.DueDate < ev.StartDate {
			t.Fatalf("%q was accepted with window %v..%v", body, ev.StartDate, ev.DueDate)
		}
	})
}
