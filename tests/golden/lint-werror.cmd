check -Werror lint/id-case.kkp
