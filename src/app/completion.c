/* completion.c - the shell completion scripts, as embedded at build time. */
#include "app/completion.h"

#include <string.h>

#include "util/error.h"

const char *sfmc_completion_bash_text(size_t *len);
const char *sfmc_completion_zsh_text(size_t *len);
const char *sfmc_completion_fish_text(size_t *len);

static const struct {
	const char *shell;
	const char *(*text)(size_t *len);
} scripts[] = {
	{ "bash", sfmc_completion_bash_text },
	{ "zsh", sfmc_completion_zsh_text },
	{ "fish", sfmc_completion_fish_text },
};

int sfmc_completion_print(FILE *out, const char *shell)
{
	for (size_t i = 0; i < sizeof(scripts) / sizeof(scripts[0]); i++) {
		size_t len;
		const char *text;

		if (strcmp(shell, scripts[i].shell))
			continue;
		text = scripts[i].text(&len);
		if (fwrite(text, 1, len, out) != len)
			return sfmc_error_set_errno("completion: cannot write");
		return SFMC_OK;
	}
	sfmc_error_set("completion: no script for '%s' (bash, zsh or fish)", shell);
	return SFMC_ENOTFOUND;
}
