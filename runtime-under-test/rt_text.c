/*
** rt_text.c: the text segment and the function table.
**
** What it models: every function (program Go and C functions, `grow`
** leaves, runtime-internal code) has an entry PC and a PC range; sites
** inside it are call sites, and "site + 8" is the return point of a call
** made there. The table also holds what the runtime believes about each
** function: frame and argument sizes and its pointer maps. For a
** cgo-generated wrapper the maps lie (seed 002): it has an args map that
** calls every argument a scalar, and no locals map. The missing locals
** map is how the runtime knows not to trust the args map.
**
** Runtime functions are registered first, at fixed indices (RTF_*).
** Their frames: gopanic/goexit1 hold a panic record in their locals (the
** link and argp fields are pointers, and the locals map says so, so a
** stack copy adjusts them like any frame's pointers).
*/
#include <string.h>

#include "rt.h"

int rt_addfunc(rt *r, const rt_funcdesc *d)
{
	if (r->nfuncs >= RT_MAX_FUNCS || d->nsites > 60)
		return -1;
	int i = (int)r->nfuncs++;
	rt_func *f = &r->funcs[i];
	memset(f, 0, sizeof *f);
	snprintf(f->name, sizeof f->name, "%s", d->name);
	f->kind = d->kind;
	f->flags = d->flags;
	f->nsites = d->nsites;
	f->retsites = d->retsites;
	f->framesize = d->framesize;
	f->argsize = d->argsize;
	f->argmap = d->argmap;
	f->localmap = d->localmap;
	f->user = d->user;
	f->nseh = d->nseh;
	f->nlocals = d->nlocals;
	f->entry = MC_TEXT_BASE + (rt_addr)RT_FUNC_SPAN * (rt_addr)i;
	f->end = rt_site_pc(f, f->nsites) + RT_SITE;
	return i;
}

/* Registers the runtime's own functions at indices RTF_*. */
void rt_text_init(rt *r)
{
	enum { MAPS = RFF_ARGMAP | RFF_LOCALMAP };
	static const struct {
		const char *name;
		uint8_t flags;
		uint32_t nsites, framesize, argsize;
		uint64_t retsites, argmap, localmap;
	} rf[RTF__COUNT] = {
		[RTF_GOEXIT] = {"goexit", RFF_NOFRAME, 1, 0, 0, 1, 0, 0},
		/* site 0 sets up the panic record, site 1 runs the next
		** deferred call and is where it returns. args: kind, value */
		[RTF_GOPANIC] = {"gopanic", MAPS, 2, 8 * RT_PANIC_WORDS, 16, 2, 0,
				 (1u << P_LINK) | (1u << P_ARGP)},
		[RTF_GOEXIT1] = {"goexit1", MAPS, 2, 8 * RT_PANIC_WORDS, 16, 2, 0,
				 (1u << P_LINK) | (1u << P_ARGP)},
		[RTF_LESSSTACK] = {"lessstack", RFF_NOFRAME, 1, 0, 0, 1, 0, 0},
		[RTF_STACKBARRIER] = {"stackBarrier", RFF_NOFRAME, 0, 0, 0, 0, 0, 0},
		/* bottom of the OS stack: Go's SEH record, no caller */
		[RTF_MSTART] = {"mstart", 0, 1, 16, 0, 1, 0, 0},
		/* args: C function, nargs, 4 args; site 0 calls asmcgocall,
		** site 1 runs endcgo */
		[RTF_CGOCALL] = {"cgocall", MAPS, 2, 0, 8 * CGO_ARGWORDS, 3, 0, 0},
		[RTF_ASMCGOCALL] = {"asmcgocall", RFF_NOFRAME, 1, 0, 0, 1, 0, 0},
		/* on g0: saved g0 sp/pc, Go's SEH record; args as cgocall's */
		[RTF_CGOCALLBACK] = {"callbackasm1", 0, 1, 32, 8 * CGO_ARGWORDS, 1, 0, 0},
		/* on the G stack: restore flag, saved syscallsp (a pointer into
		** this stack) and syscallpc; site 0 calls the Go function,
		** site 1 runs unwindm */
		[RTF_CGOCB_GOFUNC] = {"cgocallback_gofunc", MAPS, 2, 24, 0, 3, 0,
				      1u << CBG_SYSCALLSP},
		[RTF_DEFERRETURN] = {"deferreturn", RFF_NOFRAME, 0, 0, 0, 0, 0, 0},
		[RTF_ENDCGO] = {"endcgo", MAPS, 1, 0, 16, 0, 0, 0},
		[RTF_UNWINDM] = {"unwindm", MAPS, 1, 0, 8, 0, 1, 0},
		[RTF_SIGTRAMP] = {"sigtramp", RFF_NOFRAME, 0, 0, 0, 0, 0, 0},
		[RTF_CHANDLER] = {"_except_handler", RFF_NOFRAME, 0, 0, 0, 0, 0, 0},
	};
	for (int i = 0; i < RTF__COUNT; i++) {
		rt_funcdesc d = {
			.name = rf[i].name,
			.kind = RF_RUNTIME,
			.flags = rf[i].flags,
			.nsites = rf[i].nsites,
			.retsites = rf[i].retsites,
			.framesize = rf[i].framesize,
			.argsize = rf[i].argsize,
			.argmap = rf[i].argmap,
			.localmap = rf[i].localmap,
			.user = -1,
		};
		rt_addfunc(r, &d);
	}
}
