explain --member erin@example.com --permission publish explain/cases.kkp
compile --provenance -o $OUT/cases.kkpt explain/cases.kkp
explain --member erin@example.com --permission publish $OUT/cases.kkpt
