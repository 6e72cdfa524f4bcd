
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
            cand credential 'The kubeconfig credential plugin kubectl runs (not for people)'
            cand completion 'Print a shell completion script'
            cand site 'Show the sites in your kubeconfig'
            cand version 'Show the versions of ike and of the site''s Kubernetes API server'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'ike;login'= {
            cand --server 'The site''s account API (https://...); remembered after the first login'
            cand --token 'A one-time enrollment token from a platform admin (asked for on a terminal)'
            cand --ca-pin 'The pin of the site''s CA (sha256:...), given with the token, for an account API whose certificate is not publicly trusted'
            cand --ttl 'A certificate lifetime shorter than the site''s default (e.g. 30m, 2h)'
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
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'ike;account;create'= {
            cand --display-name 'The person''s name'
            cand --email 'The person''s e-mail'
            cand --token-ttl 'Enrollment token lifetime'
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
            cand --ttl 'Token lifetime'
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
        &'ike;account;help'= {
            cand create 'Create an account and print its one-time enrollment token'
            cand list 'List the accounts'
            cand show 'Show one account'
            cand disable 'Disable an account: no more certificates, every role binding gone at once'
            cand enable 'Enable a disabled account again'
            cand delete 'Delete an account'
            cand token 'Make a new one-time enrollment token for an account'
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
        &'ike;account;help;help'= {
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
