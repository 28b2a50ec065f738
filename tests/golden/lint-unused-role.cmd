check lint/unused-role.kkp
