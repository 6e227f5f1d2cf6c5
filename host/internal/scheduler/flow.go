package scheduler

// flow is a flow network for Dinic's maximum-flow algorithm.
type flow struct {
	head  []int // first edge of each node, -1 when none
	to    []int
	cap   []int
	next  []int
	level []int
	iter  []int
}

func newFlow() *flow { return &flow{} }

// node adds a node and returns it.
func (g *flow) node() int {
	g.head = append(g.head, -1)
	return len(g.head) - 1
}

// edge adds an edge u→v of capacity c, and its residual edge.
func (g *flow) edge(u, v, c int) {
	g.to = append(g.to, v, u)
	g.cap = append(g.cap, c, 0)
	g.next = append(g.next, g.head[u], g.head[v])
	g.head[u] = len(g.to) - 2
	g.head[v] = len(g.to) - 1
}

// maxFlow returns the value of a maximum flow from s to t.
func (g *flow) maxFlow(s, t int) int {
	total := 0
	for g.bfs(s, t) {
		g.iter = append(g.iter[:0], g.head...)
		for {
			f := g.dfs(s, t, 1<<62)
			if f == 0 {
				break
			}
			total += f
		}
	}
	return total
}

func (g *flow) bfs(s, t int) bool {
	g.level = g.level[:0]
	for range g.head {
		g.level = append(g.level, -1)
	}
	g.level[s] = 0
	queue := []int{s}
	for len(queue) > 0 {
		u := queue[0]
		queue = queue[1:]
		for e := g.head[u]; e >= 0; e = g.next[e] {
			if v := g.to[e]; g.cap[e] > 0 && g.level[v] < 0 {
				g.level[v] = g.level[u] + 1
				queue = append(queue, v)
			}
		}
	}
	return g.level[t] >= 0
}

func (g *flow) dfs(u, t, f int) int {
	if u == t {
		return f
	}
	for ; g.iter[u] >= 0; g.iter[u] = g.next[g.iter[u]] {
		e := g.iter[u]
		v := g.to[e]
		if g.cap[e] <= 0 || g.level[v] != g.level[u]+1 {
			continue
		}
		if d := g.dfs(v, t, min(f, g.cap[e])); d > 0 {
			g.cap[e] -= d
			g.cap[e^1] += d
			return d
		}
	}
	return 0
}
