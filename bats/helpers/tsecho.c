/* tsecho: each argument through termsafe (ts_fputs), one per line; for
 * bats/termsafe.bats, which holds termsafe.jq to the same escapes.
 *   tsecho ARG... */
#include <stdio.h>

#include "termsafe.h"

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (ts_fputs(argv[i], stdout) < 0 || putchar('\n') == EOF)
			return 2;
	return fflush(stdout) == 0 ? 0 : 2;
}
