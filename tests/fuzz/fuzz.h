/* fuzz.h - the libFuzzer entry point every target in tests/fuzz defines.
 *
 * Each fuzz_*.c is built twice: against replay.c by `make check`, which
 * runs it over its seed corpus and simple mutations of it, and by
 * `make fuzz` (clang -fsanitize=fuzzer) into a real fuzzer. */
#ifndef PASSTORE_FUZZ_H
#define PASSTORE_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
