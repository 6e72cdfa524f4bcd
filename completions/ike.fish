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
complete -c ike -n "__fish_ike_needs_command" -f -a "login" -d 'Log in to a site: enroll with a one-time token, or renew your certificate'
complete -c ike -n "__fish_ike_needs_command" -f -a "whoami" -d 'Show your account, site, tenants and certificate'
complete -c ike -n "__fish_ike_needs_command" -f -a "logout" -d 'Remove ike\'s key, certificate and kubeconfig entries for a site'
complete -c ike -n "__fish_ike_needs_command" -f -a "account" -d 'Manage accounts (platform admins)'
complete -c ike -n "__fish_ike_needs_command" -f -a "tenant" -d 'Create, list, show and change tenants'
complete -c ike -n "__fish_ike_needs_command" -f -a "ns" -d 'Create, list and delete a tenant\'s namespaces'
complete -c ike -n "__fish_ike_needs_command" -f -a "namespace" -d 'Create, list and delete a tenant\'s namespaces'
complete -c ike -n "__fish_ike_needs_command" -f -a "doctor" -d 'Check what you may and may not do on a site, each check with a one-line explanation'
complete -c ike -n "__fish_ike_needs_command" -f -a "pod" -d 'Pods\' IPs, for a pod network reachable from the office (IKE Office)'
complete -c ike -n "__fish_ike_needs_command" -f -a "expose" -d 'Give a workload\'s pods a DNS name on IKE Office: a headless Service with external-dns\' annotations, the name checked against the site\'s rules'
complete -c ike -n "__fish_ike_needs_command" -f -a "resolve" -d 'Check a name (host, svc/NAME, pod/NAME) against the site\'s nameserver, or find the pod and tenant behind an IP'
complete -c ike -n "__fish_ike_needs_command" -f -a "notify" -d 'Say where a namespace\'s alerts go: Barry, e-mail, Microsoft Teams'
complete -c ike -n "__fish_ike_needs_command" -f -a "request" -d 'Ask for cluster-scoped objects (CRDs, StorageClasses) and decide on requests (admins)'
complete -c ike -n "__fish_ike_needs_command" -f -a "credential" -d 'The kubeconfig credential plugin kubectl runs (not for people)'
complete -c ike -n "__fish_ike_needs_command" -f -a "completion" -d 'Print a shell completion script'
complete -c ike -n "__fish_ike_needs_command" -f -a "site" -d 'Show the sites in your kubeconfig'
complete -c ike -n "__fish_ike_needs_command" -f -a "version" -d 'Show the versions of ike and of the site\'s Kubernetes API server'
complete -c ike -n "__fish_ike_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c ike -n "__fish_ike_using_subcommand login" -l server -d 'The site\'s account API (https://...); remembered after the first login' -r
complete -c ike -n "__fish_ike_using_subcommand login" -l token -d 'A one-time enrollment token from a platform admin (asked for on a terminal). Prefer --token-file: a token on the command line shows in ps and in the shell\'s history' -r
complete -c ike -n "__fish_ike_using_subcommand login" -l token-file -d 'Read the one-time enrollment token from FILE, or from standard input with \'-\' (used instead of --token and IKE_TOKEN)' -r -F
complete -c ike -n "__fish_ike_using_subcommand login" -l ca-pin -d 'The pin of the site\'s CA (sha256:...), given with the token, for an account API whose certificate is not publicly trusted' -r
complete -c ike -n "__fish_ike_using_subcommand login" -l ttl -d 'The certificate lifetime (e.g. 30m, 2h), remembered for the site: every renewal asks for it, and the site\'s maximum caps it. \'default\' goes back to the site\'s default' -r
complete -c ike -n "__fish_ike_using_subcommand login" -l site -d 'The site to use (kubeconfig context ike-SITE); defaults to the current context' -r
complete -c ike -n "__fish_ike_using_subcommand login" -s n -l namespace -d 'The namespace to use instead of the context\'s default' -r
complete -c ike -n "__fish_ike_using_subcommand login" -l no-switch -d 'Keep the current kubeconfig context instead of switching to the site\'s'
complete -c ike -n "__fish_ike_using_subcommand login" -l dry-run -d 'Show what would change and change nothing (server-side dry run where the server is asked)'
complete -c ike -n "__fish_ike_using_subcommand login" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c ike -n "__fish_ike_using_subcommand login" -s h -l help -d 'Print help'
complete -c ike -n "__fish_ike_using_subcommand login" -s V -l version -d 'Print version'
complete -c ike -n "__fish_ike_using_subcommand whoami" -s o -l output -d 'Output format' -r -f -a "table\t'A table for people'
json\t'JSON, one document'
yaml\t'YAML, one document'"
complete -c ike -n "__fish_ike_using_subcommand whoami" -l site -d 'The site to use (kubeconfig context ike-SITE); defaults to the current context' -r
complete -c ike -n "__fish_ike_using_subcommand whoami" -s n -l namespace -d 'The namespace to use instead of the context\'s default' -r
complete -c ike -n "__fish_ike_using_subcommand whoami" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c ike -n "__fish_ike_using_subcommand whoami" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ike -n "__fish_ike_using_subcommand whoami" -s V -l version -d 'Print version'
complete -c ike -n "__fish_ike_using_subcommand logout" -l site -d 'The site to use (kubeconfig context ike-SITE); defaults to the current context' -r
complete -c ike -n "__fish_ike_using_subcommand logout" -s n -l namespace -d 'The namespace to use instead of the context\'s default' -r
complete -c ike -n "__fish_ike_using_subcommand logout" -l all -d 'Log out of every site'
complete -c ike -n "__fish_ike_using_subcommand logout" -l dry-run -d 'Show what would change and change nothing (server-side dry run where the server is asked)'
complete -c ike -n "__fish_ike_using_subcommand logout" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c ike -n "__fish_ike_using_subcommand logout" -s h -l help -d 'Print help'
complete -c ike -n "__fish_ike_using_subcommand logout" -s V -l version -d 'Print version'
complete -c ike -n "__fish_ike_using_subcommand account; and not __fish_seen_subcommand_from create list show disable enable delete token revoke-certificates help" -l site -d 'The site to use (kubeconfig context ike-SITE); defaults to the current context' -r
complete -c ike -n "__fish_ike_using_subcommand account; and not __fish_seen_subcommand_from create list show disable enable delete token revoke-certificates help" -s n -l namespace -d 'The namespace to use instead of the context\'s default' -r
complete -c ike -n "__fish_ike_using_subcommand account; and not __fish_seen_subcommand_from create list show disable enable delete token revoke-certificates help" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c ike -n "__fish_ike_using_subcommand account; and not __fish_seen_subcommand_from create list show disable enable delete token revoke-certificates help" -s h -l help -d 'Print help'
complete -c ike -n "__fish_ike_using_subcommand account; and not __fish_seen_subcommand_from create list show disable enable delete token revoke-certificates help" -s V -l version -d 'Print version'
complete -c ike -n "__fish_ike_using_subcommand account; and not __fish_seen_subcommand_from create list show disable enable delete token revoke-certificates help" -f -a "create" -d 'Create an account and print its one-time enrollment token'
complete -c ike -n "__fish_ike_using_subcommand account; and not __fish_seen_subcommand_from create list show disable enable delete token revoke-certificates help" -f -a "list" -d 'List the accounts'
complete -c ike -n "__fish_ike_using_subcommand account; and not __fish_seen_subcommand_from create list show disable enable delete token revoke-certificates help" -f -a "show" -d 'Show one account'
complete -c ike -n "__fish_ike_using_subcommand account; and not __fish_seen_subcommand_from create list show disable enable delete token revoke-certificates help" -f -a "disable" -d 'Disable an account: no more certificates, every role binding gone at once'
complete -c ike -n "__fish_ike_using_subcommand account; and not __fish_seen_subcommand_from create list show disable enable delete token revoke-certificates help" -f -a "enable" -d 'Enable a disabled account again'
complete -c ike -n "__fish_ike_using_subcommand account; and not __fish_seen_subcommand_from create list show disable enable delete token revoke-certificates help" -f -a "delete" -d 'Delete an account'
complete -c ike -n "__fish_ike_using_subcommand account; and not __fish_seen_subcommand_from create list show disable enable delete token revoke-certificates help" -f -a "token" -d 'Make a new one-time enrollment token for an account'
complete -c ike -n "__fish_ike_using_subcommand account; and not __fish_seen_subcommand_from create list show disable enable delete token revoke-certificates help" -f -a "revoke-certificates" -d 'Revoke every certificate issued to an account until now (a lost or stolen device): none of them renews any more; each device logs in again with a new token'
complete -c ike -n "__fish_ike_using_subcommand account; and not __fish_seen_subcommand_from create list show disable enable delete token revoke-certificates help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c ike -n "__fish_ike_using_subcommand account; and __fish_seen_subcommand_from create" -l display-name -d 'The person\'s name' -r
complete -c ike -n "__fish_ike_using_subcommand account; and __fish_seen_subcommand_from create" -l email -d 'The person\'s e-mail' -r
complete -c ike -n "__fish_ike_using_subcommand account; and __fish_seen_subcommand_from create" -l token-ttl -d 'Enrollment token lifetime (60s to 7d)' -r
complete -c ike -n "__fish_ike_using_subcommand account; and __fish_seen_subcommand_from create" -s o -l output -d 'Output format' -r -f -a "table\t'A table for people'
json\t'JSON, one document'
yaml\t'YAML, one document'"
complete -c ike -n "__fish_ike_using_subcommand account; and __fish_seen_subcommand_from create" -l site -d 'The site to use (kubeconfig context ike-SITE); defaults to the current context' -r
complete -c ike -n "__fish_ike_using_subcommand account; and __fish_seen_subcommand_from create" -s n -l namespace -d 'The namespace to use instead of the context\'s default' -r
complete -c ike -n "__fish_ike_using_subcommand account; and __fish_seen_subcommand_from create" -l admin -d 'Make the account a platform admin'
complete -c ike -n "__fish_ike_using_subcommand account; and __fish_seen_subcommand_from create" -l dry-run -d 'Show what would change and change nothing (server-side dry run where the server is asked)'
complete -c ike -n "__fish_ike_using_subcommand account; and __fish_seen_subcommand_from create" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c ike -n "__fish_ike_using_subcommand account; and __fish_seen_subcommand_from create" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ike -n "__fish_ike_using_subcommand account; and __fish_seen_subcommand_from create" -s V -l version -d 'Print version'
complete -c ike -n "__fish_ike_using_subcommand account; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format' -r -f -a "table\t'A table for people'
json\t'JSON, one document'
yaml\t'YAML, one document'"
complete -c ike -n "__fish_ike_using_subcommand account; and __fish_seen_subcommand_from list" -l site -d 'The site to use (kubeconfig context ike-SITE); defaults to the current context' -r
complete -c ike -n "__fish_ike_using_subcommand account; and __fish_seen_subcommand_from list" -s n -l namespace -d 'The namespace to use instead of the context\'s default' -r
complete -c ike -n "__fish_ike_using_subcommand account; and __fish_seen_subcommand_from list" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c ike -n "__fish_ike_using_subcommand account; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ike -n "__fish_ike_using_subcommand account; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c ike -n "__fish_ike_using_subcommand account; and __fish_seen_subcommand_from show" -s o -l output -d 'Output format' -r -f -a "table\t'A table for people'
json\t'JSON, one document'
yaml\t'YAML, one document'"
complete -c ike -n "__fish_ike_using_subcommand account; and __fish_seen_subcommand_from show" -l site -d 'The site to use (kubeconfig context ike-SITE); defaults to the current context' -r
complete -c ike -n "__fish_ike_using_subcommand account; and __fish_seen_subcommand_from show" -s n -l namespace -d 'The namespace to use instead of the context\'s default' -r
complete -c ike -n "__fish_ike_using_subcommand account; and __fish_seen_subcommand_from show" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c ike -n "__fish_ike_using_subcommand account; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ike -n "__fish_ike_using_subcommand account; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c ike -n "__fish_ike_using_subcommand account; and __fish_seen_subcommand_from disable" -l site -d 'The site to use (kubeconfig context ike-SITE); defaults to the current context' -r
complete -c ike -n "__fish_ike_using_subcommand account; and __fish_seen_subcommand_from disable" -s n -l namespace -d 'The namespace to use instead of the context\'s default' -r
complete -c ike -n "__fish_ike_using_subcommand account; and __fish_seen_subcommand_from disable" -l dry-run -d 'Show what would change and change nothing (server-side dry run where the server is asked)'
complete -c ike -n "__fish_ike_using_subcommand account; and __fish_seen_subcommand_from disable" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c ike -n "__fish_ike_using_subcommand account; and __fish_seen_subcommand_from disable" -s h -l help -d 'Print help'
complete -c ike -n "__fish_ike_using_subcommand account; and __fish_seen_subcommand_from disable" -s V -l version -d 'Print version'
complete -c ike -n "__fish_ike_using_subcommand account; and __fish_seen_subcommand_from enable" -l site -d 'The site to use (kubeconfig context ike-SITE); defaults to the current context' -r
complete -c ike -n "__fish_ike_using_subcommand account; and __fish_seen_subcommand_from enable" -s n -l namespace -d 'The namespace to use instead of the context\'s default' -r
complete -c ike -n "__fish_ike_using_subcommand account; and __fish_seen_subcommand_from enable" -l dry-run -d 'Show what would change and change nothing (server-side dry run where the server is asked)'
complete -c ike -n "__fish_ike_using_subcommand account; and __fish_seen_subcommand_from enable" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c ike -n "__fish_ike_using_subcommand account; and __fish_seen_subcommand_from enable" -s h -l help -d 'Print help'
complete -c ike -n "__fish_ike_using_subcommand account; and __fish_seen_subcommand_from enable" -s V -l version -d 'Print version'
complete -c ike -n "__fish_ike_using_subcommand account; and __fish_seen_subcommand_from delete" -l site -d 'The site to use (kubeconfig context ike-SITE); defaults to the current context' -r
complete -c ike -n "__fish_ike_using_subcommand account; and __fish_seen_subcommand_from delete" -s n -l namespace -d 'The namespace to use instead of the context\'s default' -r
complete -c ike -n "__fish_ike_using_subcommand account; and __fish_seen_subcommand_from delete" -s y -l yes -d 'Do not ask for confirmation (required without a terminal)'
complete -c ike -n "__fish_ike_using_subcommand account; and __fish_seen_subcommand_from delete" -l dry-run -d 'Show what would change and change nothing (server-side dry run where the server is asked)'
complete -c ike -n "__fish_ike_using_subcommand account; and __fish_seen_subcommand_from delete" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c ike -n "__fish_ike_using_subcommand account; and __fish_seen_subcommand_from delete" -s h -l help -d 'Print help'
complete -c ike -n "__fish_ike_using_subcommand account; and __fish_seen_subcommand_from delete" -s V -l version -d 'Print version'
complete -c ike -n "__fish_ike_using_subcommand account; and __fish_seen_subcommand_from token" -l ttl -d 'Token lifetime (60s to 7d)' -r
complete -c ike -n "__fish_ike_using_subcommand account; and __fish_seen_subcommand_from token" -s o -l output -d 'Output format' -r -f -a "table\t'A table for people'
json\t'JSON, one document'
yaml\t'YAML, one document'"
complete -c ike -n "__fish_ike_using_subcommand account; and __fish_seen_subcommand_from token" -l site -d 'The site to use (kubeconfig context ike-SITE); defaults to the current context' -r
complete -c ike -n "__fish_ike_using_subcommand account; and __fish_seen_subcommand_from token" -s n -l namespace -d 'The namespace to use instead of the context\'s default' -r
complete -c ike -n "__fish_ike_using_subcommand account; and __fish_seen_subcommand_from token" -l revoke-certificates -d 'Also revoke every certificate issued to the account until now (a lost device: the new token is for its replacement)'
complete -c ike -n "__fish_ike_using_subcommand account; and __fish_seen_subcommand_from token" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c ike -n "__fish_ike_using_subcommand account; and __fish_seen_subcommand_from token" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ike -n "__fish_ike_using_subcommand account; and __fish_seen_subcommand_from token" -s V -l version -d 'Print version'
complete -c ike -n "__fish_ike_using_subcommand account; and __fish_seen_subcommand_from revoke-certificates" -l site -d 'The site to use (kubeconfig context ike-SITE); defaults to the current context' -r
complete -c ike -n "__fish_ike_using_subcommand account; and __fish_seen_subcommand_from revoke-certificates" -s n -l namespace -d 'The namespace to use instead of the context\'s default' -r
complete -c ike -n "__fish_ike_using_subcommand account; and __fish_seen_subcommand_from revoke-certificates" -l dry-run -d 'Show what would change and change nothing (server-side dry run where the server is asked)'
complete -c ike -n "__fish_ike_using_subcommand account; and __fish_seen_subcommand_from revoke-certificates" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c ike -n "__fish_ike_using_subcommand account; and __fish_seen_subcommand_from revoke-certificates" -s h -l help -d 'Print help'
complete -c ike -n "__fish_ike_using_subcommand account; and __fish_seen_subcommand_from revoke-certificates" -s V -l version -d 'Print version'
complete -c ike -n "__fish_ike_using_subcommand account; and __fish_seen_subcommand_from help" -f -a "create" -d 'Create an account and print its one-time enrollment token'
complete -c ike -n "__fish_ike_using_subcommand account; and __fish_seen_subcommand_from help" -f -a "list" -d 'List the accounts'
complete -c ike -n "__fish_ike_using_subcommand account; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show one account'
complete -c ike -n "__fish_ike_using_subcommand account; and __fish_seen_subcommand_from help" -f -a "disable" -d 'Disable an account: no more certificates, every role binding gone at once'
complete -c ike -n "__fish_ike_using_subcommand account; and __fish_seen_subcommand_from help" -f -a "enable" -d 'Enable a disabled account again'
complete -c ike -n "__fish_ike_using_subcommand account; and __fish_seen_subcommand_from help" -f -a "delete" -d 'Delete an account'
complete -c ike -n "__fish_ike_using_subcommand account; and __fish_seen_subcommand_from help" -f -a "token" -d 'Make a new one-time enrollment token for an account'
complete -c ike -n "__fish_ike_using_subcommand account; and __fish_seen_subcommand_from help" -f -a "revoke-certificates" -d 'Revoke every certificate issued to an account until now (a lost or stolen device): none of them renews any more; each device logs in again with a new token'
complete -c ike -n "__fish_ike_using_subcommand account; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c ike -n "__fish_ike_using_subcommand tenant; and not __fish_seen_subcommand_from create list show add-member remove-member delete help" -l site -d 'The site to use (kubeconfig context ike-SITE); defaults to the current context' -r
complete -c ike -n "__fish_ike_using_subcommand tenant; and not __fish_seen_subcommand_from create list show add-member remove-member delete help" -s n -l namespace -d 'The namespace to use instead of the context\'s default' -r
complete -c ike -n "__fish_ike_using_subcommand tenant; and not __fish_seen_subcommand_from create list show add-member remove-member delete help" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c ike -n "__fish_ike_using_subcommand tenant; and not __fish_seen_subcommand_from create list show add-member remove-member delete help" -s h -l help -d 'Print help'
complete -c ike -n "__fish_ike_using_subcommand tenant; and not __fish_seen_subcommand_from create list show add-member remove-member delete help" -s V -l version -d 'Print version'
complete -c ike -n "__fish_ike_using_subcommand tenant; and not __fish_seen_subcommand_from create list show add-member remove-member delete help" -f -a "create" -d 'Create a tenant and wait until it is ready'
complete -c ike -n "__fish_ike_using_subcommand tenant; and not __fish_seen_subcommand_from create list show add-member remove-member delete help" -f -a "list" -d 'List your tenants (platform admins: every tenant)'
complete -c ike -n "__fish_ike_using_subcommand tenant; and not __fish_seen_subcommand_from create list show add-member remove-member delete help" -f -a "show" -d 'Show a tenant: members, namespaces, node selector and conditions'
complete -c ike -n "__fish_ike_using_subcommand tenant; and not __fish_seen_subcommand_from create list show add-member remove-member delete help" -f -a "add-member" -d 'Add an account to a tenant, or change its role (owners and admins)'
complete -c ike -n "__fish_ike_using_subcommand tenant; and not __fish_seen_subcommand_from create list show add-member remove-member delete help" -f -a "remove-member" -d 'Remove an account from a tenant (owners and admins)'
complete -c ike -n "__fish_ike_using_subcommand tenant; and not __fish_seen_subcommand_from create list show add-member remove-member delete help" -f -a "delete" -d 'Delete a tenant and, unless kept, its namespaces with everything in them'
complete -c ike -n "__fish_ike_using_subcommand tenant; and not __fish_seen_subcommand_from create list show add-member remove-member delete help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c ike -n "__fish_ike_using_subcommand tenant; and __fish_seen_subcommand_from create" -l owner -d 'An owner: manages members and namespaces, admin in the namespaces (repeatable; default: you)' -r
complete -c ike -n "__fish_ike_using_subcommand tenant; and __fish_seen_subcommand_from create" -l member -d 'A member: edits workloads in the namespaces (repeatable)' -r
complete -c ike -n "__fish_ike_using_subcommand tenant; and __fish_seen_subcommand_from create" -l viewer -d 'A viewer: reads the namespaces (repeatable)' -r
complete -c ike -n "__fish_ike_using_subcommand tenant; and __fish_seen_subcommand_from create" -s n -l namespace -d 'A namespace the tenant holds; the controller creates it (repeatable)' -r
complete -c ike -n "__fish_ike_using_subcommand tenant; and __fish_seen_subcommand_from create" -l node-selector -d 'Dedicated nodes: a node label every pod of the tenant must match (repeatable; platform admins only)' -r
complete -c ike -n "__fish_ike_using_subcommand tenant; and __fish_seen_subcommand_from create" -l description -d 'What the tenant is for' -r
complete -c ike -n "__fish_ike_using_subcommand tenant; and __fish_seen_subcommand_from create" -l contact -d 'Whom to ask about the tenant' -r
complete -c ike -n "__fish_ike_using_subcommand tenant; and __fish_seen_subcommand_from create" -s o -l output -d 'Output format' -r -f -a "table\t'A table for people'
json\t'JSON, one document'
yaml\t'YAML, one document'"
complete -c ike -n "__fish_ike_using_subcommand tenant; and __fish_seen_subcommand_from create" -l site -d 'The site to use (kubeconfig context ike-SITE); defaults to the current context' -r
complete -c ike -n "__fish_ike_using_subcommand tenant; and __fish_seen_subcommand_from create" -l keep-namespaces -d 'Keep the namespaces when the tenant is deleted or drops them'
complete -c ike -n "__fish_ike_using_subcommand tenant; and __fish_seen_subcommand_from create" -l dry-run -d 'Show what would change and change nothing (server-side dry run where the server is asked)'
complete -c ike -n "__fish_ike_using_subcommand tenant; and __fish_seen_subcommand_from create" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c ike -n "__fish_ike_using_subcommand tenant; and __fish_seen_subcommand_from create" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ike -n "__fish_ike_using_subcommand tenant; and __fish_seen_subcommand_from create" -s V -l version -d 'Print version'
complete -c ike -n "__fish_ike_using_subcommand tenant; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format' -r -f -a "table\t'A table for people'
json\t'JSON, one document'
yaml\t'YAML, one document'"
complete -c ike -n "__fish_ike_using_subcommand tenant; and __fish_seen_subcommand_from list" -l site -d 'The site to use (kubeconfig context ike-SITE); defaults to the current context' -r
complete -c ike -n "__fish_ike_using_subcommand tenant; and __fish_seen_subcommand_from list" -s n -l namespace -d 'The namespace to use instead of the context\'s default' -r
complete -c ike -n "__fish_ike_using_subcommand tenant; and __fish_seen_subcommand_from list" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c ike -n "__fish_ike_using_subcommand tenant; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ike -n "__fish_ike_using_subcommand tenant; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c ike -n "__fish_ike_using_subcommand tenant; and __fish_seen_subcommand_from show" -s o -l output -d 'Output format' -r -f -a "table\t'A table for people'
json\t'JSON, one document'
yaml\t'YAML, one document'"
complete -c ike -n "__fish_ike_using_subcommand tenant; and __fish_seen_subcommand_from show" -l site -d 'The site to use (kubeconfig context ike-SITE); defaults to the current context' -r
complete -c ike -n "__fish_ike_using_subcommand tenant; and __fish_seen_subcommand_from show" -s n -l namespace -d 'The namespace to use instead of the context\'s default' -r
complete -c ike -n "__fish_ike_using_subcommand tenant; and __fish_seen_subcommand_from show" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c ike -n "__fish_ike_using_subcommand tenant; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ike -n "__fish_ike_using_subcommand tenant; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c ike -n "__fish_ike_using_subcommand tenant; and __fish_seen_subcommand_from add-member" -l role -d 'The account\'s role in the tenant' -r -f -a "owner\t'Manages members and namespaces; admin in the namespaces'
member\t'Edits workloads in the namespaces'
viewer\t'Reads the namespaces'"
complete -c ike -n "__fish_ike_using_subcommand tenant; and __fish_seen_subcommand_from add-member" -l site -d 'The site to use (kubeconfig context ike-SITE); defaults to the current context' -r
complete -c ike -n "__fish_ike_using_subcommand tenant; and __fish_seen_subcommand_from add-member" -s n -l namespace -d 'The namespace to use instead of the context\'s default' -r
complete -c ike -n "__fish_ike_using_subcommand tenant; and __fish_seen_subcommand_from add-member" -l dry-run -d 'Show what would change and change nothing (server-side dry run where the server is asked)'
complete -c ike -n "__fish_ike_using_subcommand tenant; and __fish_seen_subcommand_from add-member" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c ike -n "__fish_ike_using_subcommand tenant; and __fish_seen_subcommand_from add-member" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ike -n "__fish_ike_using_subcommand tenant; and __fish_seen_subcommand_from add-member" -s V -l version -d 'Print version'
complete -c ike -n "__fish_ike_using_subcommand tenant; and __fish_seen_subcommand_from remove-member" -l site -d 'The site to use (kubeconfig context ike-SITE); defaults to the current context' -r
complete -c ike -n "__fish_ike_using_subcommand tenant; and __fish_seen_subcommand_from remove-member" -s n -l namespace -d 'The namespace to use instead of the context\'s default' -r
complete -c ike -n "__fish_ike_using_subcommand tenant; and __fish_seen_subcommand_from remove-member" -l dry-run -d 'Show what would change and change nothing (server-side dry run where the server is asked)'
complete -c ike -n "__fish_ike_using_subcommand tenant; and __fish_seen_subcommand_from remove-member" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c ike -n "__fish_ike_using_subcommand tenant; and __fish_seen_subcommand_from remove-member" -s h -l help -d 'Print help'
complete -c ike -n "__fish_ike_using_subcommand tenant; and __fish_seen_subcommand_from remove-member" -s V -l version -d 'Print version'
complete -c ike -n "__fish_ike_using_subcommand tenant; and __fish_seen_subcommand_from delete" -l site -d 'The site to use (kubeconfig context ike-SITE); defaults to the current context' -r
complete -c ike -n "__fish_ike_using_subcommand tenant; and __fish_seen_subcommand_from delete" -s n -l namespace -d 'The namespace to use instead of the context\'s default' -r
complete -c ike -n "__fish_ike_using_subcommand tenant; and __fish_seen_subcommand_from delete" -l keep-namespaces -d 'Keep the namespaces (they lose the tenant\'s label and role bindings)'
complete -c ike -n "__fish_ike_using_subcommand tenant; and __fish_seen_subcommand_from delete" -s y -l yes -d 'Do not ask for confirmation (required without a terminal)'
complete -c ike -n "__fish_ike_using_subcommand tenant; and __fish_seen_subcommand_from delete" -l dry-run -d 'Show what would change and change nothing (server-side dry run where the server is asked)'
complete -c ike -n "__fish_ike_using_subcommand tenant; and __fish_seen_subcommand_from delete" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c ike -n "__fish_ike_using_subcommand tenant; and __fish_seen_subcommand_from delete" -s h -l help -d 'Print help'
complete -c ike -n "__fish_ike_using_subcommand tenant; and __fish_seen_subcommand_from delete" -s V -l version -d 'Print version'
complete -c ike -n "__fish_ike_using_subcommand tenant; and __fish_seen_subcommand_from help" -f -a "create" -d 'Create a tenant and wait until it is ready'
complete -c ike -n "__fish_ike_using_subcommand tenant; and __fish_seen_subcommand_from help" -f -a "list" -d 'List your tenants (platform admins: every tenant)'
complete -c ike -n "__fish_ike_using_subcommand tenant; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show a tenant: members, namespaces, node selector and conditions'
complete -c ike -n "__fish_ike_using_subcommand tenant; and __fish_seen_subcommand_from help" -f -a "add-member" -d 'Add an account to a tenant, or change its role (owners and admins)'
complete -c ike -n "__fish_ike_using_subcommand tenant; and __fish_seen_subcommand_from help" -f -a "remove-member" -d 'Remove an account from a tenant (owners and admins)'
complete -c ike -n "__fish_ike_using_subcommand tenant; and __fish_seen_subcommand_from help" -f -a "delete" -d 'Delete a tenant and, unless kept, its namespaces with everything in them'
complete -c ike -n "__fish_ike_using_subcommand tenant; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c ike -n "__fish_ike_using_subcommand ns; and not __fish_seen_subcommand_from create list delete help" -l site -d 'The site to use (kubeconfig context ike-SITE); defaults to the current context' -r
complete -c ike -n "__fish_ike_using_subcommand ns; and not __fish_seen_subcommand_from create list delete help" -s n -l namespace -d 'The namespace to use instead of the context\'s default' -r
complete -c ike -n "__fish_ike_using_subcommand ns; and not __fish_seen_subcommand_from create list delete help" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c ike -n "__fish_ike_using_subcommand ns; and not __fish_seen_subcommand_from create list delete help" -s h -l help -d 'Print help'
complete -c ike -n "__fish_ike_using_subcommand ns; and not __fish_seen_subcommand_from create list delete help" -s V -l version -d 'Print version'
complete -c ike -n "__fish_ike_using_subcommand ns; and not __fish_seen_subcommand_from create list delete help" -f -a "create" -d 'Add a namespace to a tenant and wait until the tenant holds it (owners and admins)'
complete -c ike -n "__fish_ike_using_subcommand ns; and not __fish_seen_subcommand_from create list delete help" -f -a "list" -d 'List the namespaces of your tenants (platform admins: of every tenant)'
complete -c ike -n "__fish_ike_using_subcommand ns; and not __fish_seen_subcommand_from create list delete help" -f -a "delete" -d 'Take a namespace off its tenant: it is deleted with everything in it, unless the tenant keeps its namespaces'
complete -c ike -n "__fish_ike_using_subcommand ns; and not __fish_seen_subcommand_from create list delete help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c ike -n "__fish_ike_using_subcommand ns; and __fish_seen_subcommand_from create" -s t -l tenant -d 'The tenant that gets it' -r
complete -c ike -n "__fish_ike_using_subcommand ns; and __fish_seen_subcommand_from create" -l site -d 'The site to use (kubeconfig context ike-SITE); defaults to the current context' -r
complete -c ike -n "__fish_ike_using_subcommand ns; and __fish_seen_subcommand_from create" -s n -l namespace -d 'The namespace to use instead of the context\'s default' -r
complete -c ike -n "__fish_ike_using_subcommand ns; and __fish_seen_subcommand_from create" -l dry-run -d 'Show what would change and change nothing (server-side dry run where the server is asked)'
complete -c ike -n "__fish_ike_using_subcommand ns; and __fish_seen_subcommand_from create" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c ike -n "__fish_ike_using_subcommand ns; and __fish_seen_subcommand_from create" -s h -l help -d 'Print help'
complete -c ike -n "__fish_ike_using_subcommand ns; and __fish_seen_subcommand_from create" -s V -l version -d 'Print version'
complete -c ike -n "__fish_ike_using_subcommand ns; and __fish_seen_subcommand_from list" -s t -l tenant -d 'Only this tenant\'s namespaces' -r
complete -c ike -n "__fish_ike_using_subcommand ns; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format' -r -f -a "table\t'A table for people'
json\t'JSON, one document'
yaml\t'YAML, one document'"
complete -c ike -n "__fish_ike_using_subcommand ns; and __fish_seen_subcommand_from list" -l site -d 'The site to use (kubeconfig context ike-SITE); defaults to the current context' -r
complete -c ike -n "__fish_ike_using_subcommand ns; and __fish_seen_subcommand_from list" -s n -l namespace -d 'The namespace to use instead of the context\'s default' -r
complete -c ike -n "__fish_ike_using_subcommand ns; and __fish_seen_subcommand_from list" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c ike -n "__fish_ike_using_subcommand ns; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ike -n "__fish_ike_using_subcommand ns; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c ike -n "__fish_ike_using_subcommand ns; and __fish_seen_subcommand_from delete" -s t -l tenant -d 'The tenant holding it, when more than one of yours lists it' -r
complete -c ike -n "__fish_ike_using_subcommand ns; and __fish_seen_subcommand_from delete" -l site -d 'The site to use (kubeconfig context ike-SITE); defaults to the current context' -r
complete -c ike -n "__fish_ike_using_subcommand ns; and __fish_seen_subcommand_from delete" -s n -l namespace -d 'The namespace to use instead of the context\'s default' -r
complete -c ike -n "__fish_ike_using_subcommand ns; and __fish_seen_subcommand_from delete" -s y -l yes -d 'Do not ask for confirmation (required without a terminal)'
complete -c ike -n "__fish_ike_using_subcommand ns; and __fish_seen_subcommand_from delete" -l dry-run -d 'Show what would change and change nothing (server-side dry run where the server is asked)'
complete -c ike -n "__fish_ike_using_subcommand ns; and __fish_seen_subcommand_from delete" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c ike -n "__fish_ike_using_subcommand ns; and __fish_seen_subcommand_from delete" -s h -l help -d 'Print help'
complete -c ike -n "__fish_ike_using_subcommand ns; and __fish_seen_subcommand_from delete" -s V -l version -d 'Print version'
complete -c ike -n "__fish_ike_using_subcommand ns; and __fish_seen_subcommand_from help" -f -a "create" -d 'Add a namespace to a tenant and wait until the tenant holds it (owners and admins)'
complete -c ike -n "__fish_ike_using_subcommand ns; and __fish_seen_subcommand_from help" -f -a "list" -d 'List the namespaces of your tenants (platform admins: of every tenant)'
complete -c ike -n "__fish_ike_using_subcommand ns; and __fish_seen_subcommand_from help" -f -a "delete" -d 'Take a namespace off its tenant: it is deleted with everything in it, unless the tenant keeps its namespaces'
complete -c ike -n "__fish_ike_using_subcommand ns; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c ike -n "__fish_ike_using_subcommand namespace; and not __fish_seen_subcommand_from create list delete help" -l site -d 'The site to use (kubeconfig context ike-SITE); defaults to the current context' -r
complete -c ike -n "__fish_ike_using_subcommand namespace; and not __fish_seen_subcommand_from create list delete help" -s n -l namespace -d 'The namespace to use instead of the context\'s default' -r
complete -c ike -n "__fish_ike_using_subcommand namespace; and not __fish_seen_subcommand_from create list delete help" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c ike -n "__fish_ike_using_subcommand namespace; and not __fish_seen_subcommand_from create list delete help" -s h -l help -d 'Print help'
complete -c ike -n "__fish_ike_using_subcommand namespace; and not __fish_seen_subcommand_from create list delete help" -s V -l version -d 'Print version'
complete -c ike -n "__fish_ike_using_subcommand namespace; and not __fish_seen_subcommand_from create list delete help" -f -a "create" -d 'Add a namespace to a tenant and wait until the tenant holds it (owners and admins)'
complete -c ike -n "__fish_ike_using_subcommand namespace; and not __fish_seen_subcommand_from create list delete help" -f -a "list" -d 'List the namespaces of your tenants (platform admins: of every tenant)'
complete -c ike -n "__fish_ike_using_subcommand namespace; and not __fish_seen_subcommand_from create list delete help" -f -a "delete" -d 'Take a namespace off its tenant: it is deleted with everything in it, unless the tenant keeps its namespaces'
complete -c ike -n "__fish_ike_using_subcommand namespace; and not __fish_seen_subcommand_from create list delete help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c ike -n "__fish_ike_using_subcommand namespace; and __fish_seen_subcommand_from create" -s t -l tenant -d 'The tenant that gets it' -r
complete -c ike -n "__fish_ike_using_subcommand namespace; and __fish_seen_subcommand_from create" -l site -d 'The site to use (kubeconfig context ike-SITE); defaults to the current context' -r
complete -c ike -n "__fish_ike_using_subcommand namespace; and __fish_seen_subcommand_from create" -s n -l namespace -d 'The namespace to use instead of the context\'s default' -r
complete -c ike -n "__fish_ike_using_subcommand namespace; and __fish_seen_subcommand_from create" -l dry-run -d 'Show what would change and change nothing (server-side dry run where the server is asked)'
complete -c ike -n "__fish_ike_using_subcommand namespace; and __fish_seen_subcommand_from create" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c ike -n "__fish_ike_using_subcommand namespace; and __fish_seen_subcommand_from create" -s h -l help -d 'Print help'
complete -c ike -n "__fish_ike_using_subcommand namespace; and __fish_seen_subcommand_from create" -s V -l version -d 'Print version'
complete -c ike -n "__fish_ike_using_subcommand namespace; and __fish_seen_subcommand_from list" -s t -l tenant -d 'Only this tenant\'s namespaces' -r
complete -c ike -n "__fish_ike_using_subcommand namespace; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format' -r -f -a "table\t'A table for people'
json\t'JSON, one document'
yaml\t'YAML, one document'"
complete -c ike -n "__fish_ike_using_subcommand namespace; and __fish_seen_subcommand_from list" -l site -d 'The site to use (kubeconfig context ike-SITE); defaults to the current context' -r
complete -c ike -n "__fish_ike_using_subcommand namespace; and __fish_seen_subcommand_from list" -s n -l namespace -d 'The namespace to use instead of the context\'s default' -r
complete -c ike -n "__fish_ike_using_subcommand namespace; and __fish_seen_subcommand_from list" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c ike -n "__fish_ike_using_subcommand namespace; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ike -n "__fish_ike_using_subcommand namespace; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c ike -n "__fish_ike_using_subcommand namespace; and __fish_seen_subcommand_from delete" -s t -l tenant -d 'The tenant holding it, when more than one of yours lists it' -r
complete -c ike -n "__fish_ike_using_subcommand namespace; and __fish_seen_subcommand_from delete" -l site -d 'The site to use (kubeconfig context ike-SITE); defaults to the current context' -r
complete -c ike -n "__fish_ike_using_subcommand namespace; and __fish_seen_subcommand_from delete" -s n -l namespace -d 'The namespace to use instead of the context\'s default' -r
complete -c ike -n "__fish_ike_using_subcommand namespace; and __fish_seen_subcommand_from delete" -s y -l yes -d 'Do not ask for confirmation (required without a terminal)'
complete -c ike -n "__fish_ike_using_subcommand namespace; and __fish_seen_subcommand_from delete" -l dry-run -d 'Show what would change and change nothing (server-side dry run where the server is asked)'
complete -c ike -n "__fish_ike_using_subcommand namespace; and __fish_seen_subcommand_from delete" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c ike -n "__fish_ike_using_subcommand namespace; and __fish_seen_subcommand_from delete" -s h -l help -d 'Print help'
complete -c ike -n "__fish_ike_using_subcommand namespace; and __fish_seen_subcommand_from delete" -s V -l version -d 'Print version'
complete -c ike -n "__fish_ike_using_subcommand namespace; and __fish_seen_subcommand_from help" -f -a "create" -d 'Add a namespace to a tenant and wait until the tenant holds it (owners and admins)'
complete -c ike -n "__fish_ike_using_subcommand namespace; and __fish_seen_subcommand_from help" -f -a "list" -d 'List the namespaces of your tenants (platform admins: of every tenant)'
complete -c ike -n "__fish_ike_using_subcommand namespace; and __fish_seen_subcommand_from help" -f -a "delete" -d 'Take a namespace off its tenant: it is deleted with everything in it, unless the tenant keeps its namespaces'
complete -c ike -n "__fish_ike_using_subcommand namespace; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c ike -n "__fish_ike_using_subcommand doctor" -l tenant-namespace -d 'The namespace to try pods in (default: -n, else the first namespace of your first tenant)' -r
complete -c ike -n "__fish_ike_using_subcommand doctor" -s o -l output -d 'Output format' -r -f -a "table\t'A table for people'
json\t'JSON, one document'
yaml\t'YAML, one document'"
complete -c ike -n "__fish_ike_using_subcommand doctor" -l site -d 'The site to use (kubeconfig context ike-SITE); defaults to the current context' -r
complete -c ike -n "__fish_ike_using_subcommand doctor" -s n -l namespace -d 'The namespace to use instead of the context\'s default' -r
complete -c ike -n "__fish_ike_using_subcommand doctor" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c ike -n "__fish_ike_using_subcommand doctor" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ike -n "__fish_ike_using_subcommand doctor" -s V -l version -d 'Print version'
complete -c ike -n "__fish_ike_using_subcommand pod; and not __fish_seen_subcommand_from ip help" -l site -d 'The site to use (kubeconfig context ike-SITE); defaults to the current context' -r
complete -c ike -n "__fish_ike_using_subcommand pod; and not __fish_seen_subcommand_from ip help" -s n -l namespace -d 'The namespace to use instead of the context\'s default' -r
complete -c ike -n "__fish_ike_using_subcommand pod; and not __fish_seen_subcommand_from ip help" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c ike -n "__fish_ike_using_subcommand pod; and not __fish_seen_subcommand_from ip help" -s h -l help -d 'Print help'
complete -c ike -n "__fish_ike_using_subcommand pod; and not __fish_seen_subcommand_from ip help" -s V -l version -d 'Print version'
complete -c ike -n "__fish_ike_using_subcommand pod; and not __fish_seen_subcommand_from ip help" -f -a "ip" -d 'Show pod IPs (IPv4 and IPv6), with phase, readiness and node; one IP per line when stdout is not a terminal, so that `curl http://$(ike pod ip -l app=web)` works'
complete -c ike -n "__fish_ike_using_subcommand pod; and not __fish_seen_subcommand_from ip help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c ike -n "__fish_ike_using_subcommand pod; and __fish_seen_subcommand_from ip" -s l -l selector -d 'Only pods with these labels, e.g. app=web or \'app=web,tier!=cache\' (kubectl\'s syntax)' -r
complete -c ike -n "__fish_ike_using_subcommand pod; and __fish_seen_subcommand_from ip" -l timeout -d 'How long --wait waits' -r
complete -c ike -n "__fish_ike_using_subcommand pod; and __fish_seen_subcommand_from ip" -s o -l output -d 'Output format; default: table on a terminal, else ip (one IP per line)' -r -f -a "table\t'A table for people'
json\t'JSON, one document'
yaml\t'YAML, one document'
ip\t'One IP per line, nothing else'"
complete -c ike -n "__fish_ike_using_subcommand pod; and __fish_seen_subcommand_from ip" -l site -d 'The site to use (kubeconfig context ike-SITE); defaults to the current context' -r
complete -c ike -n "__fish_ike_using_subcommand pod; and __fish_seen_subcommand_from ip" -s n -l namespace -d 'The namespace to use instead of the context\'s default' -r
complete -c ike -n "__fish_ike_using_subcommand pod; and __fish_seen_subcommand_from ip" -l wait -d 'Wait until at least one pod is ready and every ready pod has an IP'
complete -c ike -n "__fish_ike_using_subcommand pod; and __fish_seen_subcommand_from ip" -s 4 -l ipv4 -d 'Only IPv4 addresses'
complete -c ike -n "__fish_ike_using_subcommand pod; and __fish_seen_subcommand_from ip" -s 6 -l ipv6 -d 'Only IPv6 addresses'
complete -c ike -n "__fish_ike_using_subcommand pod; and __fish_seen_subcommand_from ip" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c ike -n "__fish_ike_using_subcommand pod; and __fish_seen_subcommand_from ip" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ike -n "__fish_ike_using_subcommand pod; and __fish_seen_subcommand_from ip" -s V -l version -d 'Print version'
complete -c ike -n "__fish_ike_using_subcommand pod; and __fish_seen_subcommand_from help" -f -a "ip" -d 'Show pod IPs (IPv4 and IPv6), with phase, readiness and node; one IP per line when stdout is not a terminal, so that `curl http://$(ike pod ip -l app=web)` works'
complete -c ike -n "__fish_ike_using_subcommand pod; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c ike -n "__fish_ike_using_subcommand expose" -l hostname -d 'The DNS name, under a domain the site allows (repeat for several)' -r
complete -c ike -n "__fish_ike_using_subcommand expose" -l port -d 'A port for the Service to list; the name reaches every port of the pods anyway' -r
complete -c ike -n "__fish_ike_using_subcommand expose" -l ttl -d 'TTL of the records, seconds or e.g. 1m [default: the site\'s, 30 s unless it says otherwise]' -r
complete -c ike -n "__fish_ike_using_subcommand expose" -l name -d 'The Service\'s name [default: the workload\'s]' -r
complete -c ike -n "__fish_ike_using_subcommand expose" -s o -l output -d 'Output format' -r -f -a "table\t'A table for people'
json\t'JSON, one document'
yaml\t'YAML, one document'"
complete -c ike -n "__fish_ike_using_subcommand expose" -l site -d 'The site to use (kubeconfig context ike-SITE); defaults to the current context' -r
complete -c ike -n "__fish_ike_using_subcommand expose" -s n -l namespace -d 'The namespace to use instead of the context\'s default' -r
complete -c ike -n "__fish_ike_using_subcommand expose" -l dry-run -d 'Show what would change and change nothing (server-side dry run where the server is asked)'
complete -c ike -n "__fish_ike_using_subcommand expose" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c ike -n "__fish_ike_using_subcommand expose" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ike -n "__fish_ike_using_subcommand expose" -s V -l version -d 'Print version'
complete -c ike -n "__fish_ike_using_subcommand resolve" -l server -d 'The nameserver to ask [default: the site\'s Office DNS server]' -r
complete -c ike -n "__fish_ike_using_subcommand resolve" -s o -l output -d 'Output format' -r -f -a "table\t'A table for people'
json\t'JSON, one document'
yaml\t'YAML, one document'"
complete -c ike -n "__fish_ike_using_subcommand resolve" -l site -d 'The site to use (kubeconfig context ike-SITE); defaults to the current context' -r
complete -c ike -n "__fish_ike_using_subcommand resolve" -s n -l namespace -d 'The namespace to use instead of the context\'s default' -r
complete -c ike -n "__fish_ike_using_subcommand resolve" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c ike -n "__fish_ike_using_subcommand resolve" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ike -n "__fish_ike_using_subcommand resolve" -s V -l version -d 'Print version'
complete -c ike -n "__fish_ike_using_subcommand notify; and not __fish_seen_subcommand_from barry email teams list show test delete help" -l site -d 'The site to use (kubeconfig context ike-SITE); defaults to the current context' -r
complete -c ike -n "__fish_ike_using_subcommand notify; and not __fish_seen_subcommand_from barry email teams list show test delete help" -s n -l namespace -d 'The namespace to use instead of the context\'s default' -r
complete -c ike -n "__fish_ike_using_subcommand notify; and not __fish_seen_subcommand_from barry email teams list show test delete help" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c ike -n "__fish_ike_using_subcommand notify; and not __fish_seen_subcommand_from barry email teams list show test delete help" -s h -l help -d 'Print help'
complete -c ike -n "__fish_ike_using_subcommand notify; and not __fish_seen_subcommand_from barry email teams list show test delete help" -s V -l version -d 'Print version'
complete -c ike -n "__fish_ike_using_subcommand notify; and not __fish_seen_subcommand_from barry email teams list show test delete help" -f -a "barry" -d 'Send this namespace\'s alerts to channels in Barry (opened with your token)'
complete -c ike -n "__fish_ike_using_subcommand notify; and not __fish_seen_subcommand_from barry email teams list show test delete help" -f -a "email" -d 'Send this namespace\'s alerts by e-mail'
complete -c ike -n "__fish_ike_using_subcommand notify; and not __fish_seen_subcommand_from barry email teams list show test delete help" -f -a "teams" -d 'Send this namespace\'s alerts to a Microsoft Teams channel (a Workflows webhook)'
complete -c ike -n "__fish_ike_using_subcommand notify; and not __fish_seen_subcommand_from barry email teams list show test delete help" -f -a "list" -d 'List the notification configs of a namespace (-A: of every namespace you may read)'
complete -c ike -n "__fish_ike_using_subcommand notify; and not __fish_seen_subcommand_from barry email teams list show test delete help" -f -a "show" -d 'Show one notification config: where it sends, its conditions, its last delivery'
complete -c ike -n "__fish_ike_using_subcommand notify; and not __fish_seen_subcommand_from barry email teams list show test delete help" -f -a "test" -d 'Send a test alert through Alertmanager and report where it arrived, or why not'
complete -c ike -n "__fish_ike_using_subcommand notify; and not __fish_seen_subcommand_from barry email teams list show test delete help" -f -a "delete" -d 'Delete a notification config (its Secret is kept)'
complete -c ike -n "__fish_ike_using_subcommand notify; and not __fish_seen_subcommand_from barry email teams list show test delete help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c ike -n "__fish_ike_using_subcommand notify; and __fish_seen_subcommand_from barry" -l channel -d 'A Barry channel that gets the alerts, opened if it does not exist (repeatable)' -r
complete -c ike -n "__fish_ike_using_subcommand notify; and __fish_seen_subcommand_from barry" -l mute -d 'A channel that gets them muted: Barry records the alerts and notifies nobody (repeatable)' -r
complete -c ike -n "__fish_ike_using_subcommand notify; and __fish_seen_subcommand_from barry" -l token-secret -d 'The Secret whose key \'token\' holds your Barry API token (default with --token-file: NAME-barry-token)' -r
complete -c ike -n "__fish_ike_using_subcommand notify; and __fish_seen_subcommand_from barry" -l token-file -d 'Write that Secret from this file (\'-\': standard input)' -r -F
complete -c ike -n "__fish_ike_using_subcommand notify; and __fish_seen_subcommand_from barry" -s o -l output -d 'Output format' -r -f -a "table\t'A table for people'
json\t'JSON, one document'
yaml\t'YAML, one document'"
complete -c ike -n "__fish_ike_using_subcommand notify; and __fish_seen_subcommand_from barry" -l site -d 'The site to use (kubeconfig context ike-SITE); defaults to the current context' -r
complete -c ike -n "__fish_ike_using_subcommand notify; and __fish_seen_subcommand_from barry" -s n -l namespace -d 'The namespace to use instead of the context\'s default' -r
complete -c ike -n "__fish_ike_using_subcommand notify; and __fish_seen_subcommand_from barry" -l dry-run -d 'Show what would change and change nothing (server-side dry run where the server is asked)'
complete -c ike -n "__fish_ike_using_subcommand notify; and __fish_seen_subcommand_from barry" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c ike -n "__fish_ike_using_subcommand notify; and __fish_seen_subcommand_from barry" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ike -n "__fish_ike_using_subcommand notify; and __fish_seen_subcommand_from barry" -s V -l version -d 'Print version'
complete -c ike -n "__fish_ike_using_subcommand notify; and __fish_seen_subcommand_from email" -l to -d 'A recipient: a plain address such as oncall@example.com (repeatable)' -r
complete -c ike -n "__fish_ike_using_subcommand notify; and __fish_seen_subcommand_from email" -l subject-prefix -d 'Text put before the subject line, such as \'[shop]\'' -r
complete -c ike -n "__fish_ike_using_subcommand notify; and __fish_seen_subcommand_from email" -s o -l output -d 'Output format' -r -f -a "table\t'A table for people'
json\t'JSON, one document'
yaml\t'YAML, one document'"
complete -c ike -n "__fish_ike_using_subcommand notify; and __fish_seen_subcommand_from email" -l site -d 'The site to use (kubeconfig context ike-SITE); defaults to the current context' -r
complete -c ike -n "__fish_ike_using_subcommand notify; and __fish_seen_subcommand_from email" -s n -l namespace -d 'The namespace to use instead of the context\'s default' -r
complete -c ike -n "__fish_ike_using_subcommand notify; and __fish_seen_subcommand_from email" -l send-resolved -d 'Also send a message when the alerts resolve'
complete -c ike -n "__fish_ike_using_subcommand notify; and __fish_seen_subcommand_from email" -l dry-run -d 'Show what would change and change nothing (server-side dry run where the server is asked)'
complete -c ike -n "__fish_ike_using_subcommand notify; and __fish_seen_subcommand_from email" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c ike -n "__fish_ike_using_subcommand notify; and __fish_seen_subcommand_from email" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ike -n "__fish_ike_using_subcommand notify; and __fish_seen_subcommand_from email" -s V -l version -d 'Print version'
complete -c ike -n "__fish_ike_using_subcommand notify; and __fish_seen_subcommand_from teams" -l webhook-url-file -d 'Write the Teams Workflows webhook URL from this file (\'-\': standard input) into the Secret' -r -F
complete -c ike -n "__fish_ike_using_subcommand notify; and __fish_seen_subcommand_from teams" -l webhook-url-secret -d 'The Secret whose key \'url\' holds the webhook URL (default: NAME-teams-webhook)' -r
complete -c ike -n "__fish_ike_using_subcommand notify; and __fish_seen_subcommand_from teams" -s o -l output -d 'Output format' -r -f -a "table\t'A table for people'
json\t'JSON, one document'
yaml\t'YAML, one document'"
complete -c ike -n "__fish_ike_using_subcommand notify; and __fish_seen_subcommand_from teams" -l site -d 'The site to use (kubeconfig context ike-SITE); defaults to the current context' -r
complete -c ike -n "__fish_ike_using_subcommand notify; and __fish_seen_subcommand_from teams" -s n -l namespace -d 'The namespace to use instead of the context\'s default' -r
complete -c ike -n "__fish_ike_using_subcommand notify; and __fish_seen_subcommand_from teams" -l dry-run -d 'Show what would change and change nothing (server-side dry run where the server is asked)'
complete -c ike -n "__fish_ike_using_subcommand notify; and __fish_seen_subcommand_from teams" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c ike -n "__fish_ike_using_subcommand notify; and __fish_seen_subcommand_from teams" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ike -n "__fish_ike_using_subcommand notify; and __fish_seen_subcommand_from teams" -s V -l version -d 'Print version'
complete -c ike -n "__fish_ike_using_subcommand notify; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format' -r -f -a "table\t'A table for people'
json\t'JSON, one document'
yaml\t'YAML, one document'"
complete -c ike -n "__fish_ike_using_subcommand notify; and __fish_seen_subcommand_from list" -l site -d 'The site to use (kubeconfig context ike-SITE); defaults to the current context' -r
complete -c ike -n "__fish_ike_using_subcommand notify; and __fish_seen_subcommand_from list" -s n -l namespace -d 'The namespace to use instead of the context\'s default' -r
complete -c ike -n "__fish_ike_using_subcommand notify; and __fish_seen_subcommand_from list" -s A -l all-namespaces -d 'List the configs of every namespace you may read'
complete -c ike -n "__fish_ike_using_subcommand notify; and __fish_seen_subcommand_from list" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c ike -n "__fish_ike_using_subcommand notify; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ike -n "__fish_ike_using_subcommand notify; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c ike -n "__fish_ike_using_subcommand notify; and __fish_seen_subcommand_from show" -l kind -d 'Its kind, when the name is used by several' -r -f -a "barry\t'BarryConfig'
email\t'EmailConfig'
teams\t'TeamsConfig'"
complete -c ike -n "__fish_ike_using_subcommand notify; and __fish_seen_subcommand_from show" -s o -l output -d 'Output format' -r -f -a "table\t'A table for people'
json\t'JSON, one document'
yaml\t'YAML, one document'"
complete -c ike -n "__fish_ike_using_subcommand notify; and __fish_seen_subcommand_from show" -l site -d 'The site to use (kubeconfig context ike-SITE); defaults to the current context' -r
complete -c ike -n "__fish_ike_using_subcommand notify; and __fish_seen_subcommand_from show" -s n -l namespace -d 'The namespace to use instead of the context\'s default' -r
complete -c ike -n "__fish_ike_using_subcommand notify; and __fish_seen_subcommand_from show" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c ike -n "__fish_ike_using_subcommand notify; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ike -n "__fish_ike_using_subcommand notify; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c ike -n "__fish_ike_using_subcommand notify; and __fish_seen_subcommand_from test" -l kind -d 'Its kind, when the name is used by several' -r -f -a "barry\t'BarryConfig'
email\t'EmailConfig'
teams\t'TeamsConfig'"
complete -c ike -n "__fish_ike_using_subcommand notify; and __fish_seen_subcommand_from test" -l timeout -d 'How long to wait for the alert to arrive (Alertmanager sends after its group_wait)' -r
complete -c ike -n "__fish_ike_using_subcommand notify; and __fish_seen_subcommand_from test" -s o -l output -d 'Output format' -r -f -a "table\t'A table for people'
json\t'JSON, one document'
yaml\t'YAML, one document'"
complete -c ike -n "__fish_ike_using_subcommand notify; and __fish_seen_subcommand_from test" -l site -d 'The site to use (kubeconfig context ike-SITE); defaults to the current context' -r
complete -c ike -n "__fish_ike_using_subcommand notify; and __fish_seen_subcommand_from test" -s n -l namespace -d 'The namespace to use instead of the context\'s default' -r
complete -c ike -n "__fish_ike_using_subcommand notify; and __fish_seen_subcommand_from test" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c ike -n "__fish_ike_using_subcommand notify; and __fish_seen_subcommand_from test" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ike -n "__fish_ike_using_subcommand notify; and __fish_seen_subcommand_from test" -s V -l version -d 'Print version'
complete -c ike -n "__fish_ike_using_subcommand notify; and __fish_seen_subcommand_from delete" -l kind -d 'Its kind, when the name is used by several' -r -f -a "barry\t'BarryConfig'
email\t'EmailConfig'
teams\t'TeamsConfig'"
complete -c ike -n "__fish_ike_using_subcommand notify; and __fish_seen_subcommand_from delete" -l site -d 'The site to use (kubeconfig context ike-SITE); defaults to the current context' -r
complete -c ike -n "__fish_ike_using_subcommand notify; and __fish_seen_subcommand_from delete" -s n -l namespace -d 'The namespace to use instead of the context\'s default' -r
complete -c ike -n "__fish_ike_using_subcommand notify; and __fish_seen_subcommand_from delete" -l dry-run -d 'Show what would change and change nothing (server-side dry run where the server is asked)'
complete -c ike -n "__fish_ike_using_subcommand notify; and __fish_seen_subcommand_from delete" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c ike -n "__fish_ike_using_subcommand notify; and __fish_seen_subcommand_from delete" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ike -n "__fish_ike_using_subcommand notify; and __fish_seen_subcommand_from delete" -s V -l version -d 'Print version'
complete -c ike -n "__fish_ike_using_subcommand notify; and __fish_seen_subcommand_from help" -f -a "barry" -d 'Send this namespace\'s alerts to channels in Barry (opened with your token)'
complete -c ike -n "__fish_ike_using_subcommand notify; and __fish_seen_subcommand_from help" -f -a "email" -d 'Send this namespace\'s alerts by e-mail'
complete -c ike -n "__fish_ike_using_subcommand notify; and __fish_seen_subcommand_from help" -f -a "teams" -d 'Send this namespace\'s alerts to a Microsoft Teams channel (a Workflows webhook)'
complete -c ike -n "__fish_ike_using_subcommand notify; and __fish_seen_subcommand_from help" -f -a "list" -d 'List the notification configs of a namespace (-A: of every namespace you may read)'
complete -c ike -n "__fish_ike_using_subcommand notify; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show one notification config: where it sends, its conditions, its last delivery'
complete -c ike -n "__fish_ike_using_subcommand notify; and __fish_seen_subcommand_from help" -f -a "test" -d 'Send a test alert through Alertmanager and report where it arrived, or why not'
complete -c ike -n "__fish_ike_using_subcommand notify; and __fish_seen_subcommand_from help" -f -a "delete" -d 'Delete a notification config (its Secret is kept)'
complete -c ike -n "__fish_ike_using_subcommand notify; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c ike -n "__fish_ike_using_subcommand request; and not __fish_seen_subcommand_from crd storageclass sc delete list show approve deny withdraw help" -l site -d 'The site to use (kubeconfig context ike-SITE); defaults to the current context' -r
complete -c ike -n "__fish_ike_using_subcommand request; and not __fish_seen_subcommand_from crd storageclass sc delete list show approve deny withdraw help" -s n -l namespace -d 'The namespace to use instead of the context\'s default' -r
complete -c ike -n "__fish_ike_using_subcommand request; and not __fish_seen_subcommand_from crd storageclass sc delete list show approve deny withdraw help" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c ike -n "__fish_ike_using_subcommand request; and not __fish_seen_subcommand_from crd storageclass sc delete list show approve deny withdraw help" -s h -l help -d 'Print help'
complete -c ike -n "__fish_ike_using_subcommand request; and not __fish_seen_subcommand_from crd storageclass sc delete list show approve deny withdraw help" -s V -l version -d 'Print version'
complete -c ike -n "__fish_ike_using_subcommand request; and not __fish_seen_subcommand_from crd storageclass sc delete list show approve deny withdraw help" -f -a "crd" -d 'Ask for a CustomResourceDefinition (created, or updated if your tenant owns it)'
complete -c ike -n "__fish_ike_using_subcommand request; and not __fish_seen_subcommand_from crd storageclass sc delete list show approve deny withdraw help" -f -a "storageclass" -d 'Ask for a StorageClass (created, or updated if your tenant owns it)'
complete -c ike -n "__fish_ike_using_subcommand request; and not __fish_seen_subcommand_from crd storageclass sc delete list show approve deny withdraw help" -f -a "sc" -d 'Ask for a StorageClass (created, or updated if your tenant owns it)'
complete -c ike -n "__fish_ike_using_subcommand request; and not __fish_seen_subcommand_from crd storageclass sc delete list show approve deny withdraw help" -f -a "delete" -d 'Ask for the deletion of a CRD or StorageClass your tenant owns'
complete -c ike -n "__fish_ike_using_subcommand request; and not __fish_seen_subcommand_from crd storageclass sc delete list show approve deny withdraw help" -f -a "list" -d 'List requests (--pending: those waiting for a decision, in every namespace you may read)'
complete -c ike -n "__fish_ike_using_subcommand request; and not __fish_seen_subcommand_from crd storageclass sc delete list show approve deny withdraw help" -f -a "show" -d 'Show one request: what it asks for, the checks, the diff, the decision and its history'
complete -c ike -n "__fish_ike_using_subcommand request; and not __fish_seen_subcommand_from crd storageclass sc delete list show approve deny withdraw help" -f -a "approve" -d 'Approve a request (platform admins; someone else\'s)'
complete -c ike -n "__fish_ike_using_subcommand request; and not __fish_seen_subcommand_from crd storageclass sc delete list show approve deny withdraw help" -f -a "deny" -d 'Deny a request, saying why (platform admins)'
complete -c ike -n "__fish_ike_using_subcommand request; and not __fish_seen_subcommand_from crd storageclass sc delete list show approve deny withdraw help" -f -a "withdraw" -d 'Withdraw a request before it is decided'
complete -c ike -n "__fish_ike_using_subcommand request; and not __fish_seen_subcommand_from crd storageclass sc delete list show approve deny withdraw help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c ike -n "__fish_ike_using_subcommand request; and __fish_seen_subcommand_from crd" -s f -l file -d 'The manifest: one object in YAML or JSON (\'-\': standard input)' -r -F
complete -c ike -n "__fish_ike_using_subcommand request; and __fish_seen_subcommand_from crd" -l reason -d 'Why your tenant needs it, for the reviewers' -r
complete -c ike -n "__fish_ike_using_subcommand request; and __fish_seen_subcommand_from crd" -l name -d 'The request\'s name (default: made from the object\'s, with a random suffix)' -r
complete -c ike -n "__fish_ike_using_subcommand request; and __fish_seen_subcommand_from crd" -s o -l output -d 'Output format' -r -f -a "table\t'A table for people'
json\t'JSON, one document'
yaml\t'YAML, one document'"
complete -c ike -n "__fish_ike_using_subcommand request; and __fish_seen_subcommand_from crd" -l site -d 'The site to use (kubeconfig context ike-SITE); defaults to the current context' -r
complete -c ike -n "__fish_ike_using_subcommand request; and __fish_seen_subcommand_from crd" -s n -l namespace -d 'The namespace to use instead of the context\'s default' -r
complete -c ike -n "__fish_ike_using_subcommand request; and __fish_seen_subcommand_from crd" -l dry-run -d 'Show what would change and change nothing (server-side dry run where the server is asked)'
complete -c ike -n "__fish_ike_using_subcommand request; and __fish_seen_subcommand_from crd" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c ike -n "__fish_ike_using_subcommand request; and __fish_seen_subcommand_from crd" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ike -n "__fish_ike_using_subcommand request; and __fish_seen_subcommand_from crd" -s V -l version -d 'Print version'
complete -c ike -n "__fish_ike_using_subcommand request; and __fish_seen_subcommand_from storageclass" -s f -l file -d 'The manifest: one object in YAML or JSON (\'-\': standard input)' -r -F
complete -c ike -n "__fish_ike_using_subcommand request; and __fish_seen_subcommand_from storageclass" -l reason -d 'Why your tenant needs it, for the reviewers' -r
complete -c ike -n "__fish_ike_using_subcommand request; and __fish_seen_subcommand_from storageclass" -l name -d 'The request\'s name (default: made from the object\'s, with a random suffix)' -r
complete -c ike -n "__fish_ike_using_subcommand request; and __fish_seen_subcommand_from storageclass" -s o -l output -d 'Output format' -r -f -a "table\t'A table for people'
json\t'JSON, one document'
yaml\t'YAML, one document'"
complete -c ike -n "__fish_ike_using_subcommand request; and __fish_seen_subcommand_from storageclass" -l site -d 'The site to use (kubeconfig context ike-SITE); defaults to the current context' -r
complete -c ike -n "__fish_ike_using_subcommand request; and __fish_seen_subcommand_from storageclass" -s n -l namespace -d 'The namespace to use instead of the context\'s default' -r
complete -c ike -n "__fish_ike_using_subcommand request; and __fish_seen_subcommand_from storageclass" -l dry-run -d 'Show what would change and change nothing (server-side dry run where the server is asked)'
complete -c ike -n "__fish_ike_using_subcommand request; and __fish_seen_subcommand_from storageclass" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c ike -n "__fish_ike_using_subcommand request; and __fish_seen_subcommand_from storageclass" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ike -n "__fish_ike_using_subcommand request; and __fish_seen_subcommand_from storageclass" -s V -l version -d 'Print version'
complete -c ike -n "__fish_ike_using_subcommand request; and __fish_seen_subcommand_from sc" -s f -l file -d 'The manifest: one object in YAML or JSON (\'-\': standard input)' -r -F
complete -c ike -n "__fish_ike_using_subcommand request; and __fish_seen_subcommand_from sc" -l reason -d 'Why your tenant needs it, for the reviewers' -r
complete -c ike -n "__fish_ike_using_subcommand request; and __fish_seen_subcommand_from sc" -l name -d 'The request\'s name (default: made from the object\'s, with a random suffix)' -r
complete -c ike -n "__fish_ike_using_subcommand request; and __fish_seen_subcommand_from sc" -s o -l output -d 'Output format' -r -f -a "table\t'A table for people'
json\t'JSON, one document'
yaml\t'YAML, one document'"
complete -c ike -n "__fish_ike_using_subcommand request; and __fish_seen_subcommand_from sc" -l site -d 'The site to use (kubeconfig context ike-SITE); defaults to the current context' -r
complete -c ike -n "__fish_ike_using_subcommand request; and __fish_seen_subcommand_from sc" -s n -l namespace -d 'The namespace to use instead of the context\'s default' -r
complete -c ike -n "__fish_ike_using_subcommand request; and __fish_seen_subcommand_from sc" -l dry-run -d 'Show what would change and change nothing (server-side dry run where the server is asked)'
complete -c ike -n "__fish_ike_using_subcommand request; and __fish_seen_subcommand_from sc" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c ike -n "__fish_ike_using_subcommand request; and __fish_seen_subcommand_from sc" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ike -n "__fish_ike_using_subcommand request; and __fish_seen_subcommand_from sc" -s V -l version -d 'Print version'
complete -c ike -n "__fish_ike_using_subcommand request; and __fish_seen_subcommand_from delete" -l reason -d 'Why, for the reviewers' -r
complete -c ike -n "__fish_ike_using_subcommand request; and __fish_seen_subcommand_from delete" -l name -d 'The request\'s name (default: made from the object\'s, with a random suffix)' -r
complete -c ike -n "__fish_ike_using_subcommand request; and __fish_seen_subcommand_from delete" -s o -l output -d 'Output format' -r -f -a "table\t'A table for people'
json\t'JSON, one document'
yaml\t'YAML, one document'"
complete -c ike -n "__fish_ike_using_subcommand request; and __fish_seen_subcommand_from delete" -l site -d 'The site to use (kubeconfig context ike-SITE); defaults to the current context' -r
complete -c ike -n "__fish_ike_using_subcommand request; and __fish_seen_subcommand_from delete" -s n -l namespace -d 'The namespace to use instead of the context\'s default' -r
complete -c ike -n "__fish_ike_using_subcommand request; and __fish_seen_subcommand_from delete" -l dry-run -d 'Show what would change and change nothing (server-side dry run where the server is asked)'
complete -c ike -n "__fish_ike_using_subcommand request; and __fish_seen_subcommand_from delete" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c ike -n "__fish_ike_using_subcommand request; and __fish_seen_subcommand_from delete" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ike -n "__fish_ike_using_subcommand request; and __fish_seen_subcommand_from delete" -s V -l version -d 'Print version'
complete -c ike -n "__fish_ike_using_subcommand request; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format' -r -f -a "table\t'A table for people'
json\t'JSON, one document'
yaml\t'YAML, one document'"
complete -c ike -n "__fish_ike_using_subcommand request; and __fish_seen_subcommand_from list" -l site -d 'The site to use (kubeconfig context ike-SITE); defaults to the current context' -r
complete -c ike -n "__fish_ike_using_subcommand request; and __fish_seen_subcommand_from list" -s n -l namespace -d 'The namespace to use instead of the context\'s default' -r
complete -c ike -n "__fish_ike_using_subcommand request; and __fish_seen_subcommand_from list" -l pending -d 'Only requests waiting for a decision, in every namespace you may read'
complete -c ike -n "__fish_ike_using_subcommand request; and __fish_seen_subcommand_from list" -s A -l all-namespaces -d 'Requests of every namespace you may read'
complete -c ike -n "__fish_ike_using_subcommand request; and __fish_seen_subcommand_from list" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c ike -n "__fish_ike_using_subcommand request; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ike -n "__fish_ike_using_subcommand request; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c ike -n "__fish_ike_using_subcommand request; and __fish_seen_subcommand_from show" -s o -l output -d 'Output format' -r -f -a "table\t'A table for people'
json\t'JSON, one document'
yaml\t'YAML, one document'"
complete -c ike -n "__fish_ike_using_subcommand request; and __fish_seen_subcommand_from show" -l site -d 'The site to use (kubeconfig context ike-SITE); defaults to the current context' -r
complete -c ike -n "__fish_ike_using_subcommand request; and __fish_seen_subcommand_from show" -s n -l namespace -d 'The namespace to use instead of the context\'s default' -r
complete -c ike -n "__fish_ike_using_subcommand request; and __fish_seen_subcommand_from show" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c ike -n "__fish_ike_using_subcommand request; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ike -n "__fish_ike_using_subcommand request; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c ike -n "__fish_ike_using_subcommand request; and __fish_seen_subcommand_from approve" -l comment -d 'Why, for the requester and the audit trail (required to deny)' -r
complete -c ike -n "__fish_ike_using_subcommand request; and __fish_seen_subcommand_from approve" -l digest -d 'The digest of the version you reviewed, as \'ike request show\' prints it (required to approve without a terminal; on one, ike shows the request and asks)' -r
complete -c ike -n "__fish_ike_using_subcommand request; and __fish_seen_subcommand_from approve" -s o -l output -d 'Output format' -r -f -a "table\t'A table for people'
json\t'JSON, one document'
yaml\t'YAML, one document'"
complete -c ike -n "__fish_ike_using_subcommand request; and __fish_seen_subcommand_from approve" -l site -d 'The site to use (kubeconfig context ike-SITE); defaults to the current context' -r
complete -c ike -n "__fish_ike_using_subcommand request; and __fish_seen_subcommand_from approve" -s n -l namespace -d 'The namespace to use instead of the context\'s default' -r
complete -c ike -n "__fish_ike_using_subcommand request; and __fish_seen_subcommand_from approve" -l dry-run -d 'Show what would change and change nothing (server-side dry run where the server is asked)'
complete -c ike -n "__fish_ike_using_subcommand request; and __fish_seen_subcommand_from approve" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c ike -n "__fish_ike_using_subcommand request; and __fish_seen_subcommand_from approve" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ike -n "__fish_ike_using_subcommand request; and __fish_seen_subcommand_from approve" -s V -l version -d 'Print version'
complete -c ike -n "__fish_ike_using_subcommand request; and __fish_seen_subcommand_from deny" -l comment -d 'Why, for the requester and the audit trail (required to deny)' -r
complete -c ike -n "__fish_ike_using_subcommand request; and __fish_seen_subcommand_from deny" -l digest -d 'The digest of the version you reviewed, as \'ike request show\' prints it (required to approve without a terminal; on one, ike shows the request and asks)' -r
complete -c ike -n "__fish_ike_using_subcommand request; and __fish_seen_subcommand_from deny" -s o -l output -d 'Output format' -r -f -a "table\t'A table for people'
json\t'JSON, one document'
yaml\t'YAML, one document'"
complete -c ike -n "__fish_ike_using_subcommand request; and __fish_seen_subcommand_from deny" -l site -d 'The site to use (kubeconfig context ike-SITE); defaults to the current context' -r
complete -c ike -n "__fish_ike_using_subcommand request; and __fish_seen_subcommand_from deny" -s n -l namespace -d 'The namespace to use instead of the context\'s default' -r
complete -c ike -n "__fish_ike_using_subcommand request; and __fish_seen_subcommand_from deny" -l dry-run -d 'Show what would change and change nothing (server-side dry run where the server is asked)'
complete -c ike -n "__fish_ike_using_subcommand request; and __fish_seen_subcommand_from deny" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c ike -n "__fish_ike_using_subcommand request; and __fish_seen_subcommand_from deny" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ike -n "__fish_ike_using_subcommand request; and __fish_seen_subcommand_from deny" -s V -l version -d 'Print version'
complete -c ike -n "__fish_ike_using_subcommand request; and __fish_seen_subcommand_from withdraw" -s o -l output -d 'Output format' -r -f -a "table\t'A table for people'
json\t'JSON, one document'
yaml\t'YAML, one document'"
complete -c ike -n "__fish_ike_using_subcommand request; and __fish_seen_subcommand_from withdraw" -l site -d 'The site to use (kubeconfig context ike-SITE); defaults to the current context' -r
complete -c ike -n "__fish_ike_using_subcommand request; and __fish_seen_subcommand_from withdraw" -s n -l namespace -d 'The namespace to use instead of the context\'s default' -r
complete -c ike -n "__fish_ike_using_subcommand request; and __fish_seen_subcommand_from withdraw" -l dry-run -d 'Show what would change and change nothing (server-side dry run where the server is asked)'
complete -c ike -n "__fish_ike_using_subcommand request; and __fish_seen_subcommand_from withdraw" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c ike -n "__fish_ike_using_subcommand request; and __fish_seen_subcommand_from withdraw" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ike -n "__fish_ike_using_subcommand request; and __fish_seen_subcommand_from withdraw" -s V -l version -d 'Print version'
complete -c ike -n "__fish_ike_using_subcommand request; and __fish_seen_subcommand_from help" -f -a "crd" -d 'Ask for a CustomResourceDefinition (created, or updated if your tenant owns it)'
complete -c ike -n "__fish_ike_using_subcommand request; and __fish_seen_subcommand_from help" -f -a "storageclass" -d 'Ask for a StorageClass (created, or updated if your tenant owns it)'
complete -c ike -n "__fish_ike_using_subcommand request; and __fish_seen_subcommand_from help" -f -a "delete" -d 'Ask for the deletion of a CRD or StorageClass your tenant owns'
complete -c ike -n "__fish_ike_using_subcommand request; and __fish_seen_subcommand_from help" -f -a "list" -d 'List requests (--pending: those waiting for a decision, in every namespace you may read)'
complete -c ike -n "__fish_ike_using_subcommand request; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show one request: what it asks for, the checks, the diff, the decision and its history'
complete -c ike -n "__fish_ike_using_subcommand request; and __fish_seen_subcommand_from help" -f -a "approve" -d 'Approve a request (platform admins; someone else\'s)'
complete -c ike -n "__fish_ike_using_subcommand request; and __fish_seen_subcommand_from help" -f -a "deny" -d 'Deny a request, saying why (platform admins)'
complete -c ike -n "__fish_ike_using_subcommand request; and __fish_seen_subcommand_from help" -f -a "withdraw" -d 'Withdraw a request before it is decided'
complete -c ike -n "__fish_ike_using_subcommand request; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c ike -n "__fish_ike_using_subcommand credential" -l renew-within -d 'Renew when less than this is left, whatever the lifetime (e.g. 1h)' -r
complete -c ike -n "__fish_ike_using_subcommand credential" -l site -d 'The site to use (kubeconfig context ike-SITE); defaults to the current context' -r
complete -c ike -n "__fish_ike_using_subcommand credential" -s n -l namespace -d 'The namespace to use instead of the context\'s default' -r
complete -c ike -n "__fish_ike_using_subcommand credential" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c ike -n "__fish_ike_using_subcommand credential" -s h -l help -d 'Print help'
complete -c ike -n "__fish_ike_using_subcommand credential" -s V -l version -d 'Print version'
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
complete -c ike -n "__fish_ike_using_subcommand help; and not __fish_seen_subcommand_from login whoami logout account tenant ns doctor pod expose resolve notify request credential completion site version help" -f -a "login" -d 'Log in to a site: enroll with a one-time token, or renew your certificate'
complete -c ike -n "__fish_ike_using_subcommand help; and not __fish_seen_subcommand_from login whoami logout account tenant ns doctor pod expose resolve notify request credential completion site version help" -f -a "whoami" -d 'Show your account, site, tenants and certificate'
complete -c ike -n "__fish_ike_using_subcommand help; and not __fish_seen_subcommand_from login whoami logout account tenant ns doctor pod expose resolve notify request credential completion site version help" -f -a "logout" -d 'Remove ike\'s key, certificate and kubeconfig entries for a site'
complete -c ike -n "__fish_ike_using_subcommand help; and not __fish_seen_subcommand_from login whoami logout account tenant ns doctor pod expose resolve notify request credential completion site version help" -f -a "account" -d 'Manage accounts (platform admins)'
complete -c ike -n "__fish_ike_using_subcommand help; and not __fish_seen_subcommand_from login whoami logout account tenant ns doctor pod expose resolve notify request credential completion site version help" -f -a "tenant" -d 'Create, list, show and change tenants'
complete -c ike -n "__fish_ike_using_subcommand help; and not __fish_seen_subcommand_from login whoami logout account tenant ns doctor pod expose resolve notify request credential completion site version help" -f -a "ns" -d 'Create, list and delete a tenant\'s namespaces'
complete -c ike -n "__fish_ike_using_subcommand help; and not __fish_seen_subcommand_from login whoami logout account tenant ns doctor pod expose resolve notify request credential completion site version help" -f -a "doctor" -d 'Check what you may and may not do on a site, each check with a one-line explanation'
complete -c ike -n "__fish_ike_using_subcommand help; and not __fish_seen_subcommand_from login whoami logout account tenant ns doctor pod expose resolve notify request credential completion site version help" -f -a "pod" -d 'Pods\' IPs, for a pod network reachable from the office (IKE Office)'
complete -c ike -n "__fish_ike_using_subcommand help; and not __fish_seen_subcommand_from login whoami logout account tenant ns doctor pod expose resolve notify request credential completion site version help" -f -a "expose" -d 'Give a workload\'s pods a DNS name on IKE Office: a headless Service with external-dns\' annotations, the name checked against the site\'s rules'
complete -c ike -n "__fish_ike_using_subcommand help; and not __fish_seen_subcommand_from login whoami logout account tenant ns doctor pod expose resolve notify request credential completion site version help" -f -a "resolve" -d 'Check a name (host, svc/NAME, pod/NAME) against the site\'s nameserver, or find the pod and tenant behind an IP'
complete -c ike -n "__fish_ike_using_subcommand help; and not __fish_seen_subcommand_from login whoami logout account tenant ns doctor pod expose resolve notify request credential completion site version help" -f -a "notify" -d 'Say where a namespace\'s alerts go: Barry, e-mail, Microsoft Teams'
complete -c ike -n "__fish_ike_using_subcommand help; and not __fish_seen_subcommand_from login whoami logout account tenant ns doctor pod expose resolve notify request credential completion site version help" -f -a "request" -d 'Ask for cluster-scoped objects (CRDs, StorageClasses) and decide on requests (admins)'
complete -c ike -n "__fish_ike_using_subcommand help; and not __fish_seen_subcommand_from login whoami logout account tenant ns doctor pod expose resolve notify request credential completion site version help" -f -a "credential" -d 'The kubeconfig credential plugin kubectl runs (not for people)'
complete -c ike -n "__fish_ike_using_subcommand help; and not __fish_seen_subcommand_from login whoami logout account tenant ns doctor pod expose resolve notify request credential completion site version help" -f -a "completion" -d 'Print a shell completion script'
complete -c ike -n "__fish_ike_using_subcommand help; and not __fish_seen_subcommand_from login whoami logout account tenant ns doctor pod expose resolve notify request credential completion site version help" -f -a "site" -d 'Show the sites in your kubeconfig'
complete -c ike -n "__fish_ike_using_subcommand help; and not __fish_seen_subcommand_from login whoami logout account tenant ns doctor pod expose resolve notify request credential completion site version help" -f -a "version" -d 'Show the versions of ike and of the site\'s Kubernetes API server'
complete -c ike -n "__fish_ike_using_subcommand help; and not __fish_seen_subcommand_from login whoami logout account tenant ns doctor pod expose resolve notify request credential completion site version help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c ike -n "__fish_ike_using_subcommand help; and __fish_seen_subcommand_from account" -f -a "create" -d 'Create an account and print its one-time enrollment token'
complete -c ike -n "__fish_ike_using_subcommand help; and __fish_seen_subcommand_from account" -f -a "list" -d 'List the accounts'
complete -c ike -n "__fish_ike_using_subcommand help; and __fish_seen_subcommand_from account" -f -a "show" -d 'Show one account'
complete -c ike -n "__fish_ike_using_subcommand help; and __fish_seen_subcommand_from account" -f -a "disable" -d 'Disable an account: no more certificates, every role binding gone at once'
complete -c ike -n "__fish_ike_using_subcommand help; and __fish_seen_subcommand_from account" -f -a "enable" -d 'Enable a disabled account again'
complete -c ike -n "__fish_ike_using_subcommand help; and __fish_seen_subcommand_from account" -f -a "delete" -d 'Delete an account'
complete -c ike -n "__fish_ike_using_subcommand help; and __fish_seen_subcommand_from account" -f -a "token" -d 'Make a new one-time enrollment token for an account'
complete -c ike -n "__fish_ike_using_subcommand help; and __fish_seen_subcommand_from account" -f -a "revoke-certificates" -d 'Revoke every certificate issued to an account until now (a lost or stolen device): none of them renews any more; each device logs in again with a new token'
complete -c ike -n "__fish_ike_using_subcommand help; and __fish_seen_subcommand_from tenant" -f -a "create" -d 'Create a tenant and wait until it is ready'
complete -c ike -n "__fish_ike_using_subcommand help; and __fish_seen_subcommand_from tenant" -f -a "list" -d 'List your tenants (platform admins: every tenant)'
complete -c ike -n "__fish_ike_using_subcommand help; and __fish_seen_subcommand_from tenant" -f -a "show" -d 'Show a tenant: members, namespaces, node selector and conditions'
complete -c ike -n "__fish_ike_using_subcommand help; and __fish_seen_subcommand_from tenant" -f -a "add-member" -d 'Add an account to a tenant, or change its role (owners and admins)'
complete -c ike -n "__fish_ike_using_subcommand help; and __fish_seen_subcommand_from tenant" -f -a "remove-member" -d 'Remove an account from a tenant (owners and admins)'
complete -c ike -n "__fish_ike_using_subcommand help; and __fish_seen_subcommand_from tenant" -f -a "delete" -d 'Delete a tenant and, unless kept, its namespaces with everything in them'
complete -c ike -n "__fish_ike_using_subcommand help; and __fish_seen_subcommand_from ns" -f -a "create" -d 'Add a namespace to a tenant and wait until the tenant holds it (owners and admins)'
complete -c ike -n "__fish_ike_using_subcommand help; and __fish_seen_subcommand_from ns" -f -a "list" -d 'List the namespaces of your tenants (platform admins: of every tenant)'
complete -c ike -n "__fish_ike_using_subcommand help; and __fish_seen_subcommand_from ns" -f -a "delete" -d 'Take a namespace off its tenant: it is deleted with everything in it, unless the tenant keeps its namespaces'
complete -c ike -n "__fish_ike_using_subcommand help; and __fish_seen_subcommand_from pod" -f -a "ip" -d 'Show pod IPs (IPv4 and IPv6), with phase, readiness and node; one IP per line when stdout is not a terminal, so that `curl http://$(ike pod ip -l app=web)` works'
complete -c ike -n "__fish_ike_using_subcommand help; and __fish_seen_subcommand_from notify" -f -a "barry" -d 'Send this namespace\'s alerts to channels in Barry (opened with your token)'
complete -c ike -n "__fish_ike_using_subcommand help; and __fish_seen_subcommand_from notify" -f -a "email" -d 'Send this namespace\'s alerts by e-mail'
complete -c ike -n "__fish_ike_using_subcommand help; and __fish_seen_subcommand_from notify" -f -a "teams" -d 'Send this namespace\'s alerts to a Microsoft Teams channel (a Workflows webhook)'
complete -c ike -n "__fish_ike_using_subcommand help; and __fish_seen_subcommand_from notify" -f -a "list" -d 'List the notification configs of a namespace (-A: of every namespace you may read)'
complete -c ike -n "__fish_ike_using_subcommand help; and __fish_seen_subcommand_from notify" -f -a "show" -d 'Show one notification config: where it sends, its conditions, its last delivery'
complete -c ike -n "__fish_ike_using_subcommand help; and __fish_seen_subcommand_from notify" -f -a "test" -d 'Send a test alert through Alertmanager and report where it arrived, or why not'
complete -c ike -n "__fish_ike_using_subcommand help; and __fish_seen_subcommand_from notify" -f -a "delete" -d 'Delete a notification config (its Secret is kept)'
complete -c ike -n "__fish_ike_using_subcommand help; and __fish_seen_subcommand_from request" -f -a "crd" -d 'Ask for a CustomResourceDefinition (created, or updated if your tenant owns it)'
complete -c ike -n "__fish_ike_using_subcommand help; and __fish_seen_subcommand_from request" -f -a "storageclass" -d 'Ask for a StorageClass (created, or updated if your tenant owns it)'
complete -c ike -n "__fish_ike_using_subcommand help; and __fish_seen_subcommand_from request" -f -a "delete" -d 'Ask for the deletion of a CRD or StorageClass your tenant owns'
complete -c ike -n "__fish_ike_using_subcommand help; and __fish_seen_subcommand_from request" -f -a "list" -d 'List requests (--pending: those waiting for a decision, in every namespace you may read)'
complete -c ike -n "__fish_ike_using_subcommand help; and __fish_seen_subcommand_from request" -f -a "show" -d 'Show one request: what it asks for, the checks, the diff, the decision and its history'
complete -c ike -n "__fish_ike_using_subcommand help; and __fish_seen_subcommand_from request" -f -a "approve" -d 'Approve a request (platform admins; someone else\'s)'
complete -c ike -n "__fish_ike_using_subcommand help; and __fish_seen_subcommand_from request" -f -a "deny" -d 'Deny a request, saying why (platform admins)'
complete -c ike -n "__fish_ike_using_subcommand help; and __fish_seen_subcommand_from request" -f -a "withdraw" -d 'Withdraw a request before it is decided'
complete -c ike -n "__fish_ike_using_subcommand help; and __fish_seen_subcommand_from site" -f -a "list" -d 'List the sites in your kubeconfig'
