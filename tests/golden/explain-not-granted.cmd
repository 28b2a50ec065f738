explain --member grace@example.com explain/cases.kkp
compile --provenance -o $OUT/cases.kkpt explain/cases.kkp
explain --member grace@example.com $OUT/cases.kkpt
