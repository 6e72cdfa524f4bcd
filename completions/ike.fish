complete --keep-order --exclusive --command ike --arguments "(IKE_COMPLETE=fish ike -- (commandline --current-process --tokenize --cut-at-cursor) (commandline --current-token))"
