# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_ike_global_optspecs
    string join \n site= n/namespace= v/verbose h/help V/version
end

function __fish_ike_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_ike_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_ike_using_subcommand
    set -l cmd (__fish_ike_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c ike -n "__fish_ike_needs_command" -l site -d 'The site to use (kubeconfig context ike-SITE); defaults to the current context' -r
complete -c ike -n "__fish_ike_needs_command" -s n -l namespace -d 'The namespace to use instead of the context\'s default' -r
complete -c ike -n "__fish_ike_needs_command" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c ike -n "__fish_ike_needs_command" -s h -l help -d 'Print help'
complete -c ike -n "__fish_ike_needs_command" -s V -l version -d 'Print version'
complete -c ike -n "__fish_ike_needs_command" -f -a "completion" -d 'Print a shell completion script'
complete -c ike -n "__fish_ike_needs_command" -f -a "site" -d 'Show the sites in your kubeconfig'
complete -c ike -n "__fish_ike_needs_command" -f -a "version" -d 'Show the versions of ike and of the site\'s Kubernetes API server'
complete -c ike -n "__fish_ike_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c ike -n "__fish_ike_using_subcommand completion" -l site -d 'The site to use (kubeconfig context ike-SITE); defaults to the current context' -r
complete -c ike -n "__fish_ike_using_subcommand completion" -s n -l namespace -d 'The namespace to use instead of the context\'s default' -r
complete -c ike -n "__fish_ike_using_subcommand completion" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c ike -n "__fish_ike_using_subcommand completion" -s h -l help -d 'Print help'
complete -c ike -n "__fish_ike_using_subcommand completion" -s V -l version -d 'Print version'
complete -c ike -n "__fish_ike_using_subcommand site; and not __fish_seen_subcommand_from list help" -l site -d 'The site to use (kubeconfig context ike-SITE); defaults to the current context' -r
complete -c ike -n "__fish_ike_using_subcommand site; and not __fish_seen_subcommand_from list help" -s n -l namespace -d 'The namespace to use instead of the context\'s default' -r
complete -c ike -n "__fish_ike_using_subcommand site; and not __fish_seen_subcommand_from list help" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c ike -n "__fish_ike_using_subcommand site; and not __fish_seen_subcommand_from list help" -s h -l help -d 'Print help'
complete -c ike -n "__fish_ike_using_subcommand site; and not __fish_seen_subcommand_from list help" -s V -l version -d 'Print version'
complete -c ike -n "__fish_ike_using_subcommand site; and not __fish_seen_subcommand_from list help" -f -a "list" -d 'List the sites in your kubeconfig'
complete -c ike -n "__fish_ike_using_subcommand site; and not __fish_seen_subcommand_from list help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c ike -n "__fish_ike_using_subcommand site; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format' -r -f -a "table\t'A table for people'
json\t'JSON, one document'
yaml\t'YAML, one document'"
complete -c ike -n "__fish_ike_using_subcommand site; and __fish_seen_subcommand_from list" -l site -d 'The site to use (kubeconfig context ike-SITE); defaults to the current context' -r
complete -c ike -n "__fish_ike_using_subcommand site; and __fish_seen_subcommand_from list" -s n -l namespace -d 'The namespace to use instead of the context\'s default' -r
complete -c ike -n "__fish_ike_using_subcommand site; and __fish_seen_subcommand_from list" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c ike -n "__fish_ike_using_subcommand site; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ike -n "__fish_ike_using_subcommand site; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c ike -n "__fish_ike_using_subcommand site; and __fish_seen_subcommand_from help" -f -a "list" -d 'List the sites in your kubeconfig'
complete -c ike -n "__fish_ike_using_subcommand site; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c ike -n "__fish_ike_using_subcommand version" -s o -l output -d 'Output format' -r -f -a "table\t'A table for people'
json\t'JSON, one document'
yaml\t'YAML, one document'"
complete -c ike -n "__fish_ike_using_subcommand version" -l site -d 'The site to use (kubeconfig context ike-SITE); defaults to the current context' -r
complete -c ike -n "__fish_ike_using_subcommand version" -s n -l namespace -d 'The namespace to use instead of the context\'s default' -r
complete -c ike -n "__fish_ike_using_subcommand version" -l client -d 'Show only ike\'s own version; do not contact the site'
complete -c ike -n "__fish_ike_using_subcommand version" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c ike -n "__fish_ike_using_subcommand version" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ike -n "__fish_ike_using_subcommand version" -s V -l version -d 'Print version'
complete -c ike -n "__fish_ike_using_subcommand help; and not __fish_seen_subcommand_from completion site version help" -f -a "completion" -d 'Print a shell completion script'
complete -c ike -n "__fish_ike_using_subcommand help; and not __fish_seen_subcommand_from completion site version help" -f -a "site" -d 'Show the sites in your kubeconfig'
complete -c ike -n "__fish_ike_using_subcommand help; and not __fish_seen_subcommand_from completion site version help" -f -a "version" -d 'Show the versions of ike and of the site\'s Kubernetes API server'
complete -c ike -n "__fish_ike_using_subcommand help; and not __fish_seen_subcommand_from completion site version help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c ike -n "__fish_ike_using_subcommand help; and __fish_seen_subcommand_from site" -f -a "list" -d 'List the sites in your kubeconfig'
