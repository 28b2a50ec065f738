check lint/id-case-clean.kkp
