// Package civil holds the calendar types crewplan schedules with: a Date
// without a time zone and a Clock time of day, both store-local.
//
// Dates are counted in days, so comparing and stepping them is integer
// arithmetic; weeks start on Sunday, as in the scheduling rules.
//
//	d, _ := civil.ParseDate("2026-03-02")
//	next := d.AddDays(1)        // 2026-03-03
//	start := d.WeekStart()      // 2026-03-01, a Sunday
//	at, _ := civil.ParseClock("09:45")
//	fmt.Println(next, at)        // 2026-03-03 09:45
package civil

import (
	"database/sql/driver"
	"errors"
	"fmt"
	"time"
)

// epochOffset is the number of days from 0001-01-01 to 1970-01-01.
const epochOffset = 719162

// Date is a calendar date without a time zone, counted in days since
// 0001-01-01 (which is Date 0, the zero value, meaning "no date").
type Date int32

// DateOf returns the calendar date of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return NewDate(y, m, d)
}

// NewDate returns the date y-m-d. Out-of-range months and days normalise
// as time.Date does.
func NewDate(y int, m time.Month, d int) Date {
	u := time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix()
	return Date(floorDiv(u, 86400) + epochOffset)
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// ErrBadDate is wrapped by the errors ParseDate returns.
var ErrBadDate = errors.New("not a date")

// ParseDate parses a YYYY-MM-DD date. It rejects anything else, including
// dates that do not exist such as 2026-02-30.
func ParseDate(s string) (Date, error) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return 0, fmt.Errorf("%w: %q is not YYYY-MM-DD", ErrBadDate, s)
	}
	y, err1 := atoiDigits(s[0:4])
	m, err2 := atoiDigits(s[5:7])
	d, err3 := atoiDigits(s[8:10])
	if err1 != nil || err2 != nil || err3 != nil {
		return 0, fmt.Errorf("%w: %q is not YYYY-MM-DD", ErrBadDate, s)
	}
	if y < 1 || m < 1 || m > 12 || d < 1 || d > daysIn(time.Month(m), y) {
		return 0, fmt.Errorf("%w: %q does not exist", ErrBadDate, s)
	}
	return NewDate(y, time.Month(m), d), nil
}

// MustParseDate is ParseDate for constants in tests and examples; it panics
// on a bad date.
func MustParseDate(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func atoiDigits(s string) (int, error) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, ErrBadDate
		}
		n = n*10 + int(c-'0')
	}
	return n, nil
}

func daysIn(m time.Month, y int) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// IsZero reports whether d is the zero Date (no date).
func (d Date) IsZero() bool { return d == 0 }

// Time returns midnight of d in loc.
func (d Date) Time(loc *time.Location) time.Time {
	u := (int64(d) - epochOffset) * 86400
	t := time.Unix(u, 0).UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
}

// YMD returns the year, month and day of d.
func (d Date) YMD() (int, time.Month, int) {
	return time.Unix((int64(d)-epochOffset)*86400, 0).UTC().Date()
}

// String returns d as YYYY-MM-DD.
func (d Date) String() string {
	y, m, dd := d.YMD()
	var b [10]byte
	b[0] = byte('0' + y/1000%10)
	b[1] = byte('0' + y/100%10)
	b[2] = byte('0' + y/10%10)
	b[3] = byte('0' + y%10)
	b[4] = '-'
	b[5] = byte('0' + int(m)/10)
	b[6] = byte('0' + int(m)%10)
	b[7] = '-'
	b[8] = byte('0' + dd/10)
	b[9] = byte('0' + dd%10)
	return string(b[:])
}

// AddDays returns d plus n days (n may be negative).
func (d Date) AddDays(n int) Date { return d + Date(n) }

// DaysUntil returns the number of days from d to e (negative when e is
// before d).
func (d Date) DaysUntil(e Date) int { return int(e - d) }

// Weekday returns the day of the week of d.
func (d Date) Weekday() time.Weekday {
	// 0001-01-01 was a Monday.
	return time.Weekday((int64(d) + 1) % 7)
}

// WeekStart returns the Sunday on or before d: crewplan's weeks start on
// Sunday.
func (d Date) WeekStart() Date { return d - Date(d.Weekday()) }

// Before reports whether d is before e.
func (d Date) Before(e Date) bool { return d < e }

// After reports whether d is after e.
func (d Date) After(e Date) bool { return d > e }

