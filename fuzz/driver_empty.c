/*
** driver_empty.c: an empty libFuzzer target built with the same
** sanitizers as fuzz_prog, the baseline of bench/fuzz_execs.sh.
*/
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	(void)data;
	(void)size;
	return 0;
}
