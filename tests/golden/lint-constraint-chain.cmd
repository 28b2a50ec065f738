check lint/constraint-chain.kkp
