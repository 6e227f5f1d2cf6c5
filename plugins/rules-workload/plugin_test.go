package rulesworkload_test

import (
	"testing"

	"github.com/crewplan/crewplan/plugins/internal/ruletest"
	rulesworkload "github.com/crewplan/crewplan/plugins/rules-workload"
)

func TestContract(t *testing.T) {
	ruletest.Contract(t, rulesworkload.New, rulesworkload.Name)
}
