check lint/lockout-clean.kkp
