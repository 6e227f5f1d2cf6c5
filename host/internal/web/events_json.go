package web

import (
	"strconv"
	"time"
	"unicode/utf8"
)

// The events list is the API's largest answer (a region's month is about
// 2,100 events, 500 KB): it is written by hand, byte for byte what
// encoding/json writes for eventPage (TestEventPageJSONMatchesEncodingJSON
// holds the two together), at a fraction of the cost of reflection.

// appendJSON appends the JSON of the page and a newline, as
// json.Encoder.Encode does.
func (p *eventPage) appendJSON(b []byte) []byte {
	b = append(b, `{"items":[`...)
	for i := range p.Items {
		if i > 0 {
			b = append(b, ',')
		}
		b = p.Items[i].appendJSON(b)
	}
	b = append(b, `],"limit":`...)
	b = strconv.AppendInt(b, int64(p.Limit), 10)
	b = append(b, `,"offset":`...)
	b = strconv.AppendInt(b, int64(p.Offset), 10)
	b = append(b, `,"next_offset":`...)
	if p.NextOffset == nil {
		b = append(b, "null"...)
	} else {
		b = strconv.AppendInt(b, int64(*p.NextOffset), 10)
	}
	return append(b, "}\n"...)
}

func (e *eventJSON) appendJSON(b []byte) []byte {
	b = append(b, `{"ref":`...)
	b = strconv.AppendInt(b, e.Ref, 10)
	b = append(b, `,"name":`...)
	b = appendJSONString(b, e.Name)
	b = append(b, `,"type":`...)
	b = appendJSONString(b, string(e.Type))
	b = append(b, `,"kind":`...)
	b = appendJSONString(b, string(e.Kind))
	b = append(b, `,"start":"`...)
	b = append(b, e.Start.String()...)
	b = append(b, `","due":"`...)
	b = append(b, e.Due.String()...)
	b = append(b, `","duration_min":`...)
	b = strconv.AppendInt(b, int64(e.DurationMin), 10)
	b = append(b, `,"condition":`...)
	b = appendJSONString(b, string(e.Condition))
	b = append(b, `,"parent_ref":`...)
	b = appendOptInt(b, e.ParentRef)
	b = append(b, `,"store_id":`...)
	b = appendJSONString(b, e.StoreID)
	b = append(b, `,"location_id":`...)
	b = appendJSONString(b, e.LocationID)
	b = append(b, `,"schedule":`...)
	if e.Schedule == nil {
		b = append(b, "null"...)
	} else {
		b = e.Schedule.appendJSON(b)
	}
	return append(b, '}')
}

func (s *scheduleJSON) appendJSON(b []byte) []byte {
	b = append(b, `{"id":`...)
	b = strconv.AppendInt(b, s.ID, 10)
	b = append(b, `,"event":`...)
	b = strconv.AppendInt(b, s.Event, 10)
	b = append(b, `,"employee":`...)
	b = appendJSONString(b, s.Employee)
	b = append(b, `,"at":`...)
	b = appendJSONString(b, s.At)
	b = append(b, `,"source":`...)
	b = appendJSONString(b, string(s.Source))
	b = append(b, `,"posted_by":`...)
	b = appendJSONString(b, s.PostedBy)
	b = append(b, `,"external_id":`...)
	if s.ExternalID == nil {
		b = append(b, "null"...)
	} else {
		b = appendJSONString(b, *s.ExternalID)
	}
	b = append(b, `,"run_id":`...)
	b = appendOptInt(b, s.RunID)
	if s.OverrideReason != "" {
		b = append(b, `,"override_reason":`...)
		b = appendJSONString(b, s.OverrideReason)
	}
	b = append(b, `,"created_at":"`...)
	b = s.CreatedAt.AppendFormat(b, time.RFC3339Nano)
	return append(b, `"}`...)
}

func appendOptInt(b []byte, v *int64) []byte {
	if v == nil {
		return append(b, "null"...)
	}
	return strconv.AppendInt(b, *v, 10)
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string the way encoding/json does:
// HTML-safe (<, > and & escaped), invalid UTF-8 replaced by U+FFFD, and
// U+2028 and U+2029 escaped.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
