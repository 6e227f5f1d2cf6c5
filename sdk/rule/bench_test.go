package rule_test

import (
	"testing"

	"google.golang.org/protobuf/proto"

	rulev1 "github.com/crewplan/crewplan/sdk/proto/crewplan/rule/v1"
	"github.com/crewplan/crewplan/sdk/rule"
	"github.com/crewplan/crewplan/sdk/sdktest"
)

// The conversion's share of a call with 10,000 candidates, each way.

func BenchmarkEncodeBatch10k(b *testing.B) {
	batch := sdktest.SyntheticBatch(10000)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := proto.Marshal(rule.EncodeBatch(batch)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeBatch10k(b *testing.B) {
	raw, err := proto.Marshal(rule.EncodeBatch(sdktest.SyntheticBatch(10000)))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		var pb rulev1.Batch
		if err := proto.Unmarshal(raw, &pb); err != nil {
			b.Fatal(err)
		}
		if _, err := rule.DecodeBatch(&pb); err != nil {
			b.Fatal(err)
		}
	}
}
