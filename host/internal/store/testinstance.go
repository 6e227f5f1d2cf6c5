package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm/clause"
)

// TestInstance is what a test instance's database records of the
// production database it was copied from, at the moment of the copy.
type TestInstance struct {
	// ProductionDB is production's database URL, its password hidden.
	ProductionDB string
	// ProductionSchema is production's schema version.
	ProductionSchema int64
	// ProductionChecksum is production's logical checksum.
	ProductionChecksum Checksum
	// CreatedAt is when the copy was made.
	CreatedAt time.Time
}

// testInstanceRow is the one row of the test_instance table.
type testInstanceRow struct {
	ID                 int64 `gorm:"primaryKey"`
	ProductionDB       string
	ProductionSchema   int64
	ProductionChecksum string
	CreatedAt          time.Time
}

func (testInstanceRow) TableName() string { return "test_instance" }

// RecordTestInstance records, in a test instance's database, the
// production database it was copied from, replacing any record.
func (s *Store) RecordTestInstance(ctx context.Context, ti TestInstance) error {
	sum, err := json.Marshal(ti.ProductionChecksum)
	if err != nil {
		return fmt.Errorf("record the test instance: %w", err)
	}
	row := testInstanceRow{ID: 1, ProductionDB: ti.ProductionDB, ProductionSchema: ti.ProductionSchema,
		ProductionChecksum: string(sum), CreatedAt: ti.CreatedAt.UTC()}
	err = s.w(ctx).Clauses(clause.OnConflict{UpdateAll: true}).Create(&row).Error
	return translate(err, "record the test instance")
}

// TestInstance returns what RecordTestInstance recorded; ok is false when
// nothing was (the database is not a test instance's copy).
func (s *Store) TestInstance(ctx context.Context) (ti TestInstance, ok bool, err error) {
	var rows []testInstanceRow
	if err := s.r(ctx).Find(&rows).Error; err != nil {
		return ti, false, translate(err, "read the test instance record")
	}
	if len(rows) == 0 {
		return ti, false, nil
	}
	r := rows[0]
	ti = TestInstance{ProductionDB: r.ProductionDB, ProductionSchema: r.ProductionSchema, CreatedAt: r.CreatedAt}
	if err := json.Unmarshal([]byte(r.ProductionChecksum), &ti.ProductionChecksum); err != nil {
		return ti, false, fmt.Errorf("read the test instance record: production checksum: %w", err)
	}
	return ti, true, nil
}
