package rule

import rulev1 "github.com/crewplan/crewplan/sdk/proto/crewplan/rule/v1"

// Exported for the black-box tests of package rule_test.
var (
	EncodeVerdicts = encodeVerdicts
	DecodeVerdicts = decodeVerdicts
)

// EncodeBatch is the wire form of a batch with its context.
func EncodeBatch(b *Batch) *rulev1.Batch { return encodeBatch(b, false) }

// DecodeBatch decodes a full batch.
func DecodeBatch(pb *rulev1.Batch) (*Batch, error) { return decodeBatch(pb, nil) }

// NewServer returns the gRPC service of r, with its own context cache.
func NewServer(r Rule) rulev1.RuleServiceServer { return &server{r: r} }
