// Command rules-workload is the rules-workload rule plugin as a standalone binary.
package main

import rulesworkload "github.com/crewplan/crewplan/plugins/rules-workload"

func main() { rulesworkload.Serve() }
