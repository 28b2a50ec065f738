check lint/repeated-name-clean.kkp
