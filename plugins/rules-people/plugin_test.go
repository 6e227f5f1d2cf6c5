package rulespeople_test

import (
	"testing"

	"github.com/crewplan/crewplan/plugins/internal/ruletest"
	rulespeople "github.com/crewplan/crewplan/plugins/rules-people"
)

func TestContract(t *testing.T) {
	ruletest.Contract(t, rulespeople.New, rulespeople.Name)
}
