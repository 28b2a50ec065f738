check lint/escalation.kkp
