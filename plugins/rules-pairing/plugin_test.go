package rulespairing_test

import (
	"testing"

	"github.com/crewplan/crewplan/plugins/internal/ruletest"
	rulespairing "github.com/crewplan/crewplan/plugins/rules-pairing"
)

func TestContract(t *testing.T) {
	ruletest.Contract(t, rulespairing.New, rulespairing.Name)
}
