
use builtin;
use str;

set edit:completion:arg-completer[ike] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'ike'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'ike'= {
            cand --site 'The site to use (kubeconfig context ike-SITE); defaults to the current context'
            cand -n 'The namespace to use instead of the context''s default'
            cand --namespace 'The namespace to use instead of the context''s default'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand login 'Log in to a site: enroll with a one-time token, or renew your certificate'
            cand whoami 'Show your account, site, tenants and certificate'
            cand logout 'Remove ike''s key, certificate and kubeconfig entries for a site'
            cand account 'Manage accounts (platform admins)'
            cand tenant 'Create, list, show and change tenants'
            cand ns 'Create, list and delete a tenant''s namespaces'
            cand namespace 'Create, list and delete a tenant''s namespaces'
            cand doctor 'Check what you may and may not do on a site, each check with a one-line explanation'
            cand pod 'Pods'' IPs, for a pod network reachable from the office (IKE Office)'
            cand expose 'Give a workload''s pods a DNS name on IKE Office: a headless Service with external-dns'' annotations, the name checked against the site''s rules'
            cand resolve 'Check a name (host, svc/NAME, pod/NAME) against the site''s nameserver, or find the pod and tenant behind an IP'
            cand notify 'Say where a namespace''s alerts go: Barry, e-mail, Microsoft Teams'
            cand request 'Ask for cluster-scoped objects (CRDs, StorageClasses) and decide on requests (admins)'
            cand credential 'The kubeconfig credential plugin kubectl runs (not for people)'
            cand completion 'Print a shell completion script'
            cand site 'Show the sites in your kubeconfig'
            cand version 'Show the versions of ike and of the site''s Kubernetes API server'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'ike;login'= {
            cand --server 'The site''s account API (https://...); remembered after the first login'
            cand --token 'A one-time enrollment token from a platform admin (asked for on a terminal). Prefer --token-file: a token on the command line shows in ps and in the shell''s history'
            cand --token-file 'Read the one-time enrollment token from FILE, or from standard input with ''-'' (used instead of --token and IKE_TOKEN)'
            cand --ca-pin 'The pin of the site''s CA (sha256:...), given with the token, for an account API whose certificate is not publicly trusted'
            cand --ttl 'The certificate lifetime (e.g. 30m, 2h), remembered for the site: every renewal asks for it, and the site''s maximum caps it. ''default'' goes back to the site''s default'
            cand --site 'The site to use (kubeconfig context ike-SITE); defaults to the current context'
            cand -n 'The namespace to use instead of the context''s default'
            cand --namespace 'The namespace to use instead of the context''s default'
            cand --no-switch 'Keep the current kubeconfig context instead of switching to the site''s'
            cand --dry-run 'Show what would change and change nothing (server-side dry run where the server is asked)'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ike;whoami'= {
            cand -o 'Output format'
            cand --output 'Output format'
            cand --site 'The site to use (kubeconfig context ike-SITE); defaults to the current context'
            cand -n 'The namespace to use instead of the context''s default'
            cand --namespace 'The namespace to use instead of the context''s default'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ike;logout'= {
            cand --site 'The site to use (kubeconfig context ike-SITE); defaults to the current context'
            cand -n 'The namespace to use instead of the context''s default'
            cand --namespace 'The namespace to use instead of the context''s default'
            cand --all 'Log out of every site'
            cand --dry-run 'Show what would change and change nothing (server-side dry run where the server is asked)'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ike;account'= {
            cand --site 'The site to use (kubeconfig context ike-SITE); defaults to the current context'
            cand -n 'The namespace to use instead of the context''s default'
            cand --namespace 'The namespace to use instead of the context''s default'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand create 'Create an account and print its one-time enrollment token'
            cand list 'List the accounts'
            cand show 'Show one account'
            cand disable 'Disable an account: no more certificates, every role binding gone at once'
            cand enable 'Enable a disabled account again'
            cand delete 'Delete an account'
            cand token 'Make a new one-time enrollment token for an account'
            cand revoke-certificates 'Revoke every certificate issued to an account until now (a lost or stolen device): none of them renews any more; each device logs in again with a new token'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'ike;account;create'= {
            cand --display-name 'The person''s name'
            cand --email 'The person''s e-mail'
            cand --token-ttl 'Enrollment token lifetime (60s to 7d)'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --site 'The site to use (kubeconfig context ike-SITE); defaults to the current context'
            cand -n 'The namespace to use instead of the context''s default'
            cand --namespace 'The namespace to use instead of the context''s default'
            cand --admin 'Make the account a platform admin'
            cand --dry-run 'Show what would change and change nothing (server-side dry run where the server is asked)'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ike;account;list'= {
            cand -o 'Output format'
            cand --output 'Output format'
            cand --site 'The site to use (kubeconfig context ike-SITE); defaults to the current context'
            cand -n 'The namespace to use instead of the context''s default'
            cand --namespace 'The namespace to use instead of the context''s default'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ike;account;show'= {
            cand -o 'Output format'
            cand --output 'Output format'
            cand --site 'The site to use (kubeconfig context ike-SITE); defaults to the current context'
            cand -n 'The namespace to use instead of the context''s default'
            cand --namespace 'The namespace to use instead of the context''s default'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ike;account;disable'= {
            cand --site 'The site to use (kubeconfig context ike-SITE); defaults to the current context'
            cand -n 'The namespace to use instead of the context''s default'
            cand --namespace 'The namespace to use instead of the context''s default'
            cand --dry-run 'Show what would change and change nothing (server-side dry run where the server is asked)'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ike;account;enable'= {
            cand --site 'The site to use (kubeconfig context ike-SITE); defaults to the current context'
            cand -n 'The namespace to use instead of the context''s default'
            cand --namespace 'The namespace to use instead of the context''s default'
            cand --dry-run 'Show what would change and change nothing (server-side dry run where the server is asked)'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ike;account;delete'= {
            cand --site 'The site to use (kubeconfig context ike-SITE); defaults to the current context'
            cand -n 'The namespace to use instead of the context''s default'
            cand --namespace 'The namespace to use instead of the context''s default'
            cand -y 'Do not ask for confirmation (required without a terminal)'
            cand --yes 'Do not ask for confirmation (required without a terminal)'
            cand --dry-run 'Show what would change and change nothing (server-side dry run where the server is asked)'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ike;account;token'= {
            cand --ttl 'Token lifetime (60s to 7d)'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --site 'The site to use (kubeconfig context ike-SITE); defaults to the current context'
            cand -n 'The namespace to use instead of the context''s default'
            cand --namespace 'The namespace to use instead of the context''s default'
            cand --revoke-certificates 'Also revoke every certificate issued to the account until now (a lost device: the new token is for its replacement)'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ike;account;revoke-certificates'= {
            cand --site 'The site to use (kubeconfig context ike-SITE); defaults to the current context'
            cand -n 'The namespace to use instead of the context''s default'
            cand --namespace 'The namespace to use instead of the context''s default'
            cand --dry-run 'Show what would change and change nothing (server-side dry run where the server is asked)'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ike;account;help'= {
            cand create 'Create an account and print its one-time enrollment token'
            cand list 'List the accounts'
            cand show 'Show one account'
            cand disable 'Disable an account: no more certificates, every role binding gone at once'
            cand enable 'Enable a disabled account again'
            cand delete 'Delete an account'
            cand token 'Make a new one-time enrollment token for an account'
            cand revoke-certificates 'Revoke every certificate issued to an account until now (a lost or stolen device): none of them renews any more; each device logs in again with a new token'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'ike;account;help;create'= {
        }
        &'ike;account;help;list'= {
        }
        &'ike;account;help;show'= {
        }
        &'ike;account;help;disable'= {
        }
        &'ike;account;help;enable'= {
        }
        &'ike;account;help;delete'= {
        }
        &'ike;account;help;token'= {
        }
        &'ike;account;help;revoke-certificates'= {
        }
        &'ike;account;help;help'= {
        }
        &'ike;tenant'= {
            cand --site 'The site to use (kubeconfig context ike-SITE); defaults to the current context'
            cand -n 'The namespace to use instead of the context''s default'
            cand --namespace 'The namespace to use instead of the context''s default'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand create 'Create a tenant and wait until it is ready'
            cand list 'List your tenants (platform admins: every tenant)'
            cand show 'Show a tenant: members, namespaces, node selector and conditions'
            cand add-member 'Add an account to a tenant, or change its role (owners and admins)'
            cand remove-member 'Remove an account from a tenant (owners and admins)'
            cand delete 'Delete a tenant and, unless kept, its namespaces with everything in them'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'ike;tenant;create'= {
            cand --owner 'An owner: manages members and namespaces, admin in the namespaces (repeatable; default: you)'
            cand --member 'A member: edits workloads in the namespaces (repeatable)'
            cand --viewer 'A viewer: reads the namespaces (repeatable)'
            cand -n 'A namespace the tenant holds; the controller creates it (repeatable)'
            cand --namespace 'A namespace the tenant holds; the controller creates it (repeatable)'
            cand --node-selector 'Dedicated nodes: a node label every pod of the tenant must match (repeatable; platform admins only)'
            cand --description 'What the tenant is for'
            cand --contact 'Whom to ask about the tenant'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --site 'The site to use (kubeconfig context ike-SITE); defaults to the current context'
            cand --keep-namespaces 'Keep the namespaces when the tenant is deleted or drops them'
            cand --dry-run 'Show what would change and change nothing (server-side dry run where the server is asked)'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ike;tenant;list'= {
            cand -o 'Output format'
            cand --output 'Output format'
            cand --site 'The site to use (kubeconfig context ike-SITE); defaults to the current context'
            cand -n 'The namespace to use instead of the context''s default'
            cand --namespace 'The namespace to use instead of the context''s default'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ike;tenant;show'= {
            cand -o 'Output format'
            cand --output 'Output format'
            cand --site 'The site to use (kubeconfig context ike-SITE); defaults to the current context'
            cand -n 'The namespace to use instead of the context''s default'
            cand --namespace 'The namespace to use instead of the context''s default'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ike;tenant;add-member'= {
            cand --role 'The account''s role in the tenant'
            cand --site 'The site to use (kubeconfig context ike-SITE); defaults to the current context'
            cand -n 'The namespace to use instead of the context''s default'
            cand --namespace 'The namespace to use instead of the context''s default'
            cand --dry-run 'Show what would change and change nothing (server-side dry run where the server is asked)'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ike;tenant;remove-member'= {
            cand --site 'The site to use (kubeconfig context ike-SITE); defaults to the current context'
            cand -n 'The namespace to use instead of the context''s default'
            cand --namespace 'The namespace to use instead of the context''s default'
            cand --dry-run 'Show what would change and change nothing (server-side dry run where the server is asked)'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ike;tenant;delete'= {
            cand --site 'The site to use (kubeconfig context ike-SITE); defaults to the current context'
            cand -n 'The namespace to use instead of the context''s default'
            cand --namespace 'The namespace to use instead of the context''s default'
            cand --keep-namespaces 'Keep the namespaces (they lose the tenant''s label and role bindings)'
            cand -y 'Do not ask for confirmation (required without a terminal)'
            cand --yes 'Do not ask for confirmation (required without a terminal)'
            cand --dry-run 'Show what would change and change nothing (server-side dry run where the server is asked)'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ike;tenant;help'= {
            cand create 'Create a tenant and wait until it is ready'
            cand list 'List your tenants (platform admins: every tenant)'
            cand show 'Show a tenant: members, namespaces, node selector and conditions'
            cand add-member 'Add an account to a tenant, or change its role (owners and admins)'
            cand remove-member 'Remove an account from a tenant (owners and admins)'
            cand delete 'Delete a tenant and, unless kept, its namespaces with everything in them'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'ike;tenant;help;create'= {
        }
        &'ike;tenant;help;list'= {
        }
        &'ike;tenant;help;show'= {
        }
        &'ike;tenant;help;add-member'= {
        }
        &'ike;tenant;help;remove-member'= {
        }
        &'ike;tenant;help;delete'= {
        }
        &'ike;tenant;help;help'= {
        }
        &'ike;ns'= {
            cand --site 'The site to use (kubeconfig context ike-SITE); defaults to the current context'
            cand -n 'The namespace to use instead of the context''s default'
            cand --namespace 'The namespace to use instead of the context''s default'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand create 'Add a namespace to a tenant and wait until the tenant holds it (owners and admins)'
            cand list 'List the namespaces of your tenants (platform admins: of every tenant)'
            cand delete 'Take a namespace off its tenant: it is deleted with everything in it, unless the tenant keeps its namespaces'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'ike;namespace'= {
            cand --site 'The site to use (kubeconfig context ike-SITE); defaults to the current context'
            cand -n 'The namespace to use instead of the context''s default'
            cand --namespace 'The namespace to use instead of the context''s default'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand create 'Add a namespace to a tenant and wait until the tenant holds it (owners and admins)'
            cand list 'List the namespaces of your tenants (platform admins: of every tenant)'
            cand delete 'Take a namespace off its tenant: it is deleted with everything in it, unless the tenant keeps its namespaces'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'ike;ns;create'= {
            cand -t 'The tenant that gets it'
            cand --tenant 'The tenant that gets it'
            cand --site 'The site to use (kubeconfig context ike-SITE); defaults to the current context'
            cand -n 'The namespace to use instead of the context''s default'
            cand --namespace 'The namespace to use instead of the context''s default'
            cand --dry-run 'Show what would change and change nothing (server-side dry run where the server is asked)'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ike;namespace;create'= {
            cand -t 'The tenant that gets it'
            cand --tenant 'The tenant that gets it'
            cand --site 'The site to use (kubeconfig context ike-SITE); defaults to the current context'
            cand -n 'The namespace to use instead of the context''s default'
            cand --namespace 'The namespace to use instead of the context''s default'
            cand --dry-run 'Show what would change and change nothing (server-side dry run where the server is asked)'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ike;ns;list'= {
            cand -t 'Only this tenant''s namespaces'
            cand --tenant 'Only this tenant''s namespaces'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --site 'The site to use (kubeconfig context ike-SITE); defaults to the current context'
            cand -n 'The namespace to use instead of the context''s default'
            cand --namespace 'The namespace to use instead of the context''s default'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ike;namespace;list'= {
            cand -t 'Only this tenant''s namespaces'
            cand --tenant 'Only this tenant''s namespaces'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --site 'The site to use (kubeconfig context ike-SITE); defaults to the current context'
            cand -n 'The namespace to use instead of the context''s default'
            cand --namespace 'The namespace to use instead of the context''s default'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ike;ns;delete'= {
            cand -t 'The tenant holding it, when more than one of yours lists it'
            cand --tenant 'The tenant holding it, when more than one of yours lists it'
            cand --site 'The site to use (kubeconfig context ike-SITE); defaults to the current context'
            cand -n 'The namespace to use instead of the context''s default'
            cand --namespace 'The namespace to use instead of the context''s default'
            cand -y 'Do not ask for confirmation (required without a terminal)'
            cand --yes 'Do not ask for confirmation (required without a terminal)'
            cand --dry-run 'Show what would change and change nothing (server-side dry run where the server is asked)'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ike;namespace;delete'= {
            cand -t 'The tenant holding it, when more than one of yours lists it'
            cand --tenant 'The tenant holding it, when more than one of yours lists it'
            cand --site 'The site to use (kubeconfig context ike-SITE); defaults to the current context'
            cand -n 'The namespace to use instead of the context''s default'
            cand --namespace 'The namespace to use instead of the context''s default'
            cand -y 'Do not ask for confirmation (required without a terminal)'
            cand --yes 'Do not ask for confirmation (required without a terminal)'
            cand --dry-run 'Show what would change and change nothing (server-side dry run where the server is asked)'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ike;ns;help'= {
            cand create 'Add a namespace to a tenant and wait until the tenant holds it (owners and admins)'
            cand list 'List the namespaces of your tenants (platform admins: of every tenant)'
            cand delete 'Take a namespace off its tenant: it is deleted with everything in it, unless the tenant keeps its namespaces'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'ike;ns;help;create'= {
        }
        &'ike;ns;help;list'= {
        }
        &'ike;ns;help;delete'= {
        }
        &'ike;ns;help;help'= {
        }
        &'ike;namespace;help'= {
            cand create 'Add a namespace to a tenant and wait until the tenant holds it (owners and admins)'
            cand list 'List the namespaces of your tenants (platform admins: of every tenant)'
            cand delete 'Take a namespace off its tenant: it is deleted with everything in it, unless the tenant keeps its namespaces'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'ike;namespace;help;create'= {
        }
        &'ike;namespace;help;list'= {
        }
        &'ike;namespace;help;delete'= {
        }
        &'ike;namespace;help;help'= {
        }
        &'ike;doctor'= {
            cand --tenant-namespace 'The namespace to try pods in (default: -n, else the first namespace of your first tenant)'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --site 'The site to use (kubeconfig context ike-SITE); defaults to the current context'
            cand -n 'The namespace to use instead of the context''s default'
            cand --namespace 'The namespace to use instead of the context''s default'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ike;pod'= {
            cand --site 'The site to use (kubeconfig context ike-SITE); defaults to the current context'
            cand -n 'The namespace to use instead of the context''s default'
            cand --namespace 'The namespace to use instead of the context''s default'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand ip 'Show pod IPs (IPv4 and IPv6), with phase, readiness and node; one IP per line when stdout is not a terminal, so that `curl http://$(ike pod ip -l app=web)` works'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'ike;pod;ip'= {
            cand -l 'Only pods with these labels, e.g. app=web or ''app=web,tier!=cache'' (kubectl''s syntax)'
            cand --selector 'Only pods with these labels, e.g. app=web or ''app=web,tier!=cache'' (kubectl''s syntax)'
            cand --timeout 'How long --wait waits'
            cand -o 'Output format; default: table on a terminal, else ip (one IP per line)'
            cand --output 'Output format; default: table on a terminal, else ip (one IP per line)'
            cand --site 'The site to use (kubeconfig context ike-SITE); defaults to the current context'
            cand -n 'The namespace to use instead of the context''s default'
            cand --namespace 'The namespace to use instead of the context''s default'
            cand --wait 'Wait until at least one pod is ready and every ready pod has an IP'
            cand -4 'Only IPv4 addresses'
            cand --ipv4 'Only IPv4 addresses'
            cand -6 'Only IPv6 addresses'
            cand --ipv6 'Only IPv6 addresses'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ike;pod;help'= {
            cand ip 'Show pod IPs (IPv4 and IPv6), with phase, readiness and node; one IP per line when stdout is not a terminal, so that `curl http://$(ike pod ip -l app=web)` works'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'ike;pod;help;ip'= {
        }
        &'ike;pod;help;help'= {
        }
        &'ike;expose'= {
            cand --hostname 'The DNS name, under a domain the site allows (repeat for several)'
            cand --port 'A port for the Service to list; the name reaches every port of the pods anyway'
            cand --ttl 'TTL of the records, seconds or e.g. 1m [default: the site''s, 30 s unless it says otherwise]'
            cand --name 'The Service''s name [default: the workload''s]'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --site 'The site to use (kubeconfig context ike-SITE); defaults to the current context'
            cand -n 'The namespace to use instead of the context''s default'
            cand --namespace 'The namespace to use instead of the context''s default'
            cand --dry-run 'Show what would change and change nothing (server-side dry run where the server is asked)'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ike;resolve'= {
            cand --server 'The nameserver to ask [default: the site''s Office DNS server]'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --site 'The site to use (kubeconfig context ike-SITE); defaults to the current context'
            cand -n 'The namespace to use instead of the context''s default'
            cand --namespace 'The namespace to use instead of the context''s default'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ike;notify'= {
            cand --site 'The site to use (kubeconfig context ike-SITE); defaults to the current context'
            cand -n 'The namespace to use instead of the context''s default'
            cand --namespace 'The namespace to use instead of the context''s default'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand barry 'Send this namespace''s alerts to channels in Barry (opened with your token)'
            cand email 'Send this namespace''s alerts by e-mail'
            cand teams 'Send this namespace''s alerts to a Microsoft Teams channel (a Workflows webhook)'
            cand list 'List the notification configs of a namespace (-A: of every namespace you may read)'
            cand show 'Show one notification config: where it sends, its conditions, its last delivery'
            cand test 'Send a test alert through Alertmanager and report where it arrived, or why not'
            cand delete 'Delete a notification config (its Secret is kept)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'ike;notify;barry'= {
            cand --channel 'A Barry channel that gets the alerts, opened if it does not exist (repeatable)'
            cand --mute 'A channel that gets them muted: Barry records the alerts and notifies nobody (repeatable)'
            cand --token-secret 'The Secret whose key ''token'' holds your Barry API token (default with --token-file: NAME-barry-token)'
            cand --token-file 'Write that Secret from this file (''-'': standard input)'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --site 'The site to use (kubeconfig context ike-SITE); defaults to the current context'
            cand -n 'The namespace to use instead of the context''s default'
            cand --namespace 'The namespace to use instead of the context''s default'
            cand --dry-run 'Show what would change and change nothing (server-side dry run where the server is asked)'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ike;notify;email'= {
            cand --to 'A recipient: a plain address such as oncall@example.com (repeatable)'
            cand --subject-prefix 'Text put before the subject line, such as ''[shop]'''
            cand -o 'Output format'
            cand --output 'Output format'
            cand --site 'The site to use (kubeconfig context ike-SITE); defaults to the current context'
            cand -n 'The namespace to use instead of the context''s default'
            cand --namespace 'The namespace to use instead of the context''s default'
            cand --send-resolved 'Also send a message when the alerts resolve'
            cand --dry-run 'Show what would change and change nothing (server-side dry run where the server is asked)'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ike;notify;teams'= {
            cand --webhook-url-file 'Write the Teams Workflows webhook URL from this file (''-'': standard input) into the Secret'
            cand --webhook-url-secret 'The Secret whose key ''url'' holds the webhook URL (default: NAME-teams-webhook)'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --site 'The site to use (kubeconfig context ike-SITE); defaults to the current context'
            cand -n 'The namespace to use instead of the context''s default'
            cand --namespace 'The namespace to use instead of the context''s default'
            cand --dry-run 'Show what would change and change nothing (server-side dry run where the server is asked)'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ike;notify;list'= {
            cand -o 'Output format'
            cand --output 'Output format'
            cand --site 'The site to use (kubeconfig context ike-SITE); defaults to the current context'
            cand -n 'The namespace to use instead of the context''s default'
            cand --namespace 'The namespace to use instead of the context''s default'
            cand -A 'List the configs of every namespace you may read'
            cand --all-namespaces 'List the configs of every namespace you may read'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ike;notify;show'= {
            cand --kind 'Its kind, when the name is used by several'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --site 'The site to use (kubeconfig context ike-SITE); defaults to the current context'
            cand -n 'The namespace to use instead of the context''s default'
            cand --namespace 'The namespace to use instead of the context''s default'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ike;notify;test'= {
            cand --kind 'Its kind, when the name is used by several'
            cand --timeout 'How long to wait for the alert to arrive (Alertmanager sends after its group_wait)'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --site 'The site to use (kubeconfig context ike-SITE); defaults to the current context'
            cand -n 'The namespace to use instead of the context''s default'
            cand --namespace 'The namespace to use instead of the context''s default'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ike;notify;delete'= {
            cand --kind 'Its kind, when the name is used by several'
            cand --site 'The site to use (kubeconfig context ike-SITE); defaults to the current context'
            cand -n 'The namespace to use instead of the context''s default'
            cand --namespace 'The namespace to use instead of the context''s default'
            cand --dry-run 'Show what would change and change nothing (server-side dry run where the server is asked)'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ike;notify;help'= {
            cand barry 'Send this namespace''s alerts to channels in Barry (opened with your token)'
            cand email 'Send this namespace''s alerts by e-mail'
            cand teams 'Send this namespace''s alerts to a Microsoft Teams channel (a Workflows webhook)'
            cand list 'List the notification configs of a namespace (-A: of every namespace you may read)'
            cand show 'Show one notification config: where it sends, its conditions, its last delivery'
            cand test 'Send a test alert through Alertmanager and report where it arrived, or why not'
            cand delete 'Delete a notification config (its Secret is kept)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'ike;notify;help;barry'= {
        }
        &'ike;notify;help;email'= {
        }
        &'ike;notify;help;teams'= {
        }
        &'ike;notify;help;list'= {
        }
        &'ike;notify;help;show'= {
        }
        &'ike;notify;help;test'= {
        }
        &'ike;notify;help;delete'= {
        }
        &'ike;notify;help;help'= {
        }
        &'ike;request'= {
            cand --site 'The site to use (kubeconfig context ike-SITE); defaults to the current context'
            cand -n 'The namespace to use instead of the context''s default'
            cand --namespace 'The namespace to use instead of the context''s default'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand crd 'Ask for a CustomResourceDefinition (created, or updated if your tenant owns it)'
            cand storageclass 'Ask for a StorageClass (created, or updated if your tenant owns it)'
            cand sc 'Ask for a StorageClass (created, or updated if your tenant owns it)'
            cand delete 'Ask for the deletion of a CRD or StorageClass your tenant owns'
            cand list 'List requests (--pending: those waiting for a decision, in every namespace you may read)'
            cand show 'Show one request: what it asks for, the checks, the diff, the decision and its history'
            cand approve 'Approve a request (platform admins; someone else''s)'
            cand deny 'Deny a request, saying why (platform admins)'
            cand withdraw 'Withdraw a request before it is decided'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'ike;request;crd'= {
            cand -f 'The manifest: one object in YAML or JSON (''-'': standard input)'
            cand --file 'The manifest: one object in YAML or JSON (''-'': standard input)'
            cand --reason 'Why your tenant needs it, for the reviewers'
            cand --name 'The request''s name (default: made from the object''s, with a random suffix)'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --site 'The site to use (kubeconfig context ike-SITE); defaults to the current context'
            cand -n 'The namespace to use instead of the context''s default'
            cand --namespace 'The namespace to use instead of the context''s default'
            cand --dry-run 'Show what would change and change nothing (server-side dry run where the server is asked)'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ike;request;storageclass'= {
            cand -f 'The manifest: one object in YAML or JSON (''-'': standard input)'
            cand --file 'The manifest: one object in YAML or JSON (''-'': standard input)'
            cand --reason 'Why your tenant needs it, for the reviewers'
            cand --name 'The request''s name (default: made from the object''s, with a random suffix)'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --site 'The site to use (kubeconfig context ike-SITE); defaults to the current context'
            cand -n 'The namespace to use instead of the context''s default'
            cand --namespace 'The namespace to use instead of the context''s default'
            cand --dry-run 'Show what would change and change nothing (server-side dry run where the server is asked)'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ike;request;sc'= {
            cand -f 'The manifest: one object in YAML or JSON (''-'': standard input)'
            cand --file 'The manifest: one object in YAML or JSON (''-'': standard input)'
            cand --reason 'Why your tenant needs it, for the reviewers'
            cand --name 'The request''s name (default: made from the object''s, with a random suffix)'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --site 'The site to use (kubeconfig context ike-SITE); defaults to the current context'
            cand -n 'The namespace to use instead of the context''s default'
            cand --namespace 'The namespace to use instead of the context''s default'
            cand --dry-run 'Show what would change and change nothing (server-side dry run where the server is asked)'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ike;request;delete'= {
            cand --reason 'Why, for the reviewers'
            cand --name 'The request''s name (default: made from the object''s, with a random suffix)'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --site 'The site to use (kubeconfig context ike-SITE); defaults to the current context'
            cand -n 'The namespace to use instead of the context''s default'
            cand --namespace 'The namespace to use instead of the context''s default'
            cand --dry-run 'Show what would change and change nothing (server-side dry run where the server is asked)'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ike;request;list'= {
            cand -o 'Output format'
            cand --output 'Output format'
            cand --site 'The site to use (kubeconfig context ike-SITE); defaults to the current context'
            cand -n 'The namespace to use instead of the context''s default'
            cand --namespace 'The namespace to use instead of the context''s default'
            cand --pending 'Only requests waiting for a decision, in every namespace you may read'
            cand -A 'Requests of every namespace you may read'
            cand --all-namespaces 'Requests of every namespace you may read'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ike;request;show'= {
            cand -o 'Output format'
            cand --output 'Output format'
            cand --site 'The site to use (kubeconfig context ike-SITE); defaults to the current context'
            cand -n 'The namespace to use instead of the context''s default'
            cand --namespace 'The namespace to use instead of the context''s default'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ike;request;approve'= {
            cand --comment 'Why, for the requester and the audit trail (required to deny)'
            cand --digest 'The digest of the version you reviewed, as ''ike request show'' prints it (required to approve without a terminal; on one, ike shows the request and asks)'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --site 'The site to use (kubeconfig context ike-SITE); defaults to the current context'
            cand -n 'The namespace to use instead of the context''s default'
            cand --namespace 'The namespace to use instead of the context''s default'
            cand --dry-run 'Show what would change and change nothing (server-side dry run where the server is asked)'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ike;request;deny'= {
            cand --comment 'Why, for the requester and the audit trail (required to deny)'
            cand --digest 'The digest of the version you reviewed, as ''ike request show'' prints it (required to approve without a terminal; on one, ike shows the request and asks)'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --site 'The site to use (kubeconfig context ike-SITE); defaults to the current context'
            cand -n 'The namespace to use instead of the context''s default'
            cand --namespace 'The namespace to use instead of the context''s default'
            cand --dry-run 'Show what would change and change nothing (server-side dry run where the server is asked)'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ike;request;withdraw'= {
            cand -o 'Output format'
            cand --output 'Output format'
            cand --site 'The site to use (kubeconfig context ike-SITE); defaults to the current context'
            cand -n 'The namespace to use instead of the context''s default'
            cand --namespace 'The namespace to use instead of the context''s default'
            cand --dry-run 'Show what would change and change nothing (server-side dry run where the server is asked)'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ike;request;help'= {
            cand crd 'Ask for a CustomResourceDefinition (created, or updated if your tenant owns it)'
            cand storageclass 'Ask for a StorageClass (created, or updated if your tenant owns it)'
            cand delete 'Ask for the deletion of a CRD or StorageClass your tenant owns'
            cand list 'List requests (--pending: those waiting for a decision, in every namespace you may read)'
            cand show 'Show one request: what it asks for, the checks, the diff, the decision and its history'
            cand approve 'Approve a request (platform admins; someone else''s)'
            cand deny 'Deny a request, saying why (platform admins)'
            cand withdraw 'Withdraw a request before it is decided'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'ike;request;help;crd'= {
        }
        &'ike;request;help;storageclass'= {
        }
        &'ike;request;help;delete'= {
        }
        &'ike;request;help;list'= {
        }
        &'ike;request;help;show'= {
        }
        &'ike;request;help;approve'= {
        }
        &'ike;request;help;deny'= {
        }
        &'ike;request;help;withdraw'= {
        }
        &'ike;request;help;help'= {
        }
        &'ike;credential'= {
            cand --renew-within 'Renew when less than this is left, whatever the lifetime (e.g. 1h)'
            cand --site 'The site to use (kubeconfig context ike-SITE); defaults to the current context'
            cand -n 'The namespace to use instead of the context''s default'
            cand --namespace 'The namespace to use instead of the context''s default'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ike;completion'= {
            cand --site 'The site to use (kubeconfig context ike-SITE); defaults to the current context'
            cand -n 'The namespace to use instead of the context''s default'
            cand --namespace 'The namespace to use instead of the context''s default'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ike;site'= {
            cand --site 'The site to use (kubeconfig context ike-SITE); defaults to the current context'
            cand -n 'The namespace to use instead of the context''s default'
            cand --namespace 'The namespace to use instead of the context''s default'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand list 'List the sites in your kubeconfig'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'ike;site;list'= {
            cand -o 'Output format'
            cand --output 'Output format'
            cand --site 'The site to use (kubeconfig context ike-SITE); defaults to the current context'
            cand -n 'The namespace to use instead of the context''s default'
            cand --namespace 'The namespace to use instead of the context''s default'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ike;site;help'= {
            cand list 'List the sites in your kubeconfig'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'ike;site;help;list'= {
        }
        &'ike;site;help;help'= {
        }
        &'ike;version'= {
            cand -o 'Output format'
            cand --output 'Output format'
            cand --site 'The site to use (kubeconfig context ike-SITE); defaults to the current context'
            cand -n 'The namespace to use instead of the context''s default'
            cand --namespace 'The namespace to use instead of the context''s default'
            cand --client 'Show only ike''s own version; do not contact the site'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ike;help'= {
            cand login 'Log in to a site: enroll with a one-time token, or renew your certificate'
            cand whoami 'Show your account, site, tenants and certificate'
            cand logout 'Remove ike''s key, certificate and kubeconfig entries for a site'
            cand account 'Manage accounts (platform admins)'
            cand tenant 'Create, list, show and change tenants'
            cand ns 'Create, list and delete a tenant''s namespaces'
            cand doctor 'Check what you may and may not do on a site, each check with a one-line explanation'
            cand pod 'Pods'' IPs, for a pod network reachable from the office (IKE Office)'
            cand expose 'Give a workload''s pods a DNS name on IKE Office: a headless Service with external-dns'' annotations, the name checked against the site''s rules'
            cand resolve 'Check a name (host, svc/NAME, pod/NAME) against the site''s nameserver, or find the pod and tenant behind an IP'
            cand notify 'Say where a namespace''s alerts go: Barry, e-mail, Microsoft Teams'
            cand request 'Ask for cluster-scoped objects (CRDs, StorageClasses) and decide on requests (admins)'
            cand credential 'The kubeconfig credential plugin kubectl runs (not for people)'
            cand completion 'Print a shell completion script'
            cand site 'Show the sites in your kubeconfig'
            cand version 'Show the versions of ike and of the site''s Kubernetes API server'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'ike;help;login'= {
        }
        &'ike;help;whoami'= {
        }
        &'ike;help;logout'= {
        }
        &'ike;help;account'= {
            cand create 'Create an account and print its one-time enrollment token'
            cand list 'List the accounts'
            cand show 'Show one account'
            cand disable 'Disable an account: no more certificates, every role binding gone at once'
            cand enable 'Enable a disabled account again'
            cand delete 'Delete an account'
            cand token 'Make a new one-time enrollment token for an account'
            cand revoke-certificates 'Revoke every certificate issued to an account until now (a lost or stolen device): none of them renews any more; each device logs in again with a new token'
        }
        &'ike;help;account;create'= {
        }
        &'ike;help;account;list'= {
        }
        &'ike;help;account;show'= {
        }
        &'ike;help;account;disable'= {
        }
        &'ike;help;account;enable'= {
        }
        &'ike;help;account;delete'= {
        }
        &'ike;help;account;token'= {
        }
        &'ike;help;account;revoke-certificates'= {
        }
        &'ike;help;tenant'= {
            cand create 'Create a tenant and wait until it is ready'
            cand list 'List your tenants (platform admins: every tenant)'
            cand show 'Show a tenant: members, namespaces, node selector and conditions'
            cand add-member 'Add an account to a tenant, or change its role (owners and admins)'
            cand remove-member 'Remove an account from a tenant (owners and admins)'
            cand delete 'Delete a tenant and, unless kept, its namespaces with everything in them'
        }
        &'ike;help;tenant;create'= {
        }
        &'ike;help;tenant;list'= {
        }
        &'ike;help;tenant;show'= {
        }
        &'ike;help;tenant;add-member'= {
        }
        &'ike;help;tenant;remove-member'= {
        }
        &'ike;help;tenant;delete'= {
        }
        &'ike;help;ns'= {
            cand create 'Add a namespace to a tenant and wait until the tenant holds it (owners and admins)'
            cand list 'List the namespaces of your tenants (platform admins: of every tenant)'
            cand delete 'Take a namespace off its tenant: it is deleted with everything in it, unless the tenant keeps its namespaces'
        }
        &'ike;help;ns;create'= {
        }
        &'ike;help;ns;list'= {
        }
        &'ike;help;ns;delete'= {
        }
        &'ike;help;doctor'= {
        }
        &'ike;help;pod'= {
            cand ip 'Show pod IPs (IPv4 and IPv6), with phase, readiness and node; one IP per line when stdout is not a terminal, so that `curl http://$(ike pod ip -l app=web)` works'
        }
        &'ike;help;pod;ip'= {
        }
        &'ike;help;expose'= {
        }
        &'ike;help;resolve'= {
        }
        &'ike;help;notify'= {
            cand barry 'Send this namespace''s alerts to channels in Barry (opened with your token)'
            cand email 'Send this namespace''s alerts by e-mail'
            cand teams 'Send this namespace''s alerts to a Microsoft Teams channel (a Workflows webhook)'
            cand list 'List the notification configs of a namespace (-A: of every namespace you may read)'
            cand show 'Show one notification config: where it sends, its conditions, its last delivery'
            cand test 'Send a test alert through Alertmanager and report where it arrived, or why not'
            cand delete 'Delete a notification config (its Secret is kept)'
        }
        &'ike;help;notify;barry'= {
        }
        &'ike;help;notify;email'= {
        }
        &'ike;help;notify;teams'= {
        }
        &'ike;help;notify;list'= {
        }
        &'ike;help;notify;show'= {
        }
        &'ike;help;notify;test'= {
        }
        &'ike;help;notify;delete'= {
        }
        &'ike;help;request'= {
            cand crd 'Ask for a CustomResourceDefinition (created, or updated if your tenant owns it)'
            cand storageclass 'Ask for a StorageClass (created, or updated if your tenant owns it)'
            cand delete 'Ask for the deletion of a CRD or StorageClass your tenant owns'
            cand list 'List requests (--pending: those waiting for a decision, in every namespace you may read)'
            cand show 'Show one request: what it asks for, the checks, the diff, the decision and its history'
            cand approve 'Approve a request (platform admins; someone else''s)'
            cand deny 'Deny a request, saying why (platform admins)'
            cand withdraw 'Withdraw a request before it is decided'
        }
        &'ike;help;request;crd'= {
        }
        &'ike;help;request;storageclass'= {
        }
        &'ike;help;request;delete'= {
        }
        &'ike;help;request;list'= {
        }
        &'ike;help;request;show'= {
        }
        &'ike;help;request;approve'= {
        }
        &'ike;help;request;deny'= {
        }
        &'ike;help;request;withdraw'= {
        }
        &'ike;help;credential'= {
        }
        &'ike;help;completion'= {
        }
        &'ike;help;site'= {
            cand list 'List the sites in your kubeconfig'
        }
        &'ike;help;site;list'= {
        }
        &'ike;help;version'= {
        }
        &'ike;help;help'= {
        }
    ]
    $completions[$command]
}
