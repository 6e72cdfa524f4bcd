
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
            cand completion 'Print a shell completion script'
            cand site 'Show the sites in your kubeconfig'
            cand version 'Show the versions of ike and of the site''s Kubernetes API server'
            cand help 'Print this message or the help of the given subcommand(s)'
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
            cand completion 'Print a shell completion script'
            cand site 'Show the sites in your kubeconfig'
            cand version 'Show the versions of ike and of the site''s Kubernetes API server'
            cand help 'Print this message or the help of the given subcommand(s)'
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
