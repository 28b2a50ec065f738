check lint/lockout.kkp
