check lint/id-case.kkp
