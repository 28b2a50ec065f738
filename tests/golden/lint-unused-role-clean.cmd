check lint/unused-role-clean.kkp
