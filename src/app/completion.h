/* completion.h - `sfmc-scan completion bash|zsh|fish`: the scripts of
 * completions/, compiled into the binary (CMake sfmc_embed). */
#ifndef SFMC_COMPLETION_H
#define SFMC_COMPLETION_H

#include <stdio.h>

/* Writes the script for shell to out. Returns 0, or SFMC_ENOTFOUND (message
 * set) for a shell it has no script for. */
int sfmc_completion_print(FILE *out, const char *shell);

#endif
