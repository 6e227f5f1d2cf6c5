// Command rules-people is the rules-people rule plugin as a standalone binary.
package main

import rulespeople "github.com/crewplan/crewplan/plugins/rules-people"

func main() { rulespeople.Serve() }
