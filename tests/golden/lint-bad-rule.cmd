check -W no-such-rule lint/id-case.kkp
