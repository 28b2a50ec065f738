explain --member carol@exmaple.com explain/cases.kkp
explain --role leed explain/cases.kkp
explain --member carol@example.com --permission pubish explain/cases.kkp
explain explain/cases.kkp
explain --member a --role b explain/cases.kkp
