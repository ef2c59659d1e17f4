/*
** hs_stats.c: reached and violated counts per invariant, Magma-style.
**
** A run "reaches" an invariant when its checker judged non-trivial state
** at least once (invariants/inv_reach.c says what that is per ID); it
** "violates" it when its outcome is that violation (a runtime throw
** mapped to the ID included). Counts are runs (programs, fuzz inputs),
** not steps: a corpus that reaches BAR5 in one program out of 70 shows
** 1, however long that program runs. The table is the same for the
** corpus check and for fuzz summaries: one line per catalogue ID,
** "ID reached N violated M".
*/
#include "hs.h"

void hs_stats_add(hs_stats *s, const hs_result *r)
{
	s->runs++;
	for (int i = 0; i < INV__COUNT; i++)
		if ((r->reached >> i) & 1)
			s->reached[i]++;
	if (r->kind == OUT_VIOLATION && r->inv >= 0 && r->inv < INV__COUNT)
		s->violated[r->inv]++;
}

void hs_stats_print(FILE *out, const hs_stats *s)
{
	for (int i = 0; i < INV__COUNT; i++)
		fprintf(out, "%-4s reached %llu violated %llu\n", inv_catalogue[i].id,
			(unsigned long long)s->reached[i],
			(unsigned long long)s->violated[i]);
}

void hs_stats_print_json(FILE *out, const hs_stats *s)
{
	fprintf(out, "{\"stats\":{\"runs\":%llu", (unsigned long long)s->runs);
	for (int i = 0; i < INV__COUNT; i++)
		fprintf(out, ",\"%s\":{\"reached\":%llu,\"violated\":%llu}",
			inv_catalogue[i].id, (unsigned long long)s->reached[i],
			(unsigned long long)s->violated[i]);
	fprintf(out, "}}\n");
}