// MarshalText implements encoding.TextMarshaler (YYYY-MM-DD).
func (d Date) MarshalText() ([]byte, error) {
	if d.IsZero() {
		return nil, errors.New("marshal zero civil.Date")
	}
	return []byte(d.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler (YYYY-MM-DD).
func (d *Date) UnmarshalText(b []byte) error {
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// Value implements driver.Valuer: a date is stored as YYYY-MM-DD text, which
// SQLite compares correctly and PostgreSQL casts to its DATE type.
func (d Date) Value() (driver.Value, error) {
	if d.IsZero() {
		return nil, nil
	}
	return d.String(), nil
}

// Scan implements sql.Scanner for DATE columns (PostgreSQL returns a
// time.Time) and text columns (SQLite returns a string).
func (d *Date) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*d = 0
		return nil
	case time.Time:
		*d = DateOf(v)
		return nil
	case string:
		return d.scanString(v)
	case []byte:
		return d.scanString(string(v))
	default:
		return fmt.Errorf("scan civil.Date from %T", src)
	}
}

func (d *Date) scanString(s string) error {
	if len(s) > 10 {
		// Drivers may add a time part to a DATE ("2026-03-02T00:00:00Z").
		s = s[:10]
	}
	v, err := ParseDate(s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// GormDataType tells gorm the column type of a Date.
func (Date) GormDataType() string { return "date" }

// Clock is a time of day in minutes after midnight, 0 to 1439.
type Clock int16

// ErrBadClock is wrapped by the errors ParseClock returns.
var ErrBadClock = errors.New("not a time of day")

// NewClock returns the time of day h:m.
func NewClock(h, m int) Clock { return Clock(h*60 + m) }

// ParseClock parses an HH:MM time of day (24-hour clock).
func ParseClock(s string) (Clock, error) {
	if len(s) != 5 || s[2] != ':' {
		return 0, fmt.Errorf("%w: %q is not HH:MM", ErrBadClock, s)
	}
	h, err1 := atoiDigits(s[0:2])
	m, err2 := atoiDigits(s[3:5])
	if err1 != nil || err2 != nil || h > 23 || m > 59 {
		return 0, fmt.Errorf("%w: %q is not HH:MM", ErrBadClock, s)
	}
	return NewClock(h, m), nil
}

// Hour returns the hour of c.
func (c Clock) Hour() int { return int(c) / 60 }

// Minute returns the minute within the hour of c.
func (c Clock) Minute() int { return int(c) % 60 }

// Minutes returns c as minutes after midnight.
func (c Clock) Minutes() int { return int(c) }

// Valid reports whether c is a time of day (00:00 to 23:59).
func (c Clock) Valid() bool { return c >= 0 && c < 24*60 }

// String returns c as HH:MM.
func (c Clock) String() string {
	h, m := c.Hour(), c.Minute()
	return string([]byte{byte('0' + h/10), byte('0' + h%10), ':', byte('0' + m/10), byte('0' + m%10)})
}

// MarshalText implements encoding.TextMarshaler (HH:MM).
func (c Clock) MarshalText() ([]byte, error) {
	if !c.Valid() {
		return nil, fmt.Errorf("marshal civil.Clock %d: out of range", int(c))
	}
	return []byte(c.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler (HH:MM).
func (c *Clock) UnmarshalText(b []byte) error {
	v, err := ParseClock(string(b))
	if err != nil {
		return err
	}
	*c = v
	return nil
}

// DateTime is a store-local date and time of day, written
// YYYY-MM-DDTHH:MM.
type DateTime struct {
	Date  Date
	Clock Clock
}

// ParseDateTime parses a local YYYY-MM-DDTHH:MM date-time.
func ParseDateTime(s string) (DateTime, error) {
	if len(s) != 16 || s[10] != 'T' {
		return DateTime{}, fmt.Errorf("%w: %q is not YYYY-MM-DDTHH:MM", ErrBadDate, s)
	}
	d, err := ParseDate(s[:10])
	if err != nil {
		return DateTime{}, err
	}
	c, err := ParseClock(s[11:])
	if err != nil {
		return DateTime{}, err
	}
	return DateTime{Date: d, Clock: c}, nil
}

// String returns dt as YYYY-MM-DDTHH:MM.
func (dt DateTime) String() string { return dt.Date.String() + "T" + dt.Clock.String() }

// IsZero reports whether dt has no date.
func (dt DateTime) IsZero() bool { return dt.Date.IsZero() }

// Time returns dt as a time.Time in loc.
func (dt DateTime) Time(loc *time.Location) time.Time {
	return dt.Date.Time(loc).Add(time.Duration(dt.Clock) * time.Minute)
}

// MarshalText implements encoding.TextMarshaler.
func (dt DateTime) MarshalText() ([]byte, error) {
	if dt.IsZero() {
		return nil, errors.New("marshal zero civil.DateTime")
	}
	return []byte(dt.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (dt *DateTime) UnmarshalText(b []byte) error {
	v, err := ParseDateTime(string(b))
	if err != nil {
		return err
	}
	*dt = v
	return nil
}
