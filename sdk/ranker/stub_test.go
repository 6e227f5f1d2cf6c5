package ranker_test

import (
	"errors"
	"strings"

	"github.com/crewplan/crewplan/sdk/ranker"
)

// stub is a model for the tests: its parameters are its feature names,
// comma-separated; it scores a row as the sum of its values.
type stub struct {
	meta       ranker.Meta
	panicLoad  bool
	panicScore bool
	scoreErr   error
	loads      [][]byte // every params Load received
}

var _ ranker.Model = (*stub)(nil)

func (s *stub) Load(params []byte) error {
	s.loads = append(s.loads, params)
	if s.panicLoad {
		panic("load exploded")
	}
	if params == nil {
		return errors.New("stub: no parameters")
	}
	s.meta = ranker.Meta{Name: "stub", Version: "1", Features: strings.Split(string(params), ",")}
	return nil
}

func (s *stub) Meta() ranker.Meta { return s.meta }

func (s *stub) Score(x []float32, rows, cols int, out []float32) error {
	if s.panicScore {
		var m map[string]int
		m["boom"]++ // a real runtime panic: assignment to a nil map
	}
	if s.scoreErr != nil {
		return s.scoreErr
	}
	for r := range rows {
		var sum float32
		for _, v := range x[r*cols : (r+1)*cols] {
			sum += v
		}
		out[r] = sum
	}
	return nil
}

// loaded returns a stub loaded with the given features.
func loaded(features ...string) *stub {
	s := &stub{}
	if err := s.Load([]byte(strings.Join(features, ","))); err != nil {
		panic(err)
	}
	return s
}
