check lint/duplicate-role.kkp
