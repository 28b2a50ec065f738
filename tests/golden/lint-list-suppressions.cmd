check --list-suppressions lint/suppressions.kkp
