# bash completion for sfmc-scan (installed to share/bash-completion/completions/sfmc-scan;
# also printed by `sfmc-scan completion bash`).
_sfmc_scan()
{
	local cur prev cmd i
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD-1]}
	local commands="dir stdin git staged hook pre-commit pre-push pre-receive commit-msg check generate completion triage report audit merge"
	local opts="--format --output --report --rules --fail-on --show-secrets --no-decode --threads
		--max-file-size --archive-depth --archive-max-bytes --archive-max-ratio --archive-max-members --fail-on-skipped --label --range --all-objects --clone-dir --git-token-env
		--git-cacert --config --no-config --baseline --write-baseline
		--group --pre-commit --pre-push --pre-receive --commit-msg --chain --quiet --verbose --progress --no-progress
		--no-color --version --help --verify --verify-jobs --verify-rate --verify-timeout --verify-cacert
		--verify-connect-to --client-id --subdomain --account-id --datastore --fail-on-untriaged --status --reason --repository --since
		--repos --github-org --gitlab-group --skip-forks --skip-archived --github-api --gitlab-api --api-cacert --api-max-wait --jobs --shard"
	cmd=
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in -*) ;; *) cmd=${COMP_WORDS[i]}; break ;; esac
	done
	case $prev in
	-f | --format)
		COMPREPLY=($(compgen -W "text json jsonl sarif gitlab html" -- "$cur"))
		return ;;
	--fail-on)
		COMPREPLY=($(compgen -W "error warning never live" -- "$cur"))
		return ;;
	--status)
		COMPREPLY=($(compgen -W "open rotated false-positive accepted reintroduced" -- "$cur"))
		return ;;
	-o | --output | --rules | --config | --baseline | --write-baseline | --report | --verify-cacert | --datastore | --repos | --api-cacert | --git-cacert)
		COMPREPLY=($(compgen -f -- "$cur"))
		return ;;
	--clone-dir)
		COMPREPLY=($(compgen -d -- "$cur"))
		return ;;
	--git-token-env)
		COMPREPLY=($(compgen -e -- "$cur"))
		return ;;
	-j | --threads | -n | --max-file-size | --archive-depth | --archive-max-bytes | --archive-max-ratio | --archive-max-members | --label | --range | --verify-jobs | --verify-rate | \
	--verify-timeout | --verify-connect-to | --client-id | --subdomain | --account-id | --reason | --repository | --since | \
	--github-org | --gitlab-group | --github-api | --gitlab-api | --api-max-wait | --jobs | --shard)
		return ;;
	esac
	if [ -z "$cmd" ]; then
		COMPREPLY=($(compgen -W "$commands --help --version" -- "$cur"))
		return
	fi
	case $cmd in
	hook)
		[ "$prev" = hook ] && { COMPREPLY=($(compgen -W "install uninstall" -- "$cur")); return; } ;;
	completion)
		COMPREPLY=($(compgen -W "bash zsh fish" -- "$cur"))
		return ;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$opts" -- "$cur"))
	else
		COMPREPLY=($(compgen -f -- "$cur"))
	fi
}
complete -o filenames -F _sfmc_scan sfmc-scan
