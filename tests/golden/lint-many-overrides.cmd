check lint/many-overrides.kkp
