package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"slices"
	"sort"
	"time"

	"gorm.io/gorm"
)

// Checksum is a logical checksum of a database: the SHA-256 of every
// table's rows, by table name, and of them all. Two databases with the
// same rows in the same tables have the same Checksum, whatever their
// files' bytes, the order of their rows or their rowids; a database
// compares only with one of the same dialect.
type Checksum struct {
	// Tables is the checksum of each table's rows (in no order), by name.
	Tables map[string]string `json:"tables"`
	// All is the checksum of the table checksums, in name order.
	All string `json:"all"`
}

// Differs returns the tables whose rows differ between c and o, and those
// only one of them has, in name order.
func (c Checksum) Differs(o Checksum) []string {
	var out []string
	for name, sum := range c.Tables {
		if o.Tables[name] != sum {
			out = append(out, name)
		}
	}
	for name := range o.Tables {
		if _, ok := c.Tables[name]; !ok {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// Checksum reads every table (on PostgreSQL, of the store's schema) in one
// read-only transaction of the reader pool, so that it never blocks the
// writers of a database another process serves, and returns its logical
// checksum.
func (s *Store) Checksum(ctx context.Context) (Checksum, error) {
	var out Checksum
	err := s.r(ctx).Transaction(func(tx *gorm.DB) error {
		tables, err := listTables(tx, s.dialect)
		if err != nil {
			return err
		}
		out.Tables = make(map[string]string, len(tables))
		all := sha256.New()
		for _, t := range tables {
			sum, err := tableChecksum(tx, t)
			if err != nil {
				return fmt.Errorf("checksum %s: %w", t, err)
			}
			out.Tables[t] = sum
			fmt.Fprintf(all, "%s\x00%s\n", t, sum)
		}
		out.All = hex.EncodeToString(all.Sum(nil))
		return nil
	})
	if err != nil {
		return Checksum{}, fmt.Errorf("checksum the database: %w", err)
	}
	return out, nil
}

// tableChecksum hashes each row of table, sorts the row hashes (so that
// neither the rows' order nor the database's collation matters) and
// hashes them with the column names.
func tableChecksum(tx *gorm.DB, table string) (string, error) {
	rows, err := tx.Raw("SELECT * FROM " + quoteIdent(table)).Rows()
	if err != nil {
		return "", err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return "", err
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var sums [][sha256.Size]byte
	var buf bytes.Buffer
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return "", err
		}
		buf.Reset()
		for _, v := range vals {
			writeValue(&buf, v)
		}
		sums = append(sums, sha256.Sum256(buf.Bytes()))
	}
	if err := rows.Err(); err != nil {
		return "", err
	}
	sort.Slice(sums, func(i, j int) bool { return bytes.Compare(sums[i][:], sums[j][:]) < 0 })
	h := sha256.New()
	for _, c := range cols {
		fmt.Fprintf(h, "%s\x00", c)
	}
	h.Write([]byte{'\n'})
	for _, s := range sums {
		h.Write(s[:])
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// writeValue writes one column value, tagged with its kind and, for
// variable-length values, prefixed with its length, so that no two rows
// encode alike.
func writeValue(buf *bytes.Buffer, v any) {
	var n [8]byte
	putLen := func(tag byte, b []byte) {
		buf.WriteByte(tag)
		binary.BigEndian.PutUint64(n[:], uint64(len(b)))
		buf.Write(n[:])
		buf.Write(b)
	}
	switch x := v.(type) {
	case nil:
		buf.WriteByte('N')
	case []byte:
		putLen('B', x)
	case string:
		putLen('S', []byte(x))
	case int64:
		buf.WriteByte('I')
		binary.BigEndian.PutUint64(n[:], uint64(x))
		buf.Write(n[:])
	case float64:
		buf.WriteByte('F')
		binary.BigEndian.PutUint64(n[:], math.Float64bits(x))
		buf.Write(n[:])
	case bool:
		if x {
			buf.WriteString("T1")
		} else {
			buf.WriteString("T0")
		}
	case time.Time:
		putLen('D', []byte(x.UTC().Format(time.RFC3339Nano)))
	default:
		putLen('V', fmt.Appendf(nil, "%T:%v", x, x))
	}
}
