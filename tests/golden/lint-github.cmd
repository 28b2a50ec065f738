check --format github lint/constraints.kkp
