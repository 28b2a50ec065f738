check lint/constraints-clean.kkp
