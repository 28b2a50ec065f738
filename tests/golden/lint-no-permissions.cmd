check lint/no-permissions.kkp
