check lint/repeated-name.kkp
