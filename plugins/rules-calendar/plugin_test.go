package rulescalendar_test

import (
	"testing"

	"github.com/crewplan/crewplan/plugins/internal/ruletest"
	rulescalendar "github.com/crewplan/crewplan/plugins/rules-calendar"
)

func TestContract(t *testing.T) {
	ruletest.Contract(t, rulescalendar.New, rulescalendar.Name)
}
