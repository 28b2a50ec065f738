check -W escalation lint/escalation.kkp
