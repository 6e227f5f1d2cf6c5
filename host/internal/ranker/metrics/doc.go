// Package metrics is the single definition of the metrics crewplan uses to
// judge a ranking model against the rule-based ranking on a held-out period.
// `crewplan ranker eval` prints them, model cards store them, and the docs
// cite the definitions below.
//
// # Data
//
// A candidate is one (employee, assignment) pair. Its score is what the
// ranker gave it (for the model, the probability that the assignment is
// worked successfully); its label is true when it was. A [Query] is one
// ranking decision: the candidates considered for one assignment.
//
// The rule-based baseline is expressed as scores too: a candidate's rule
// score is minus its position in the rule ranking (0, -1, -2, ...), so the
// same functions serve both rankers.
//
// NaN scores are rejected ([ErrNaN]); ±Inf are ordinary, orderable scores.
//
// # AUC and ROC
//
// [AUC] is the area under the ROC curve: the probability that a randomly
// chosen positive scores above a randomly chosen negative, with a tie
// counted as half a win. It is the Mann–Whitney U statistic with average
// ranks divided by P·N (P positives, N negatives):
//
//	AUC = (R₊ − P(P+1)/2) / (P·N)
//
// where R₊ is the sum of the positives' ranks in ascending score order, tied
// scores sharing their average rank. All perfectly separated: 1; inverted:
// 0; all scores equal: 0.5. It is undefined, and an error, without a
// positive ([ErrNoPositives]) or without a negative ([ErrNoNegatives]).
//
// [ROC] is the curve itself: false positive rate (x) against true positive
// rate (y) as the threshold falls from above the highest score to below the
// lowest. It starts at (0,0), adds one point per distinct score (tied
// candidates enter together, as one straight, possibly diagonal, step) and
// ends at (1,1). The trapezoidal area under it equals AUC exactly.
//
// In an evaluation ([Evaluate]), AUC and ROC are pooled: the scores of all
// queries are put in one list. For the model this compares probabilities
// across assignments. For the rules it compares positions across
// assignments: a positive at position 1 in one query beats a negative at
// position 2 in another, and ties with the first-placed candidates of every
// other query. The rules' AUC is therefore "pooled AUC across queries" of the
// rule positions, not a per-query average.
//
// # Ranking metrics
//
// Within a query, candidates are ranked by score, highest first; candidates
// with equal scores keep their order in the query (the lower index ranks
// first). Ties matter for the rule baseline, where each query's order is
// the rule order.
//
// [PrecisionAt] k: for each query with n > 0 candidates, the share of
// relevant candidates (label true) among its top m = min(k, n); the result
// is the mean over those queries. A query shorter than k is judged on all
// its candidates, so P@k for large k approaches the base rate. Queries
// without candidates are skipped; queries without any relevant candidate
// count (as 0).
//
// [NDCGAt] k: for each query, DCG@k / IDCG@k with binary gains and a
// log₂(rank+1) discount, ranks counted from 1:
//
//	DCG@k  = Σ_{r=1..min(k,n)} rel(r) / log₂(r+1)
//	IDCG@k = Σ_{r=1..min(k,R)} 1 / log₂(r+1)
//
// where R is the number of relevant candidates in the query; the result is
// the mean over queries. A query without any relevant candidate (R = 0,
// including an empty query) is skipped, because its ideal DCG is 0 and no
// ranking of it is better or worse than another.
//
// Both functions return [ErrNoQueries] when no query counts, and
// [ErrBadK] for k < 1.
//
// # Report
//
// [Evaluate] computes, for the model and for the rules over the same
// candidates: pooled AUC and ROC, P@3 ([PrecisionK]), NDCG@5 ([NDCGK]) and
// P@k for k = 1..10 ([CurveK]). Lift is model ÷ rules for P@3 and for
// NDCG@5; it is null (nil) when the rules' value is 0. [Chart] draws a
// [Report] as a PNG image.
package metrics
