package scheduler

import "testing"

func TestMaxFlow(t *testing.T) {
	// Three jobs, two workers: job 0 only worker A, jobs 1 and 2 either;
	// each worker takes one job: two jobs at most.
	g := newFlow()
	s, tt := g.node(), g.node()
	jobs := []int{g.node(), g.node(), g.node()}
	a, b := g.node(), g.node()
	for _, j := range jobs {
		g.edge(s, j, 1)
	}
	g.edge(jobs[0], a, 1)
	g.edge(jobs[1], a, 1)
	g.edge(jobs[1], b, 1)
	g.edge(jobs[2], b, 1)
	g.edge(a, tt, 1)
	g.edge(b, tt, 1)
	if got := g.maxFlow(s, tt); got != 2 {
		t.Fatalf("max flow %d, want 2", got)
	}
	// A classic: capacities 10/10 into a bottleneck of 5 and a side of 4.
	g = newFlow()
	s, tt = g.node(), g.node()
	x, y := g.node(), g.node()
	g.edge(s, x, 10)
	g.edge(s, y, 10)
	g.edge(x, y, 2)
	g.edge(x, tt, 4)
	g.edge(y, tt, 5)
	if got := g.maxFlow(s, tt); got != 9 {
		t.Fatalf("max flow %d, want 9", got)
	}
}
