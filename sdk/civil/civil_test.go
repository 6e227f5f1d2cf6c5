package civil_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/crewplan/crewplan/sdk/civil"
)

func TestParseDate(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		weekday time.Weekday
		wantErr bool
	}{
		{in: "2026-03-02", want: "2026-03-02", weekday: time.Monday},
		{in: "2026-03-01", want: "2026-03-01", weekday: time.Sunday},
		{in: "2024-02-29", want: "2024-02-29", weekday: time.Thursday},
		{in: "1969-12-31", want: "1969-12-31", weekday: time.Wednesday},
		{in: "0001-01-01", want: "0001-01-01", weekday: time.Monday},
		{in: "2026-02-29", wantErr: true},
		{in: "2026-13-01", wantErr: true},
		{in: "2026-00-10", wantErr: true},
		{in: "2026-3-2", wantErr: true},
		{in: "2026-03-02T08:00", wantErr: true},
		{in: "", wantErr: true},
		{in: "abcd-ef-gh", wantErr: true},
		{in: "0000-01-01", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			d, err := civil.ParseDate(tt.in)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("ParseDate(%q) = %v, want error", tt.in, d)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseDate(%q): %v", tt.in, err)
			}
			if got := d.String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
			if got := d.Weekday(); got != tt.weekday {
				t.Errorf("Weekday() = %v, want %v", got, tt.weekday)
			}
			if got := civil.DateOf(d.Time(time.UTC)); got != d {
				t.Errorf("DateOf(Time()) = %v, want %v", got, d)
			}
		})
	}
}

func TestDateArithmetic(t *testing.T) {
	d := civil.MustParseDate("2026-02-27")
	if got := d.AddDays(2).String(); got != "2026-03-01" {
		t.Errorf("AddDays(2) = %s", got)
	}
	if got := d.WeekStart().String(); got != "2026-02-22" {
		t.Errorf("WeekStart() = %s, want the Sunday 2026-02-22", got)
	}
	if got := civil.MustParseDate("2026-03-01").WeekStart().String(); got != "2026-03-01" {
		t.Errorf("WeekStart of a Sunday = %s", got)
	}
	if n := d.DaysUntil(civil.MustParseDate("2026-03-10")); n != 11 {
		t.Errorf("DaysUntil = %d, want 11", n)
	}
}

func TestDateJSONAndScan(t *testing.T) {
	type doc struct {
		D civil.Date  `json:"d"`
		C civil.Clock `json:"c"`
	}
	var v doc
	if err := json.Unmarshal([]byte(`{"d":"2026-03-05","c":"09:45"}`), &v); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(v)
	if string(b) != `{"d":"2026-03-05","c":"09:45"}` {
		t.Errorf("round trip = %s", b)
	}
	if err := json.Unmarshal([]byte(`{"d":"2026-02-30"}`), &v); err == nil {
		t.Error("2026-02-30 accepted")
	}
	var d civil.Date
	for _, src := range []any{"2026-03-05", []byte("2026-03-05"), time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC), "2026-03-05T00:00:00Z"} {
		if err := d.Scan(src); err != nil || d.String() != "2026-03-05" {
			t.Errorf("Scan(%#v) = %v, %v", src, d, err)
		}
	}
	if err := d.Scan(42); err == nil {
		t.Error("Scan(int) accepted")
	}
}

func TestClock(t *testing.T) {
	for _, s := range []string{"00:00", "09:45", "23:59"} {
		c, err := civil.ParseClock(s)
		if err != nil || c.String() != s {
			t.Errorf("ParseClock(%q) = %v, %v", s, c, err)
		}
	}
	for _, s := range []string{"24:00", "9:45", "09:60", "0945", "ab:cd"} {
		if _, err := civil.ParseClock(s); err == nil {
			t.Errorf("ParseClock(%q) accepted", s)
		}
	}
	dt, err := civil.ParseDateTime("2026-03-04T09:45")
	if err != nil || dt.String() != "2026-03-04T09:45" || dt.Clock.Minutes() != 585 {
		t.Errorf("ParseDateTime = %v, %v", dt, err)
	}
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2026-03-02", "2024-02-29", "0001-01-01", "9999-12-31", "2026-02-30", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := civil.ParseDate(s)
		if err != nil {
			return
		}
		if d.String() != s {
			t.Fatalf("ParseDate(%q).String() = %q", s, d.String())
		}
	})
}

func ExampleDate() {
	d := civil.MustParseDate("2026-03-04")
	fmt.Println(d.AddDays(3), d.Weekday(), d.WeekStart())
	// Output: 2026-03-07 Wednesday 2026-03-01
}
