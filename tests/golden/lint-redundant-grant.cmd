check lint/redundant-grant.kkp
