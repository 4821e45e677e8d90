# bash completion for kbundle — installed as
# share/bash-completion/completions/kbundle. Commands and options come from
# kbundle's own --help, so the completion never lists an option the binary
# lacks; upstream names come from the upstream directory kbundle would use.
_kbundle() {
	local cur prev words cword cmd i
	_init_completion || return
	for ((i = 1; i < cword; i++)); do
		[[ ${words[i]} != -* ]] && { cmd=${words[i]}; break; }
	done
	if [[ -z $cmd ]]; then
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W '--help --version -V -q -v' -- "$cur"))
		else
			COMPREPLY=($(compgen -W "help $("$1" --help 2>/dev/null |
				awk '/^commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 } on && /^$/ { exit }')" -- "$cur"))
		fi
		return
	fi
	case $prev in
	--upstream)
		local dir=upstreams
		[[ -d $dir ]] || dir=$(dirname "$(readlink -f "$(command -v "$1")")")/../share/kbundle/upstreams
		COMPREPLY=($(compgen -W "$(cd "$dir" 2>/dev/null && ls -- *.yml 2>/dev/null | sed 's/\.yml$//')" -- "$cur"))
		return ;;
	--arch)
		COMPREPLY=($(compgen -W 'amd64 arm64 armhf armel i386 ppc64el riscv64 s390x mips64el x86_64 aarch64' -- "$cur"))
		return ;;
	--workdir | --upstreams | --lists | --module | --extract | --to | -o | --output)
		_filedir -d
		return ;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$("$1" "$cmd" --help 2>/dev/null | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u)" -- "$cur"))
		[[ ${COMPREPLY-} == *= ]] && compopt -o nospace
		return
	fi
	_filedir
}
complete -F _kbundle kbundle
