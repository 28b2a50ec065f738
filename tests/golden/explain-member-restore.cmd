explain --member frank@example.com --permission publish explain/cases.kkp
compile --provenance -o $OUT/cases.kkpt explain/cases.kkp
explain --member frank@example.com --permission publish $OUT/cases.kkpt
