// Command rules-pairing is the rules-pairing rule plugin as a standalone binary.
package main

import rulespairing "github.com/crewplan/crewplan/plugins/rules-pairing"

func main() { rulespairing.Serve() }
