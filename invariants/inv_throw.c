/*
** inv_throw.c: which invariant a runtime throw reveals.
**
** A throw is the runtime noticing, in the middle of its own work, that
** its state is broken (Go's throw("...")). Each throw site carries a
** code (rt_throwcode); this one table says which invariant of the
** catalogue that breach belongs to. Nothing here reads the message:
** the message is for people and may change freely.
**
** Gotchas:
**  - a traceback failure inside the runtime (a GC scan, a copy) is a
**    stack fault, STK1 (tiling) or STK2 (a bad return PC), whatever
**    mechanism was walking: a scan that meets a bad frame above a
**    callback is not a cgo fault;
**  - TH_INTERNAL_* are stackfuzz's own errors (a program that should not
**    have passed validation, a failed RT_NEVER): no invariant, the
**    outcome `internal`.
*/
#include "inv.h"

static const int8_t verdict[TH__COUNT] = {
	[TH_NONE] = -1,
	[TH_INTERNAL_BADFUNC] = -1,
	[TH_INTERNAL_BADSTMT] = -1,
	[TH_INTERNAL_ASSERT] = -1,
	[TH_CGO_UNBALANCED] = INV_CGO1,	    /* g0.sched.sp not restored */
	[TH_CGO_NOTINCGO] = INV_CGO1,	    /* ncgo / syscallsp state wrong */
	[TH_DEFER_BADENTRY] = INV_DEF1,	    /* a record outside its frame */
	[TH_DEFER_UNKNOWNFN] = INV_DEF1,    /* a record that names no function */
	[TH_RECOVERY_NOEPILOGUE] = INV_DEF1, /* its sp/pc name no live frame */
	[TH_BADRETPC] = INV_STK2,
	[TH_BADPC] = INV_STK2,
	[TH_LESSSTACK] = INV_STK1,	    /* a broken segment link */
	[TH_SEH_UNHANDLED] = INV_SEH3,
	[TH_TB_BADPC] = INV_STK2,
	[TH_TB_BADRET] = INV_STK2,
	[TH_TB_OUTSIDE] = INV_STK1,
	[TH_TB_INCOMPLETE] = INV_STK1,
	[TH_TB_FAULT] = INV_STK1,
	[TH_STKBAR_LOST] = INV_BAR1,
	[TH_STKBAR_NONE] = INV_BAR1,
	[TH_STKBAR_MISSED] = INV_BAR1,
};

int inv_throw_verdict(int code)
{
	return code >= 0 && code < TH__COUNT ? verdict[code] : -1;
}
