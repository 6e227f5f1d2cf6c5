// Command adult-beverage is the example third-party rule plugin.
package main

import (
	"github.com/crewplan/crewplan/sdk/examples/adultbeverage"
	"github.com/crewplan/crewplan/sdk/rule"
)

func main() { rule.Serve(adultbeverage.New()) }
