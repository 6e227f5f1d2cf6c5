// Command rules-calendar is the rules-calendar rule plugin as a standalone binary.
package main

import rulescalendar "github.com/crewplan/crewplan/plugins/rules-calendar"

func main() { rulescalendar.Serve() }
