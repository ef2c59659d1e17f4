/*
** driver_libfuzzer.c: libFuzzer driver (clang -fsanitize=fuzzer).
**
** Built twice from this file: SF_FUZZ_TEXT selects the text parser
** target (fuzz_text), otherwise the binary program target (fuzz_prog).
** The structure-aware mutator hooks live in libfuzzer_mutator.c so that a
** target can be built with or without them (fuzz_prog_bytes).
** LLVMFuzzerInitialize reads the environment once, before the first
** input, so a bad STACKFUZZ_* value fails at start, not mid-campaign.
*/
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "fuzz_entry.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	sf_fuzz_init();
	fprintf(stderr, "stackfuzz: %s target, %s\n",
#ifdef SF_FUZZ_TEXT
		"text",
#else
		"program",
#endif
		sf_fuzz_config_str());
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
#ifdef SF_FUZZ_TEXT
	return sf_fuzz_text_one(data, size);
#else
	return sf_fuzz_one(data, size);
#endif
}
