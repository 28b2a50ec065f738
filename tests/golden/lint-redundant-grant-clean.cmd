check lint/redundant-grant-clean.kkp
