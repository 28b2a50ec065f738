check lint/suppressions.kkp
