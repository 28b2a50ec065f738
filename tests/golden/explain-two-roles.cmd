explain --member dave@example.com explain/cases.kkp
compile --provenance -o $OUT/cases.kkpt explain/cases.kkp
explain --member dave@example.com $OUT/cases.kkpt
