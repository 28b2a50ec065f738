check lint/empty-role.kkp
