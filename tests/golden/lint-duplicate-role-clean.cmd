check lint/duplicate-role-clean.kkp
