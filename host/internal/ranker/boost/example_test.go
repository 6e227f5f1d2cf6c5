package boost_test

import (
	"context"
	"fmt"

	"github.com/crewplan/crewplan/host/internal/ranker/boost"
	"github.com/crewplan/crewplan/ranker-wasm/gbdt"
)

func ExampleTrain() {
	// Label 1 where the feature is at least 3.
	d := boost.Data{
		X:    []float32{0, 1, 2, 3, 4, 5, 6, 7},
		Rows: 8,
		Cols: 1,
		Y:    []float32{0, 0, 0, 1, 1, 1, 1, 1},
	}
	m, err := boost.Train(context.Background(), d, nil, boost.Options{Trees: 50, MinChildWeight: 0.1})
	if err != nil {
		fmt.Println(err)
		return
	}
	root := m.Trees[0]
	fmt.Printf("root: x[%d] < %v\n", root.Feature[0], root.Value[0])
	fmt.Printf("P(1 | x=1) = %.2f, P(1 | x=6) = %.2f\n", m.Predict([]float32{1}), m.Predict([]float32{6}))

	p, err := m.Params("demo", "2026-12-05.1", []string{"hours_week"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(p.Trees), "trees,", len(gbdt.Encode(p)), "bytes")
	// Output:
	// root: x[0] < 2.5
	// P(1 | x=1) = 0.11, P(1 | x=6) = 0.94
	// 50 trees, 1646 bytes
}
