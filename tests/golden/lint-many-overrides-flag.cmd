check --max-overrides 4 lint/many-overrides.kkp
