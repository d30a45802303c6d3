#!/bin/sh
# bounded.sh TEST - how make check runs a shell test: under bash, killed
# after PASSTORE_TEST_LIMIT seconds (default 1200), so that a test that
# hangs fails alone, saying so, instead of holding the whole run until
# CI gives up on it.  Every wait inside the tests is bounded already;
# this is the bound of last resort.
limit=${PASSTORE_TEST_LIMIT:-1200}
timeout -k 30 "$limit" bash "$@"
rc=$?
if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
	echo "Bail out! $1 was killed after $limit s"
	exit 99
fi
exit "$rc"
