check -Werror=duplicate-role -W no-id-case lint/duplicate-role.kkp
