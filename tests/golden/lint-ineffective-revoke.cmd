check lint/ineffective-revoke.kkp
