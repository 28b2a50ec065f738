check --format json lint/suppressions.kkp
