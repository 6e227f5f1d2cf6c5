package rule

// EventNumber returns the first run of exactly six digits in an event's
// name, bounded by non-digits or the ends of the name, or "" when it has
// none: in "605577-CF-Protein Bars (300410117846) - V2-CORE" it is 605577,
// and a longer number is never cut into one. A supervisor event without a
// parent ref belongs to the core event whose name has the same number.
func EventNumber(name string) string {
	for i := 0; i < len(name); {
		if name[i] < '0' || name[i] > '9' {
			i++
			continue
		}
		j := i
		for j < len(name) && name[j] >= '0' && name[j] <= '9' {
			j++
		}
		if j-i == 6 {
			return name[i:j]
		}
		i = j
	}
	return ""
}
