
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'ike' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'ike'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'ike' {
            [CompletionResult]::new('--site', '--site', [CompletionResultType]::ParameterName, 'The site to use (kubeconfig context ike-SITE); defaults to the current context')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('login', 'login', [CompletionResultType]::ParameterValue, 'Log in to a site: enroll with a one-time token, or renew your certificate')
            [CompletionResult]::new('whoami', 'whoami', [CompletionResultType]::ParameterValue, 'Show your account, site, tenants and certificate')
            [CompletionResult]::new('logout', 'logout', [CompletionResultType]::ParameterValue, 'Remove ike''s key, certificate and kubeconfig entries for a site')
            [CompletionResult]::new('account', 'account', [CompletionResultType]::ParameterValue, 'Manage accounts (platform admins)')
            [CompletionResult]::new('tenant', 'tenant', [CompletionResultType]::ParameterValue, 'Create, list, show and change tenants')
            [CompletionResult]::new('ns', 'ns', [CompletionResultType]::ParameterValue, 'Create, list and delete a tenant''s namespaces')
            [CompletionResult]::new('namespace', 'namespace', [CompletionResultType]::ParameterValue, 'Create, list and delete a tenant''s namespaces')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Check what you may and may not do on a site, each check with a one-line explanation')
            [CompletionResult]::new('pod', 'pod', [CompletionResultType]::ParameterValue, 'Pods'' IPs, for a pod network reachable from the office (IKE Office)')
            [CompletionResult]::new('expose', 'expose', [CompletionResultType]::ParameterValue, 'Give a workload''s pods a DNS name on IKE Office: a headless Service with external-dns'' annotations, the name checked against the site''s rules')
            [CompletionResult]::new('resolve', 'resolve', [CompletionResultType]::ParameterValue, 'Check a name (host, svc/NAME, pod/NAME) against the site''s nameserver, or find the pod and tenant behind an IP')
            [CompletionResult]::new('notify', 'notify', [CompletionResultType]::ParameterValue, 'Say where a namespace''s alerts go: Barry, e-mail, Microsoft Teams')
            [CompletionResult]::new('request', 'request', [CompletionResultType]::ParameterValue, 'Ask for cluster-scoped objects (CRDs, StorageClasses) and decide on requests (admins)')
            [CompletionResult]::new('credential', 'credential', [CompletionResultType]::ParameterValue, 'The kubeconfig credential plugin kubectl runs (not for people)')
            [CompletionResult]::new('completion', 'completion', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('site', 'site', [CompletionResultType]::ParameterValue, 'Show the sites in your kubeconfig')
            [CompletionResult]::new('version', 'version', [CompletionResultType]::ParameterValue, 'Show the versions of ike and of the site''s Kubernetes API server')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'ike;login' {
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'The site''s account API (https://...); remembered after the first login')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'A one-time enrollment token from a platform admin (asked for on a terminal). Prefer --token-file: a token on the command line shows in ps and in the shell''s history')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'Read the one-time enrollment token from FILE, or from standard input with ''-'' (used instead of --token and IKE_TOKEN)')
            [CompletionResult]::new('--ca-pin', '--ca-pin', [CompletionResultType]::ParameterName, 'The pin of the site''s CA (sha256:...), given with the token, for an account API whose certificate is not publicly trusted')
            [CompletionResult]::new('--ttl', '--ttl', [CompletionResultType]::ParameterName, 'The certificate lifetime (e.g. 30m, 2h), remembered for the site: every renewal asks for it, and the site''s maximum caps it. ''default'' goes back to the site''s default')
            [CompletionResult]::new('--site', '--site', [CompletionResultType]::ParameterName, 'The site to use (kubeconfig context ike-SITE); defaults to the current context')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('--no-switch', '--no-switch', [CompletionResultType]::ParameterName, 'Keep the current kubeconfig context instead of switching to the site''s')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would change and change nothing (server-side dry run where the server is asked)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ike;whoami' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--site', '--site', [CompletionResultType]::ParameterName, 'The site to use (kubeconfig context ike-SITE); defaults to the current context')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ike;logout' {
            [CompletionResult]::new('--site', '--site', [CompletionResultType]::ParameterName, 'The site to use (kubeconfig context ike-SITE); defaults to the current context')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Log out of every site')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would change and change nothing (server-side dry run where the server is asked)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ike;account' {
            [CompletionResult]::new('--site', '--site', [CompletionResultType]::ParameterName, 'The site to use (kubeconfig context ike-SITE); defaults to the current context')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create an account and print its one-time enrollment token')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the accounts')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one account')
            [CompletionResult]::new('disable', 'disable', [CompletionResultType]::ParameterValue, 'Disable an account: no more certificates, every role binding gone at once')
            [CompletionResult]::new('enable', 'enable', [CompletionResultType]::ParameterValue, 'Enable a disabled account again')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete an account')
            [CompletionResult]::new('token', 'token', [CompletionResultType]::ParameterValue, 'Make a new one-time enrollment token for an account')
            [CompletionResult]::new('revoke-certificates', 'revoke-certificates', [CompletionResultType]::ParameterValue, 'Revoke every certificate issued to an account until now (a lost or stolen device): none of them renews any more; each device logs in again with a new token')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'ike;account;create' {
            [CompletionResult]::new('--display-name', '--display-name', [CompletionResultType]::ParameterName, 'The person''s name')
            [CompletionResult]::new('--email', '--email', [CompletionResultType]::ParameterName, 'The person''s e-mail')
            [CompletionResult]::new('--token-ttl', '--token-ttl', [CompletionResultType]::ParameterName, 'Enrollment token lifetime (60s to 7d)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--site', '--site', [CompletionResultType]::ParameterName, 'The site to use (kubeconfig context ike-SITE); defaults to the current context')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('--admin', '--admin', [CompletionResultType]::ParameterName, 'Make the account a platform admin')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would change and change nothing (server-side dry run where the server is asked)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ike;account;list' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--site', '--site', [CompletionResultType]::ParameterName, 'The site to use (kubeconfig context ike-SITE); defaults to the current context')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ike;account;show' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--site', '--site', [CompletionResultType]::ParameterName, 'The site to use (kubeconfig context ike-SITE); defaults to the current context')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ike;account;disable' {
            [CompletionResult]::new('--site', '--site', [CompletionResultType]::ParameterName, 'The site to use (kubeconfig context ike-SITE); defaults to the current context')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would change and change nothing (server-side dry run where the server is asked)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ike;account;enable' {
            [CompletionResult]::new('--site', '--site', [CompletionResultType]::ParameterName, 'The site to use (kubeconfig context ike-SITE); defaults to the current context')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would change and change nothing (server-side dry run where the server is asked)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ike;account;delete' {
            [CompletionResult]::new('--site', '--site', [CompletionResultType]::ParameterName, 'The site to use (kubeconfig context ike-SITE); defaults to the current context')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (required without a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (required without a terminal)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would change and change nothing (server-side dry run where the server is asked)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ike;account;token' {
            [CompletionResult]::new('--ttl', '--ttl', [CompletionResultType]::ParameterName, 'Token lifetime (60s to 7d)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--site', '--site', [CompletionResultType]::ParameterName, 'The site to use (kubeconfig context ike-SITE); defaults to the current context')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('--revoke-certificates', '--revoke-certificates', [CompletionResultType]::ParameterName, 'Also revoke every certificate issued to the account until now (a lost device: the new token is for its replacement)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ike;account;revoke-certificates' {
            [CompletionResult]::new('--site', '--site', [CompletionResultType]::ParameterName, 'The site to use (kubeconfig context ike-SITE); defaults to the current context')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would change and change nothing (server-side dry run where the server is asked)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ike;account;help' {
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create an account and print its one-time enrollment token')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the accounts')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one account')
            [CompletionResult]::new('disable', 'disable', [CompletionResultType]::ParameterValue, 'Disable an account: no more certificates, every role binding gone at once')
            [CompletionResult]::new('enable', 'enable', [CompletionResultType]::ParameterValue, 'Enable a disabled account again')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete an account')
            [CompletionResult]::new('token', 'token', [CompletionResultType]::ParameterValue, 'Make a new one-time enrollment token for an account')
            [CompletionResult]::new('revoke-certificates', 'revoke-certificates', [CompletionResultType]::ParameterValue, 'Revoke every certificate issued to an account until now (a lost or stolen device): none of them renews any more; each device logs in again with a new token')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'ike;account;help;create' {
            break
        }
        'ike;account;help;list' {
            break
        }
        'ike;account;help;show' {
            break
        }
        'ike;account;help;disable' {
            break
        }
        'ike;account;help;enable' {
            break
        }
        'ike;account;help;delete' {
            break
        }
        'ike;account;help;token' {
            break
        }
        'ike;account;help;revoke-certificates' {
            break
        }
        'ike;account;help;help' {
            break
        }
        'ike;tenant' {
            [CompletionResult]::new('--site', '--site', [CompletionResultType]::ParameterName, 'The site to use (kubeconfig context ike-SITE); defaults to the current context')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a tenant and wait until it is ready')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List your tenants (platform admins: every tenant)')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show a tenant: members, namespaces, node selector and conditions')
            [CompletionResult]::new('add-member', 'add-member', [CompletionResultType]::ParameterValue, 'Add an account to a tenant, or change its role (owners and admins)')
            [CompletionResult]::new('remove-member', 'remove-member', [CompletionResultType]::ParameterValue, 'Remove an account from a tenant (owners and admins)')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete a tenant and, unless kept, its namespaces with everything in them')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'ike;tenant;create' {
            [CompletionResult]::new('--owner', '--owner', [CompletionResultType]::ParameterName, 'An owner: manages members and namespaces, admin in the namespaces (repeatable; default: you)')
            [CompletionResult]::new('--member', '--member', [CompletionResultType]::ParameterName, 'A member: edits workloads in the namespaces (repeatable)')
            [CompletionResult]::new('--viewer', '--viewer', [CompletionResultType]::ParameterName, 'A viewer: reads the namespaces (repeatable)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'A namespace the tenant holds; the controller creates it (repeatable)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'A namespace the tenant holds; the controller creates it (repeatable)')
            [CompletionResult]::new('--node-selector', '--node-selector', [CompletionResultType]::ParameterName, 'Dedicated nodes: a node label every pod of the tenant must match (repeatable; platform admins only)')
            [CompletionResult]::new('--description', '--description', [CompletionResultType]::ParameterName, 'What the tenant is for')
            [CompletionResult]::new('--contact', '--contact', [CompletionResultType]::ParameterName, 'Whom to ask about the tenant')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--site', '--site', [CompletionResultType]::ParameterName, 'The site to use (kubeconfig context ike-SITE); defaults to the current context')
            [CompletionResult]::new('--keep-namespaces', '--keep-namespaces', [CompletionResultType]::ParameterName, 'Keep the namespaces when the tenant is deleted or drops them')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would change and change nothing (server-side dry run where the server is asked)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ike;tenant;list' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--site', '--site', [CompletionResultType]::ParameterName, 'The site to use (kubeconfig context ike-SITE); defaults to the current context')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ike;tenant;show' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--site', '--site', [CompletionResultType]::ParameterName, 'The site to use (kubeconfig context ike-SITE); defaults to the current context')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ike;tenant;add-member' {
            [CompletionResult]::new('--role', '--role', [CompletionResultType]::ParameterName, 'The account''s role in the tenant')
            [CompletionResult]::new('--site', '--site', [CompletionResultType]::ParameterName, 'The site to use (kubeconfig context ike-SITE); defaults to the current context')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would change and change nothing (server-side dry run where the server is asked)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ike;tenant;remove-member' {
            [CompletionResult]::new('--site', '--site', [CompletionResultType]::ParameterName, 'The site to use (kubeconfig context ike-SITE); defaults to the current context')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would change and change nothing (server-side dry run where the server is asked)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ike;tenant;delete' {
            [CompletionResult]::new('--site', '--site', [CompletionResultType]::ParameterName, 'The site to use (kubeconfig context ike-SITE); defaults to the current context')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('--keep-namespaces', '--keep-namespaces', [CompletionResultType]::ParameterName, 'Keep the namespaces (they lose the tenant''s label and role bindings)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (required without a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (required without a terminal)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would change and change nothing (server-side dry run where the server is asked)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ike;tenant;help' {
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a tenant and wait until it is ready')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List your tenants (platform admins: every tenant)')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show a tenant: members, namespaces, node selector and conditions')
            [CompletionResult]::new('add-member', 'add-member', [CompletionResultType]::ParameterValue, 'Add an account to a tenant, or change its role (owners and admins)')
            [CompletionResult]::new('remove-member', 'remove-member', [CompletionResultType]::ParameterValue, 'Remove an account from a tenant (owners and admins)')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete a tenant and, unless kept, its namespaces with everything in them')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'ike;tenant;help;create' {
            break
        }
        'ike;tenant;help;list' {
            break
        }
        'ike;tenant;help;show' {
            break
        }
        'ike;tenant;help;add-member' {
            break
        }
        'ike;tenant;help;remove-member' {
            break
        }
        'ike;tenant;help;delete' {
            break
        }
        'ike;tenant;help;help' {
            break
        }
        'ike;ns' {
            [CompletionResult]::new('--site', '--site', [CompletionResultType]::ParameterName, 'The site to use (kubeconfig context ike-SITE); defaults to the current context')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Add a namespace to a tenant and wait until the tenant holds it (owners and admins)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the namespaces of your tenants (platform admins: of every tenant)')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Take a namespace off its tenant: it is deleted with everything in it, unless the tenant keeps its namespaces')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'ike;namespace' {
            [CompletionResult]::new('--site', '--site', [CompletionResultType]::ParameterName, 'The site to use (kubeconfig context ike-SITE); defaults to the current context')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Add a namespace to a tenant and wait until the tenant holds it (owners and admins)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the namespaces of your tenants (platform admins: of every tenant)')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Take a namespace off its tenant: it is deleted with everything in it, unless the tenant keeps its namespaces')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'ike;ns;create' {
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'The tenant that gets it')
            [CompletionResult]::new('--tenant', '--tenant', [CompletionResultType]::ParameterName, 'The tenant that gets it')
            [CompletionResult]::new('--site', '--site', [CompletionResultType]::ParameterName, 'The site to use (kubeconfig context ike-SITE); defaults to the current context')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would change and change nothing (server-side dry run where the server is asked)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ike;namespace;create' {
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'The tenant that gets it')
            [CompletionResult]::new('--tenant', '--tenant', [CompletionResultType]::ParameterName, 'The tenant that gets it')
            [CompletionResult]::new('--site', '--site', [CompletionResultType]::ParameterName, 'The site to use (kubeconfig context ike-SITE); defaults to the current context')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would change and change nothing (server-side dry run where the server is asked)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ike;ns;list' {
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Only this tenant''s namespaces')
            [CompletionResult]::new('--tenant', '--tenant', [CompletionResultType]::ParameterName, 'Only this tenant''s namespaces')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--site', '--site', [CompletionResultType]::ParameterName, 'The site to use (kubeconfig context ike-SITE); defaults to the current context')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ike;namespace;list' {
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Only this tenant''s namespaces')
            [CompletionResult]::new('--tenant', '--tenant', [CompletionResultType]::ParameterName, 'Only this tenant''s namespaces')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--site', '--site', [CompletionResultType]::ParameterName, 'The site to use (kubeconfig context ike-SITE); defaults to the current context')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ike;ns;delete' {
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'The tenant holding it, when more than one of yours lists it')
            [CompletionResult]::new('--tenant', '--tenant', [CompletionResultType]::ParameterName, 'The tenant holding it, when more than one of yours lists it')
            [CompletionResult]::new('--site', '--site', [CompletionResultType]::ParameterName, 'The site to use (kubeconfig context ike-SITE); defaults to the current context')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (required without a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (required without a terminal)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would change and change nothing (server-side dry run where the server is asked)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ike;namespace;delete' {
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'The tenant holding it, when more than one of yours lists it')
            [CompletionResult]::new('--tenant', '--tenant', [CompletionResultType]::ParameterName, 'The tenant holding it, when more than one of yours lists it')
            [CompletionResult]::new('--site', '--site', [CompletionResultType]::ParameterName, 'The site to use (kubeconfig context ike-SITE); defaults to the current context')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (required without a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (required without a terminal)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would change and change nothing (server-side dry run where the server is asked)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ike;ns;help' {
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Add a namespace to a tenant and wait until the tenant holds it (owners and admins)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the namespaces of your tenants (platform admins: of every tenant)')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Take a namespace off its tenant: it is deleted with everything in it, unless the tenant keeps its namespaces')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'ike;ns;help;create' {
            break
        }
        'ike;ns;help;list' {
            break
        }
        'ike;ns;help;delete' {
            break
        }
        'ike;ns;help;help' {
            break
        }
        'ike;namespace;help' {
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Add a namespace to a tenant and wait until the tenant holds it (owners and admins)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the namespaces of your tenants (platform admins: of every tenant)')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Take a namespace off its tenant: it is deleted with everything in it, unless the tenant keeps its namespaces')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'ike;namespace;help;create' {
            break
        }
        'ike;namespace;help;list' {
            break
        }
        'ike;namespace;help;delete' {
            break
        }
        'ike;namespace;help;help' {
            break
        }
        'ike;doctor' {
            [CompletionResult]::new('--tenant-namespace', '--tenant-namespace', [CompletionResultType]::ParameterName, 'The namespace to try pods in (default: -n, else the first namespace of your first tenant)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--site', '--site', [CompletionResultType]::ParameterName, 'The site to use (kubeconfig context ike-SITE); defaults to the current context')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ike;pod' {
            [CompletionResult]::new('--site', '--site', [CompletionResultType]::ParameterName, 'The site to use (kubeconfig context ike-SITE); defaults to the current context')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('ip', 'ip', [CompletionResultType]::ParameterValue, 'Show pod IPs (IPv4 and IPv6), with phase, readiness and node; one IP per line when stdout is not a terminal, so that `curl http://$(ike pod ip -l app=web)` works')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'ike;pod;ip' {
            [CompletionResult]::new('-l', '-l', [CompletionResultType]::ParameterName, 'Only pods with these labels, e.g. app=web or ''app=web,tier!=cache'' (kubectl''s syntax)')
            [CompletionResult]::new('--selector', '--selector', [CompletionResultType]::ParameterName, 'Only pods with these labels, e.g. app=web or ''app=web,tier!=cache'' (kubectl''s syntax)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long --wait waits')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format; default: table on a terminal, else ip (one IP per line)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format; default: table on a terminal, else ip (one IP per line)')
            [CompletionResult]::new('--site', '--site', [CompletionResultType]::ParameterName, 'The site to use (kubeconfig context ike-SITE); defaults to the current context')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'Wait until at least one pod is ready and every ready pod has an IP')
            [CompletionResult]::new('-4', '-4', [CompletionResultType]::ParameterName, 'Only IPv4 addresses')
            [CompletionResult]::new('--ipv4', '--ipv4', [CompletionResultType]::ParameterName, 'Only IPv4 addresses')
            [CompletionResult]::new('-6', '-6', [CompletionResultType]::ParameterName, 'Only IPv6 addresses')
            [CompletionResult]::new('--ipv6', '--ipv6', [CompletionResultType]::ParameterName, 'Only IPv6 addresses')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ike;pod;help' {
            [CompletionResult]::new('ip', 'ip', [CompletionResultType]::ParameterValue, 'Show pod IPs (IPv4 and IPv6), with phase, readiness and node; one IP per line when stdout is not a terminal, so that `curl http://$(ike pod ip -l app=web)` works')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'ike;pod;help;ip' {
            break
        }
        'ike;pod;help;help' {
            break
        }
        'ike;expose' {
            [CompletionResult]::new('--hostname', '--hostname', [CompletionResultType]::ParameterName, 'The DNS name, under a domain the site allows (repeat for several)')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'A port for the Service to list; the name reaches every port of the pods anyway')
            [CompletionResult]::new('--ttl', '--ttl', [CompletionResultType]::ParameterName, 'TTL of the records, seconds or e.g. 1m [default: the site''s, 30 s unless it says otherwise]')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'The Service''s name [default: the workload''s]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--site', '--site', [CompletionResultType]::ParameterName, 'The site to use (kubeconfig context ike-SITE); defaults to the current context')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would change and change nothing (server-side dry run where the server is asked)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ike;resolve' {
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'The nameserver to ask [default: the site''s Office DNS server]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--site', '--site', [CompletionResultType]::ParameterName, 'The site to use (kubeconfig context ike-SITE); defaults to the current context')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ike;notify' {
            [CompletionResult]::new('--site', '--site', [CompletionResultType]::ParameterName, 'The site to use (kubeconfig context ike-SITE); defaults to the current context')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('barry', 'barry', [CompletionResultType]::ParameterValue, 'Send this namespace''s alerts to channels in Barry (opened with your token)')
            [CompletionResult]::new('email', 'email', [CompletionResultType]::ParameterValue, 'Send this namespace''s alerts by e-mail')
            [CompletionResult]::new('teams', 'teams', [CompletionResultType]::ParameterValue, 'Send this namespace''s alerts to a Microsoft Teams channel (a Workflows webhook)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the notification configs of a namespace (-A: of every namespace you may read)')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one notification config: where it sends, its conditions, its last delivery')
            [CompletionResult]::new('test', 'test', [CompletionResultType]::ParameterValue, 'Send a test alert through Alertmanager and report where it arrived, or why not')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete a notification config (its Secret is kept)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'ike;notify;barry' {
            [CompletionResult]::new('--channel', '--channel', [CompletionResultType]::ParameterName, 'A Barry channel that gets the alerts, opened if it does not exist (repeatable)')
            [CompletionResult]::new('--mute', '--mute', [CompletionResultType]::ParameterName, 'A channel that gets them muted: Barry records the alerts and notifies nobody (repeatable)')
            [CompletionResult]::new('--token-secret', '--token-secret', [CompletionResultType]::ParameterName, 'The Secret whose key ''token'' holds your Barry API token (default with --token-file: NAME-barry-token)')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'Write that Secret from this file (''-'': standard input)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--site', '--site', [CompletionResultType]::ParameterName, 'The site to use (kubeconfig context ike-SITE); defaults to the current context')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would change and change nothing (server-side dry run where the server is asked)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ike;notify;email' {
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'A recipient: a plain address such as oncall@example.com (repeatable)')
            [CompletionResult]::new('--subject-prefix', '--subject-prefix', [CompletionResultType]::ParameterName, 'Text put before the subject line, such as ''[shop]''')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--site', '--site', [CompletionResultType]::ParameterName, 'The site to use (kubeconfig context ike-SITE); defaults to the current context')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('--send-resolved', '--send-resolved', [CompletionResultType]::ParameterName, 'Also send a message when the alerts resolve')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would change and change nothing (server-side dry run where the server is asked)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ike;notify;teams' {
            [CompletionResult]::new('--webhook-url-file', '--webhook-url-file', [CompletionResultType]::ParameterName, 'Write the Teams Workflows webhook URL from this file (''-'': standard input) into the Secret')
            [CompletionResult]::new('--webhook-url-secret', '--webhook-url-secret', [CompletionResultType]::ParameterName, 'The Secret whose key ''url'' holds the webhook URL (default: NAME-teams-webhook)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--site', '--site', [CompletionResultType]::ParameterName, 'The site to use (kubeconfig context ike-SITE); defaults to the current context')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would change and change nothing (server-side dry run where the server is asked)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ike;notify;list' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--site', '--site', [CompletionResultType]::ParameterName, 'The site to use (kubeconfig context ike-SITE); defaults to the current context')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('-A', '-A ', [CompletionResultType]::ParameterName, 'List the configs of every namespace you may read')
            [CompletionResult]::new('--all-namespaces', '--all-namespaces', [CompletionResultType]::ParameterName, 'List the configs of every namespace you may read')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ike;notify;show' {
            [CompletionResult]::new('--kind', '--kind', [CompletionResultType]::ParameterName, 'Its kind, when the name is used by several')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--site', '--site', [CompletionResultType]::ParameterName, 'The site to use (kubeconfig context ike-SITE); defaults to the current context')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ike;notify;test' {
            [CompletionResult]::new('--kind', '--kind', [CompletionResultType]::ParameterName, 'Its kind, when the name is used by several')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to wait for the alert to arrive (Alertmanager sends after its group_wait)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--site', '--site', [CompletionResultType]::ParameterName, 'The site to use (kubeconfig context ike-SITE); defaults to the current context')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ike;notify;delete' {
            [CompletionResult]::new('--kind', '--kind', [CompletionResultType]::ParameterName, 'Its kind, when the name is used by several')
            [CompletionResult]::new('--site', '--site', [CompletionResultType]::ParameterName, 'The site to use (kubeconfig context ike-SITE); defaults to the current context')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would change and change nothing (server-side dry run where the server is asked)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ike;notify;help' {
            [CompletionResult]::new('barry', 'barry', [CompletionResultType]::ParameterValue, 'Send this namespace''s alerts to channels in Barry (opened with your token)')
            [CompletionResult]::new('email', 'email', [CompletionResultType]::ParameterValue, 'Send this namespace''s alerts by e-mail')
            [CompletionResult]::new('teams', 'teams', [CompletionResultType]::ParameterValue, 'Send this namespace''s alerts to a Microsoft Teams channel (a Workflows webhook)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the notification configs of a namespace (-A: of every namespace you may read)')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one notification config: where it sends, its conditions, its last delivery')
            [CompletionResult]::new('test', 'test', [CompletionResultType]::ParameterValue, 'Send a test alert through Alertmanager and report where it arrived, or why not')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete a notification config (its Secret is kept)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'ike;notify;help;barry' {
            break
        }
        'ike;notify;help;email' {
            break
        }
        'ike;notify;help;teams' {
            break
        }
        'ike;notify;help;list' {
            break
        }
        'ike;notify;help;show' {
            break
        }
        'ike;notify;help;test' {
            break
        }
        'ike;notify;help;delete' {
            break
        }
        'ike;notify;help;help' {
            break
        }
        'ike;request' {
            [CompletionResult]::new('--site', '--site', [CompletionResultType]::ParameterName, 'The site to use (kubeconfig context ike-SITE); defaults to the current context')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('crd', 'crd', [CompletionResultType]::ParameterValue, 'Ask for a CustomResourceDefinition (created, or updated if your tenant owns it)')
            [CompletionResult]::new('storageclass', 'storageclass', [CompletionResultType]::ParameterValue, 'Ask for a StorageClass (created, or updated if your tenant owns it)')
            [CompletionResult]::new('sc', 'sc', [CompletionResultType]::ParameterValue, 'Ask for a StorageClass (created, or updated if your tenant owns it)')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Ask for the deletion of a CRD or StorageClass your tenant owns')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List requests (--pending: those waiting for a decision, in every namespace you may read)')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one request: what it asks for, the checks, the diff, the decision and its history')
            [CompletionResult]::new('approve', 'approve', [CompletionResultType]::ParameterValue, 'Approve a request (platform admins; someone else''s)')
            [CompletionResult]::new('deny', 'deny', [CompletionResultType]::ParameterValue, 'Deny a request, saying why (platform admins)')
            [CompletionResult]::new('withdraw', 'withdraw', [CompletionResultType]::ParameterValue, 'Withdraw a request before it is decided')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'ike;request;crd' {
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'The manifest: one object in YAML or JSON (''-'': standard input)')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'The manifest: one object in YAML or JSON (''-'': standard input)')
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Why your tenant needs it, for the reviewers')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'The request''s name (default: made from the object''s, with a random suffix)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--site', '--site', [CompletionResultType]::ParameterName, 'The site to use (kubeconfig context ike-SITE); defaults to the current context')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would change and change nothing (server-side dry run where the server is asked)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ike;request;storageclass' {
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'The manifest: one object in YAML or JSON (''-'': standard input)')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'The manifest: one object in YAML or JSON (''-'': standard input)')
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Why your tenant needs it, for the reviewers')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'The request''s name (default: made from the object''s, with a random suffix)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--site', '--site', [CompletionResultType]::ParameterName, 'The site to use (kubeconfig context ike-SITE); defaults to the current context')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would change and change nothing (server-side dry run where the server is asked)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ike;request;sc' {
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'The manifest: one object in YAML or JSON (''-'': standard input)')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'The manifest: one object in YAML or JSON (''-'': standard input)')
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Why your tenant needs it, for the reviewers')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'The request''s name (default: made from the object''s, with a random suffix)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--site', '--site', [CompletionResultType]::ParameterName, 'The site to use (kubeconfig context ike-SITE); defaults to the current context')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would change and change nothing (server-side dry run where the server is asked)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ike;request;delete' {
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Why, for the reviewers')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'The request''s name (default: made from the object''s, with a random suffix)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--site', '--site', [CompletionResultType]::ParameterName, 'The site to use (kubeconfig context ike-SITE); defaults to the current context')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would change and change nothing (server-side dry run where the server is asked)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ike;request;list' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--site', '--site', [CompletionResultType]::ParameterName, 'The site to use (kubeconfig context ike-SITE); defaults to the current context')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('--pending', '--pending', [CompletionResultType]::ParameterName, 'Only requests waiting for a decision, in every namespace you may read')
            [CompletionResult]::new('-A', '-A ', [CompletionResultType]::ParameterName, 'Requests of every namespace you may read')
            [CompletionResult]::new('--all-namespaces', '--all-namespaces', [CompletionResultType]::ParameterName, 'Requests of every namespace you may read')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ike;request;show' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--site', '--site', [CompletionResultType]::ParameterName, 'The site to use (kubeconfig context ike-SITE); defaults to the current context')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ike;request;approve' {
            [CompletionResult]::new('--comment', '--comment', [CompletionResultType]::ParameterName, 'Why, for the requester and the audit trail (required to deny)')
            [CompletionResult]::new('--digest', '--digest', [CompletionResultType]::ParameterName, 'The digest of the version you reviewed, as ''ike request show'' prints it (required to approve without a terminal; on one, ike shows the request and asks)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--site', '--site', [CompletionResultType]::ParameterName, 'The site to use (kubeconfig context ike-SITE); defaults to the current context')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would change and change nothing (server-side dry run where the server is asked)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ike;request;deny' {
            [CompletionResult]::new('--comment', '--comment', [CompletionResultType]::ParameterName, 'Why, for the requester and the audit trail (required to deny)')
            [CompletionResult]::new('--digest', '--digest', [CompletionResultType]::ParameterName, 'The digest of the version you reviewed, as ''ike request show'' prints it (required to approve without a terminal; on one, ike shows the request and asks)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--site', '--site', [CompletionResultType]::ParameterName, 'The site to use (kubeconfig context ike-SITE); defaults to the current context')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would change and change nothing (server-side dry run where the server is asked)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ike;request;withdraw' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--site', '--site', [CompletionResultType]::ParameterName, 'The site to use (kubeconfig context ike-SITE); defaults to the current context')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would change and change nothing (server-side dry run where the server is asked)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ike;request;help' {
            [CompletionResult]::new('crd', 'crd', [CompletionResultType]::ParameterValue, 'Ask for a CustomResourceDefinition (created, or updated if your tenant owns it)')
            [CompletionResult]::new('storageclass', 'storageclass', [CompletionResultType]::ParameterValue, 'Ask for a StorageClass (created, or updated if your tenant owns it)')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Ask for the deletion of a CRD or StorageClass your tenant owns')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List requests (--pending: those waiting for a decision, in every namespace you may read)')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one request: what it asks for, the checks, the diff, the decision and its history')
            [CompletionResult]::new('approve', 'approve', [CompletionResultType]::ParameterValue, 'Approve a request (platform admins; someone else''s)')
            [CompletionResult]::new('deny', 'deny', [CompletionResultType]::ParameterValue, 'Deny a request, saying why (platform admins)')
            [CompletionResult]::new('withdraw', 'withdraw', [CompletionResultType]::ParameterValue, 'Withdraw a request before it is decided')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'ike;request;help;crd' {
            break
        }
        'ike;request;help;storageclass' {
            break
        }
        'ike;request;help;delete' {
            break
        }
        'ike;request;help;list' {
            break
        }
        'ike;request;help;show' {
            break
        }
        'ike;request;help;approve' {
            break
        }
        'ike;request;help;deny' {
            break
        }
        'ike;request;help;withdraw' {
            break
        }
        'ike;request;help;help' {
            break
        }
        'ike;credential' {
            [CompletionResult]::new('--renew-within', '--renew-within', [CompletionResultType]::ParameterName, 'Renew when less than this is left, whatever the lifetime (e.g. 1h)')
            [CompletionResult]::new('--site', '--site', [CompletionResultType]::ParameterName, 'The site to use (kubeconfig context ike-SITE); defaults to the current context')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ike;completion' {
            [CompletionResult]::new('--site', '--site', [CompletionResultType]::ParameterName, 'The site to use (kubeconfig context ike-SITE); defaults to the current context')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ike;site' {
            [CompletionResult]::new('--site', '--site', [CompletionResultType]::ParameterName, 'The site to use (kubeconfig context ike-SITE); defaults to the current context')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the sites in your kubeconfig')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'ike;site;list' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--site', '--site', [CompletionResultType]::ParameterName, 'The site to use (kubeconfig context ike-SITE); defaults to the current context')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ike;site;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the sites in your kubeconfig')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'ike;site;help;list' {
            break
        }
        'ike;site;help;help' {
            break
        }
        'ike;version' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--site', '--site', [CompletionResultType]::ParameterName, 'The site to use (kubeconfig context ike-SITE); defaults to the current context')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace to use instead of the context''s default')
            [CompletionResult]::new('--client', '--client', [CompletionResultType]::ParameterName, 'Show only ike''s own version; do not contact the site')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ike;help' {
            [CompletionResult]::new('login', 'login', [CompletionResultType]::ParameterValue, 'Log in to a site: enroll with a one-time token, or renew your certificate')
            [CompletionResult]::new('whoami', 'whoami', [CompletionResultType]::ParameterValue, 'Show your account, site, tenants and certificate')
            [CompletionResult]::new('logout', 'logout', [CompletionResultType]::ParameterValue, 'Remove ike''s key, certificate and kubeconfig entries for a site')
            [CompletionResult]::new('account', 'account', [CompletionResultType]::ParameterValue, 'Manage accounts (platform admins)')
            [CompletionResult]::new('tenant', 'tenant', [CompletionResultType]::ParameterValue, 'Create, list, show and change tenants')
            [CompletionResult]::new('ns', 'ns', [CompletionResultType]::ParameterValue, 'Create, list and delete a tenant''s namespaces')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Check what you may and may not do on a site, each check with a one-line explanation')
            [CompletionResult]::new('pod', 'pod', [CompletionResultType]::ParameterValue, 'Pods'' IPs, for a pod network reachable from the office (IKE Office)')
            [CompletionResult]::new('expose', 'expose', [CompletionResultType]::ParameterValue, 'Give a workload''s pods a DNS name on IKE Office: a headless Service with external-dns'' annotations, the name checked against the site''s rules')
            [CompletionResult]::new('resolve', 'resolve', [CompletionResultType]::ParameterValue, 'Check a name (host, svc/NAME, pod/NAME) against the site''s nameserver, or find the pod and tenant behind an IP')
            [CompletionResult]::new('notify', 'notify', [CompletionResultType]::ParameterValue, 'Say where a namespace''s alerts go: Barry, e-mail, Microsoft Teams')
            [CompletionResult]::new('request', 'request', [CompletionResultType]::ParameterValue, 'Ask for cluster-scoped objects (CRDs, StorageClasses) and decide on requests (admins)')
            [CompletionResult]::new('credential', 'credential', [CompletionResultType]::ParameterValue, 'The kubeconfig credential plugin kubectl runs (not for people)')
            [CompletionResult]::new('completion', 'completion', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('site', 'site', [CompletionResultType]::ParameterValue, 'Show the sites in your kubeconfig')
            [CompletionResult]::new('version', 'version', [CompletionResultType]::ParameterValue, 'Show the versions of ike and of the site''s Kubernetes API server')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'ike;help;login' {
            break
        }
        'ike;help;whoami' {
            break
        }
        'ike;help;logout' {
            break
        }
        'ike;help;account' {
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create an account and print its one-time enrollment token')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the accounts')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one account')
            [CompletionResult]::new('disable', 'disable', [CompletionResultType]::ParameterValue, 'Disable an account: no more certificates, every role binding gone at once')
            [CompletionResult]::new('enable', 'enable', [CompletionResultType]::ParameterValue, 'Enable a disabled account again')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete an account')
            [CompletionResult]::new('token', 'token', [CompletionResultType]::ParameterValue, 'Make a new one-time enrollment token for an account')
            [CompletionResult]::new('revoke-certificates', 'revoke-certificates', [CompletionResultType]::ParameterValue, 'Revoke every certificate issued to an account until now (a lost or stolen device): none of them renews any more; each device logs in again with a new token')
            break
        }
        'ike;help;account;create' {
            break
        }
        'ike;help;account;list' {
            break
        }
        'ike;help;account;show' {
            break
        }
        'ike;help;account;disable' {
            break
        }
        'ike;help;account;enable' {
            break
        }
        'ike;help;account;delete' {
            break
        }
        'ike;help;account;token' {
            break
        }
        'ike;help;account;revoke-certificates' {
            break
        }
        'ike;help;tenant' {
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a tenant and wait until it is ready')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List your tenants (platform admins: every tenant)')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show a tenant: members, namespaces, node selector and conditions')
            [CompletionResult]::new('add-member', 'add-member', [CompletionResultType]::ParameterValue, 'Add an account to a tenant, or change its role (owners and admins)')
            [CompletionResult]::new('remove-member', 'remove-member', [CompletionResultType]::ParameterValue, 'Remove an account from a tenant (owners and admins)')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete a tenant and, unless kept, its namespaces with everything in them')
            break
        }
        'ike;help;tenant;create' {
            break
        }
        'ike;help;tenant;list' {
            break
        }
        'ike;help;tenant;show' {
            break
        }
        'ike;help;tenant;add-member' {
            break
        }
        'ike;help;tenant;remove-member' {
            break
        }
        'ike;help;tenant;delete' {
            break
        }
        'ike;help;ns' {
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Add a namespace to a tenant and wait until the tenant holds it (owners and admins)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the namespaces of your tenants (platform admins: of every tenant)')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Take a namespace off its tenant: it is deleted with everything in it, unless the tenant keeps its namespaces')
            break
        }
        'ike;help;ns;create' {
            break
        }
        'ike;help;ns;list' {
            break
        }
        'ike;help;ns;delete' {
            break
        }
        'ike;help;doctor' {
            break
        }
        'ike;help;pod' {
            [CompletionResult]::new('ip', 'ip', [CompletionResultType]::ParameterValue, 'Show pod IPs (IPv4 and IPv6), with phase, readiness and node; one IP per line when stdout is not a terminal, so that `curl http://$(ike pod ip -l app=web)` works')
            break
        }
        'ike;help;pod;ip' {
            break
        }
        'ike;help;expose' {
            break
        }
        'ike;help;resolve' {
            break
        }
        'ike;help;notify' {
            [CompletionResult]::new('barry', 'barry', [CompletionResultType]::ParameterValue, 'Send this namespace''s alerts to channels in Barry (opened with your token)')
            [CompletionResult]::new('email', 'email', [CompletionResultType]::ParameterValue, 'Send this namespace''s alerts by e-mail')
            [CompletionResult]::new('teams', 'teams', [CompletionResultType]::ParameterValue, 'Send this namespace''s alerts to a Microsoft Teams channel (a Workflows webhook)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the notification configs of a namespace (-A: of every namespace you may read)')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one notification config: where it sends, its conditions, its last delivery')
            [CompletionResult]::new('test', 'test', [CompletionResultType]::ParameterValue, 'Send a test alert through Alertmanager and report where it arrived, or why not')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete a notification config (its Secret is kept)')
            break
        }
        'ike;help;notify;barry' {
            break
        }
        'ike;help;notify;email' {
            break
        }
        'ike;help;notify;teams' {
            break
        }
        'ike;help;notify;list' {
            break
        }
        'ike;help;notify;show' {
            break
        }
        'ike;help;notify;test' {
            break
        }
        'ike;help;notify;delete' {
            break
        }
        'ike;help;request' {
            [CompletionResult]::new('crd', 'crd', [CompletionResultType]::ParameterValue, 'Ask for a CustomResourceDefinition (created, or updated if your tenant owns it)')
            [CompletionResult]::new('storageclass', 'storageclass', [CompletionResultType]::ParameterValue, 'Ask for a StorageClass (created, or updated if your tenant owns it)')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Ask for the deletion of a CRD or StorageClass your tenant owns')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List requests (--pending: those waiting for a decision, in every namespace you may read)')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one request: what it asks for, the checks, the diff, the decision and its history')
            [CompletionResult]::new('approve', 'approve', [CompletionResultType]::ParameterValue, 'Approve a request (platform admins; someone else''s)')
            [CompletionResult]::new('deny', 'deny', [CompletionResultType]::ParameterValue, 'Deny a request, saying why (platform admins)')
            [CompletionResult]::new('withdraw', 'withdraw', [CompletionResultType]::ParameterValue, 'Withdraw a request before it is decided')
            break
        }
        'ike;help;request;crd' {
            break
        }
        'ike;help;request;storageclass' {
            break
        }
        'ike;help;request;delete' {
            break
        }
        'ike;help;request;list' {
            break
        }
        'ike;help;request;show' {
            break
        }
        'ike;help;request;approve' {
            break
        }
        'ike;help;request;deny' {
            break
        }
        'ike;help;request;withdraw' {
            break
        }
        'ike;help;credential' {
            break
        }
        'ike;help;completion' {
            break
        }
        'ike;help;site' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the sites in your kubeconfig')
            break
        }
        'ike;help;site;list' {
            break
        }
        'ike;help;version' {
            break
        }
        'ike;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
