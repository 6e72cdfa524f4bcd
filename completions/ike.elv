
set edit:completion:arg-completer[ike] = { |@words|
    var index = (count $words)
    set index = (- $index 1)

    put (env _CLAP_IFS="\n" _CLAP_COMPLETE_INDEX=(to-string $index) IKE_COMPLETE="elvish" ike -- $@words) | to-lines
}

