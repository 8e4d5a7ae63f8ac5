/* podcriu: repro-chromium --criu. */
#include "podcriu.h"

int podcriu_run(struct run *R)
{
	(void)R;
	return 0;
}

void podcriu_free(struct criu_result *c)
{
	(void)c;
}

void podcriu_text(const struct run *R)
{
	(void)R;
}

void podcriu_json(struct json *j, const struct run *R)
{
	(void)j;
	(void)R;
}
