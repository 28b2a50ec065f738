check lint/ineffective-revoke-clean.kkp
