explain --format json --member erin@example.com --permission publish explain/cases.kkp
