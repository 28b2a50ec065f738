check --format sarif lint/constraints.kkp
