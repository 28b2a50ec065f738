check lint/empty-role-clean.kkp
