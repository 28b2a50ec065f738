check lint/constraints.kkp
